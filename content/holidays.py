"""Seasonality on the calendar: the Russian public holidays and retail dates shipped with the
product (content/data/holidays_ru.json, the current and the next year), minus the ones the
organization hid, plus its own dates and news hooks (``CalendarDate``)."""

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tenancy.models import Organization

from .plan_models import CalendarDate, DateKind, HiddenDate

DATA_FILE = Path(__file__).parent / "data" / "holidays_ru.json"


@dataclass(frozen=True)
class PlanDate:
    day: dt.date
    title: str
    kind: str
    key: str = ""  # a shipped date's key (hide it); empty for the organization's own
    own_id: int | None = None  # the organization's own date (remove it)

    @property
    def kind_label(self) -> str:
        return str(DateKind(self.kind).label)


@cache
def shipped_dates() -> tuple[PlanDate, ...]:
    rows = json.loads(DATA_FILE.read_text(encoding="utf-8"))["dates"]
    return tuple(
        PlanDate(day=dt.date.fromisoformat(r["date"]), title=r["title"], kind=r["kind"], key=r["key"]) for r in rows
    )


def shipped_keys() -> frozenset[str]:
    return frozenset(d.key for d in shipped_dates())


def dates_between(*, organization: Organization, start: dt.date, end: dt.date) -> list[PlanDate]:
    """Dates shown from `start` to `end` inclusive, by day (two queries)."""
    hidden = set(HiddenDate.objects.filter(organization=organization).values_list("key", flat=True))
    shown = [d for d in shipped_dates() if start <= d.day <= end and d.key not in hidden]
    own = CalendarDate.objects.filter(organization=organization, day__gte=start, day__lte=end)
    shown += [PlanDate(day=c.day, title=c.title, kind=c.kind, own_id=c.pk) for c in own]
    return sorted(shown, key=lambda d: (d.day, d.kind, d.title))


def hidden_dates(*, organization: Organization) -> list[PlanDate]:
    hidden = set(HiddenDate.objects.filter(organization=organization).values_list("key", flat=True))
    return [d for d in shipped_dates() if d.key in hidden]


def by_day(dates: list[PlanDate]) -> dict[dt.date, list[PlanDate]]:
    result: dict[dt.date, list[PlanDate]] = {}
    for d in dates:
        result.setdefault(d.day, []).append(d)
    return result
