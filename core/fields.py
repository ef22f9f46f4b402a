"""Serializer fields shared by the apps' APIs."""

from datetime import datetime

from rest_framework import serializers

from core.dates import is_in_range, range_message


class BoundedDateTimeField(serializers.DateTimeField):
    """A datetime within the product's calendar range (``core/dates.py``).

    Checked before DRF converts the value to the current timezone: 9999-12-31T23:59:59Z shown in
    a timezone east of UTC is past year 9999, which DRF reports only as "out of range"."""

    def enforce_timezone(self, value: datetime) -> datetime:
        if not is_in_range(value):
            raise serializers.ValidationError(range_message())
        return super().enforce_timezone(value)
