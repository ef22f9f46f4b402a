"""API rate limits: one bucket per API token or signed-in user, one per organization.

Throttling fails open: if the cache (Redis) is down, requests are allowed and a warning is logged,
so a cache outage degrades rate limiting instead of taking the API down.
"""

import logging

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from smm_platform.net import client_ip

logger = logging.getLogger(__name__)


class _FailOpenRateThrottle(SimpleRateThrottle):
    def get_rate(self):
        # Read at request time (DRF binds THROTTLE_RATES at import, which settings overrides miss).
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception:  # any cache backend error (connection refused, timeout, ...)
            logger.warning("Rate-limit cache unavailable; request allowed", extra={"scope": self.scope}, exc_info=True)
            return True


FailOpenRateThrottle = _FailOpenRateThrottle  # for rate limits outside DRF views (links.throttling)


class PrincipalRateThrottle(_FailOpenRateThrottle):
    """Per API token (token requests have no user id), per user for sessions, per IP otherwise."""

    scope = "user"

    def get_cache_key(self, request, view) -> str:
        from tenancy.models import ApiToken

        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated and request.user.pk is not None:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{client_ip(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class OrganizationRateThrottle(_FailOpenRateThrottle):
    """All requests to one organization's endpoints, whichever token or member sends them."""

    scope = "organization"

    def get_cache_key(self, request, view) -> str | None:
        organization = getattr(request, "organization", None)
        if organization is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": organization.pk}
