"""The rate-limit base every throttle shares: it fails open.

If the cache (Redis) is down, requests are allowed and a warning is logged, so a cache outage
degrades rate limiting instead of taking the API or the short links down."""

import logging

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)


class FailOpenRateThrottle(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        # Read at request time (DRF binds THROTTLE_RATES at import, which settings overrides miss).
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        try:
            return super().allow_request(request, view)
        except Exception:  # any cache backend error (connection refused, timeout, ...)
            logger.warning("Rate-limit cache unavailable; request allowed", extra={"scope": self.scope}, exc_info=True)
            return True
