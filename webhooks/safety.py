"""Where a webhook may be sent: protection against server-side request forgery.

An organization chooses the URL, so without care it could make our servers call internal services
(the metadata endpoint at 169.254.169.254, Redis on localhost, the private network). Rules:

- `https` only, no credentials in the URL;
- the host is resolved here and every address it resolves to must be public: private, loopback,
  link-local, multicast, reserved, shared (CGNAT) and unspecified addresses are refused (IPv6 too,
  and IPv4 written inside IPv6);
- the request then goes to the checked address itself (the hostname only in `Host` and TLS SNI,
  and the certificate is still verified against the hostname), so a DNS answer that changes between
  the check and the connection (DNS rebinding) cannot redirect it;
- short timeouts and no redirects (a 3xx is a failed attempt; following it would reach an
  unchecked address).

`settings.WEBHOOKS_ALLOW_LOOPBACK` (off by default; only the test settings of a local receiver turn it
on) admits loopback addresses and, for them only, plain `http`.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeDestination(Exception):
    """The URL may not be called; the message says why in plain words."""


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str  # as written in the URL (lower case)
    port: int
    address: Address  # the checked address the request connects to
    path: str  # path and query

    @property
    def connect_url(self) -> str:
        """The URL with the checked address in place of the host name."""
        host = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        return f"{self.scheme}://{host}:{self.port}{self.path}"

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


def allow_loopback() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_LOOPBACK", False))


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (tests replace this function)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _is_public(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            return _is_public(mapped)
    if address.is_loopback and allow_loopback():
        return True
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def check_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of an acceptable URL, else `UnsafeDestination` (no DNS here)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UnsafeDestination(_("Enter a valid URL.")) from exc
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not parts.hostname:
        raise UnsafeDestination(_("The URL must start with https:// and name a host."))
    if scheme == "http" and not allow_loopback():
        raise UnsafeDestination(_("Only https:// URLs are accepted."))
    if parts.username is not None or parts.password is not None:
        raise UnsafeDestination(_("The URL must not contain a user name or password."))
    host = parts.hostname.lower()
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return scheme, host, port or (443 if scheme == "https" else 80), path


def destination(url: str) -> Destination:
    """Resolves the URL's host once and checks every address; returns the one to connect to."""
    scheme, host, port, path = check_url(url)
    try:
        literal: Address | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        candidates: list[str] = [str(literal)]
    else:
        try:
            candidates = resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise UnsafeDestination(_("The host name cannot be resolved.")) from exc
    addresses: list[Address] = []
    for candidate in candidates:
        try:
            addresses.append(ipaddress.ip_address(candidate.split("%", 1)[0]))
        except ValueError as exc:
            raise UnsafeDestination(_("The host name cannot be resolved.")) from exc
    if not addresses:
        raise UnsafeDestination(_("The host name cannot be resolved."))
    refused = [a for a in addresses if not _is_public(a)]
    if refused:
        raise UnsafeDestination(
            _("The URL leads to a private or reserved address (%(address)s); only public addresses are allowed.")
            % {"address": refused[0]}
        )
    if scheme == "http" and not all(a.is_loopback for a in addresses):
        raise UnsafeDestination(_("Only https:// URLs are accepted."))
    return Destination(scheme=scheme, host=host, port=port, address=addresses[0], path=path)
