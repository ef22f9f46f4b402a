"""A rate limit for `/l/<code>` per client IP, on the API's fail-open throttle (a Redis outage
lets visitors through rather than breaking printed links)."""

from core.net import client_ip
from core.throttling import FailOpenRateThrottle


class LinkRedirectThrottle(FailOpenRateThrottle):
    # Generous (setting LINK_REDIRECT_RATE_LIMIT): an office behind one NAT may open the same link.
    scope = "link_redirect"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}
