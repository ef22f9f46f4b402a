"""The rate-limit base every throttle shares: it fails open.

If the cache (Redis) is down, requests are allowed and a warning is logged, so a cache outage
degrades rate limiting instead of taking the API or the short links down."""

import logging
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

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
            allowed = super().allow_request(request, view)  # type: ignore[arg-type]
        except Exception:  # any cache backend error (connection refused, timeout, ...)
            logger.warning("Rate-limit cache unavailable; request allowed", extra={"scope": self.scope}, exc_info=True)
            return True
        record_rate_limit(request, self.state(allowed))
        return allowed

    def state(self, allowed: bool) -> "RateLimitState | None":
        """This bucket after the check: (limit, remaining, seconds to reset); None if unlimited."""
        if self.rate is None or getattr(self, "key", None) is None:
            return None
        history: list[float] = getattr(self, "history", [])
        # Set by SimpleRateThrottle.__init__ from the rate (the stubs do not declare them).
        limit: int = getattr(self, "num_requests")  # noqa: B009
        duration: int = getattr(self, "duration")  # noqa: B009
        remaining = max(0, limit - len(history)) if allowed else 0
        reset = duration - (self.now - history[-1]) if history else duration
        return RateLimitState(limit=limit, remaining=remaining, reset=max(0, math.ceil(reset)))


@dataclass(frozen=True)
class RateLimitState:
    limit: int
    remaining: int
    reset: int


def record_rate_limit(request: Any, state: RateLimitState | None) -> None:
    """Keeps the tightest bucket a request was checked against on the Django request (the API answers
    it in `RateLimit-*` headers)."""
    if state is None:
        return
    target = getattr(request, "_request", request)  # a DRF Request wraps the Django one
    current: RateLimitState | None = getattr(target, "rate_limit", None)
    if current is None or (state.remaining, -state.reset) < (current.remaining, -current.reset):
        target.rate_limit = state
