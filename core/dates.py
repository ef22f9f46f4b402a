"""The calendar range the product works in.

Strategy periods, goal deadlines, experiments and API token expiries are business dates; a date
far outside this range is a typo, and at the edges of the calendar (0001-01-01, 9999-12-31) the
arithmetic the product does (the next period, a 30-day KPI window, showing a time in the
organization's timezone) overflows.
"""

import datetime as dt

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.errors import DomainError

EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2099, 12, 31)
# Moments (aware datetimes) within the same range, compared in UTC: comparing aware datetimes
# converts nothing, so it cannot overflow even for 9999-12-31T23:59:59-12:00.
_FIRST_MOMENT = dt.datetime.combine(EARLIEST_DATE, dt.time.min, tzinfo=dt.UTC)
_END_MOMENT = dt.datetime.combine(LATEST_DATE + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)


def range_message() -> str:
    return _("Choose a date between %(start)s and %(end)s.") % {
        "start": date_format(EARLIEST_DATE, "SHORT_DATE_FORMAT"),
        "end": date_format(LATEST_DATE, "SHORT_DATE_FORMAT"),
    }


def is_in_range(value: dt.date | dt.datetime) -> bool:
    """Whether a date, or an aware moment, falls within the range (a naive datetime by its date)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return EARLIEST_DATE <= value.date() <= LATEST_DATE
        return _FIRST_MOMENT <= value < _END_MOMENT
    return EARLIEST_DATE <= value <= LATEST_DATE


def check_date_in_range(value: dt.date | dt.datetime | None, *, field: str) -> None:
    """Raise a field error when ``value`` is set and outside the range."""
    if value is not None and not is_in_range(value):
        raise DomainError(range_message(), field=field)
