"""Report periods: calendar months or ISO weeks (Monday–Sunday) of the organization's calendar."""

import datetime as dt

from .models import Frequency


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    next_first = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first, next_first - dt.timedelta(days=1)


def last_closed_period(*, frequency: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The latest period that ended before `today` (a report covers whole days only)."""
    if frequency == Frequency.WEEKLY:
        monday = today - dt.timedelta(days=today.weekday())
        return monday - dt.timedelta(days=7), monday - dt.timedelta(days=1)
    return month_bounds(today.replace(day=1) - dt.timedelta(days=1))


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period before [start, end]: the previous calendar month for a whole month, else the
    same number of days just before it."""
    if (start, end) == month_bounds(start):
        return month_bounds(start - dt.timedelta(days=1))
    length = (end - start).days + 1
    return start - dt.timedelta(days=length), start - dt.timedelta(days=1)
