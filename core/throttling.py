"""The rate-limit base every throttle shares: it fails open.

If the cache (Redis) is down, requests are allowed and a warning is logged, so a cache outage
degrades rate limiting instead of taking the API or the short links down."""

import logging
from typing import TYPE_CHECKING, cast

from django.http import HttpRequest
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

if TYPE_CHECKING:  # rest_framework.views imports the throttle classes from the settings: a cycle at runtime
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)


class FailOpenRateThrottle(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        # Read at request time (DRF binds THROTTLE_RATES at import, which settings overrides miss).
        if self.scope is None:  # no scope, no rate (the settings are keyed by scope names)
            return None
        # The stubs type the rates as numbers; DRF's are "N/period" strings, as THROTTLE_RATES says.
        rates = cast(dict[str, str | None], api_settings.DEFAULT_THROTTLE_RATES)
        return rates.get(self.scope)

    def allow_request(self, request: HttpRequest, view: "APIView | None") -> bool:
        # Also called outside DRF, with a Django request and no view (the short-link redirect).
        try:
            # The stubs want a DRF Request and view; the check passes them on only to get_cache_key.
            return super().allow_request(request, view)  # type: ignore[arg-type]
        except Exception:  # any cache backend error (connection refused, timeout, ...)
            logger.warning("Rate-limit cache unavailable; request allowed", extra={"scope": self.scope}, exc_info=True)
            return True
