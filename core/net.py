"""The client's IP address, trusting `X-Forwarded-For` only from configured proxies."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

_Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(value, strict=False) for value in settings.TRUSTED_PROXIES]


def _address(value: str) -> _Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, unless it is a trusted proxy: then the right-most `X-Forwarded-For` entry that is
    not itself a trusted proxy. Entries left of it were written by the client and are ignored, so a
    forged header cannot choose the address (lockouts and rate limits are keyed on it)."""
    remote: str = request.META.get("REMOTE_ADDR", "")
    networks = _networks()

    def trusted(addr: _Address) -> bool:
        return any(addr in net for net in networks)

    remote_addr = _address(remote)
    if remote_addr is None or not trusted(remote_addr):
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        addr = _address(hop)
        if addr is None:  # a malformed hop: stop at the last address a trusted proxy vouched for
            return remote
        if not trusted(addr):
            return str(addr)
        remote = str(addr)
    return remote
