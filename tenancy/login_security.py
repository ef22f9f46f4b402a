"""Sign-in lockouts: django-axes counts failures per user name + IP (AXES_FAILURE_LIMIT); this
handler adds a higher limit per IP across user names (AXES_IP_FAILURE_LIMIT) against password
spraying, which a per-user limit never reaches."""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


class SprayAwareAxesHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        ip_failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
        if ip_failures >= settings.AXES_IP_FAILURE_LIMIT:
            # Report "at the limit" so axes locks this IP out for every user name.
            return max(failures, get_failure_limit(request, credentials))
        return failures
