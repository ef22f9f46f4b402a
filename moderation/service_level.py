"""The reply service level: elapsed time counted in the organization's business hours.

Without business hours every second counts. With them, only the working interval of each working
day in the organization's timezone counts, Russian public holidays skipped (a fixed shipped list:
the non-working days of the Labour Code, art. 112; the government's yearly day swaps are not
modelled). ``elapsed_seconds`` and ``started_before`` are inverse: the inbox filter "waiting longer
than the target" becomes one ``created_at <= cutoff`` condition in SQL.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field

# (month, day) of the Russian public holidays.
RU_HOLIDAYS: frozenset[tuple[int, int]] = frozenset(
    {(1, d) for d in range(1, 9)} | {(2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4)}
)
# How far back the cutoff search walks before giving up (a year of closed days cannot happen).
_MAX_DAYS = 400


@dataclass(frozen=True)
class Hours:
    """Business hours; ``enabled=False`` means the clock always runs."""

    tz: dt.tzinfo
    enabled: bool = False
    day_start: dt.time = dt.time(9)
    day_end: dt.time = dt.time(18)
    workdays: frozenset[int] = field(default_factory=lambda: frozenset({1, 2, 3, 4, 5}))
    skip_holidays: bool = True

    def is_working_day(self, day: dt.date) -> bool:
        if day.isoweekday() not in self.workdays:
            return False
        return not (self.skip_holidays and (day.month, day.day) in RU_HOLIDAYS)

    def interval(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """The working interval of a local date (aware datetimes), or None on a day off."""
        if not self.is_working_day(day) or self.day_end <= self.day_start:
            return None
        start = dt.datetime.combine(day, self.day_start, tzinfo=self.tz)
        end = dt.datetime.combine(day, self.day_end, tzinfo=self.tz)
        return start, end


def hours_of(level: object | None, tz: dt.tzinfo | str) -> Hours:
    """``Hours`` from a ``ReplyServiceLevel`` row (or the always-running clock without one)."""
    zone = zoneinfo.ZoneInfo(tz) if isinstance(tz, str) else tz
    if level is None or not getattr(level, "business_hours", False):
        return Hours(tz=zone)
    return Hours(
        tz=zone,
        enabled=True,
        day_start=level.day_start,  # type: ignore[attr-defined]
        day_end=level.day_end,  # type: ignore[attr-defined]
        workdays=frozenset(int(d) for d in level.workdays),  # type: ignore[attr-defined]
        skip_holidays=level.skip_holidays,  # type: ignore[attr-defined]
    )


def _days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def elapsed_seconds(start: dt.datetime, end: dt.datetime, hours: Hours) -> int:
    """Seconds between two moments that count toward the service level (0 if end <= start)."""
    if end <= start:
        return 0
    if not hours.enabled:
        return int((end - start).total_seconds())
    total = 0.0
    first, last = start.astimezone(hours.tz).date(), end.astimezone(hours.tz).date()
    for day in _days(first, last):
        window = hours.interval(day)
        if window is None:
            continue
        lo, hi = max(window[0], start), min(window[1], end)
        if hi > lo:
            total += (hi - lo).total_seconds()
    return int(total)


def started_before(now: dt.datetime, seconds: int, hours: Hours) -> dt.datetime:
    """The latest moment ``t`` with ``elapsed_seconds(t, now) >= seconds``: an item written at or
    before it has waited at least ``seconds`` of counted time."""
    if not hours.enabled:
        return now - dt.timedelta(seconds=seconds)
    remaining = float(seconds)
    day = now.astimezone(hours.tz).date()
    for _ in range(_MAX_DAYS):
        window = hours.interval(day)
        if window is not None:
            hi = min(window[1], now)
            available = (hi - window[0]).total_seconds()
            if available > 0:
                if available >= remaining:
                    return hi - dt.timedelta(seconds=remaining)
                remaining -= available
        day -= dt.timedelta(days=1)
    return now - dt.timedelta(days=_MAX_DAYS)
