"""One HTTP request of a delivery, to the address `safety.destination` checked."""

from __future__ import annotations

import ssl
import time
from dataclasses import dataclass
from functools import cache

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from .safety import UnsafeDestination, destination

CONNECT_TIMEOUT = 3.0
TIMEOUT = 5.0  # read, write and pool: a receiver should answer at once and process later
EXCERPT = 500
USER_AGENT = "SMM-Platform-Webhooks/1.0"


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    duration_ms: int
    error: str = ""
    excerpt: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@cache
def _context_for(ca_bundle: str) -> ssl.SSLContext:
    # Verification stays on (certificate and host name); only the trusted roots change.
    return ssl.create_default_context(cafile=ca_bundle)


def verification() -> ssl.SSLContext | bool:
    """How receivers' certificates are verified: against `settings.WEBHOOKS_CA_BUNDLE` when one is
    configured (a test receiver's own authority), else the public roots. Never off."""
    ca_bundle = getattr(settings, "WEBHOOKS_CA_BUNDLE", "")
    return _context_for(str(ca_bundle)) if ca_bundle else True


def post(url: str, headers: dict[str, str], body: str) -> Outcome:
    """POSTs `body` (JSON) to `url`; never raises for network trouble or a refused destination."""
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = destination(url)
    except UnsafeDestination as exc:
        return Outcome(None, elapsed(), error=str(exc)[:300])
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    request_headers = {
        **headers,
        "Host": target.host_header,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }
    try:
        with (
            httpx.Client(
                timeout=httpx.Timeout(TIMEOUT, connect=CONNECT_TIMEOUT),
                verify=verification(),
                follow_redirects=False,
                trust_env=False,  # no proxy from the environment: we connect to the checked address
            ) as client,
            client.stream(
                "POST", target.connect_url, content=body.encode(), headers=request_headers, extensions=extensions
            ) as response,
        ):
            excerpt = b""
            for chunk in response.iter_bytes():
                excerpt += chunk
                if len(excerpt) >= EXCERPT:
                    break
            text = excerpt[:EXCERPT].decode("utf-8", errors="replace")
            error = _("Redirects are not followed.") if response.is_redirect else ""
            return Outcome(response.status_code, elapsed(), error=error, excerpt=text)
    except httpx.TimeoutException:
        return Outcome(None, elapsed(), error=_("No answer in time."))
    except httpx.HTTPError as exc:
        return Outcome(None, elapsed(), error=(_("Connection failed: %(error)s") % {"error": type(exc).__name__})[:300])
