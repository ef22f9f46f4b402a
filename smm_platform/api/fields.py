from rest_framework import serializers

from smm_platform.dates import check_datetime_in_range
from smm_platform.errors import DomainError


class PlanningDateTimeField(serializers.DateTimeField):
    """A datetime inside the planning range, checked on its UTC date before DRF converts it to the
    organization's timezone: at the calendar's edges (9999-12-31T23:59Z) that conversion overflows and
    would hide the real message behind "Datetime value out of range"."""

    def enforce_timezone(self, value):
        try:
            check_datetime_in_range(value, field="value")
        except DomainError as exc:
            raise serializers.ValidationError(str(exc.message)) from exc
        return super().enforce_timezone(value)
