"""The calendar range the product plans in.

Strategy periods, goal deadlines and experiments are business plans; a date far outside this
range is a typo, and at the edges of the calendar (0001-01-01, 9999-12-31) the date arithmetic
the product does (the next period, a 30-day KPI window) overflows.
"""

import datetime as dt

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from smm_platform.errors import DomainError

EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2099, 12, 31)


def check_date_in_range(day: dt.date | None, *, field: str) -> None:
    """Raise a field error when ``day`` is set and outside the planning range."""
    if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE:
        raise DomainError(
            _("Choose a date between %(start)s and %(end)s.")
            % {
                "start": date_format(EARLIEST_DATE, "SHORT_DATE_FORMAT"),
                "end": date_format(LATEST_DATE, "SHORT_DATE_FORMAT"),
            },
            field=field,
        )


def check_datetime_in_range(moment: dt.datetime | None, *, field: str) -> None:
    """The same check on a datetime's UTC date; a moment whose UTC date falls off the calendar
    (0001-01-01T00:00+03:00) is out of range too."""
    if moment is None:
        return
    try:
        day = moment.astimezone(dt.UTC).date() if moment.tzinfo is not None else moment.date()
    except OverflowError:
        day = dt.date.min
    check_date_in_range(day, field=field)
