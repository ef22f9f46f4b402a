"""API rate limits: one bucket per API token or signed-in user, one per organization.

They fail open (core/throttling.py): a cache outage degrades rate limiting, not the API.
"""

from core.net import client_ip
from core.throttling import FailOpenRateThrottle
from tenancy.models import ApiToken


class PrincipalRateThrottle(FailOpenRateThrottle):
    """Per API token (token requests have no user id), per user for sessions, per IP otherwise."""

    scope = "user"

    def get_cache_key(self, request, view) -> str:
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated and request.user.pk is not None:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{client_ip(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class OrganizationRateThrottle(FailOpenRateThrottle):
    """All requests to one organization's endpoints, whichever token or member sends them."""

    scope = "organization"

    def get_cache_key(self, request, view) -> str | None:
        organization = getattr(request, "organization", None)
        if organization is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": organization.pk}
