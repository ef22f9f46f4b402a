"""Brand keywords, mention volume and tone over time, and the alert on a spike of negative mentions.

The mentions themselves are found by the ``mentions`` sync step (``services.mentions_sync``, in the
"frequent" sync plan that beat runs every ~15 minutes) through connectors with
``Capability.MENTIONS`` (VK ``newsfeed.search``), and labelled by ``classify_tone`` right after.

Spike rule (``spike_check``): in the last ``SPIKE_WINDOW`` (24 h) there are at least
``SPIKE_MIN_COUNT`` negative mentions AND at least ``SPIKE_RATIO`` times the trailing baseline —
the average number per 24 h over the ``BASELINE_DAYS`` before. Compared in integers
(``recent × BASELINE_DAYS ≥ SPIKE_RATIO × trailing``), so the boundary is exact. One in-app
notification per organization per ``SPIKE_WINDOW`` to the owners and admins.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TypedDict, Unpack

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from content.models import Notification
from core.errors import DomainError
from core.services import fields_of, model_update
from tenancy.access import Access
from tenancy.models import Membership, Organization
from tenancy.roles import Perm, Role
from tenancy.scoping import get_for_organization

from .models import BrandKeyword, InboxItem, InboxKind, Sentiment

SPIKE_WINDOW = dt.timedelta(hours=24)
BASELINE_DAYS = 7
SPIKE_MIN_COUNT = 5
SPIKE_RATIO = 2
SPIKE_KIND = "mention_spike"
MAX_EXCLUSIONS = 20


# --------------------------------------------------------------------------- keywords


class KeywordData(TypedDict, total=False):
    phrase: str
    exclusions: list[str]
    is_active: bool


KEYWORD_FIELDS = fields_of(KeywordData)


def _clean(data: KeywordData) -> KeywordData:
    if "phrase" in data:
        data["phrase"] = " ".join(str(data["phrase"]).split())
        if not data["phrase"]:
            raise DomainError(_("Write the phrase to search for."), field="phrase")
    if "exclusions" in data:
        words = [" ".join(str(w).split()) for w in data["exclusions"]]
        words = list(dict.fromkeys(w for w in words if w))
        if len(words) > MAX_EXCLUSIONS:
            raise DomainError(_("At most %(n)s exclusions.") % {"n": MAX_EXCLUSIONS}, field="exclusions")
        if any(len(w) > 100 for w in words):
            raise DomainError(_("An exclusion is at most 100 characters."), field="exclusions")
        data["exclusions"] = words
    return data


def _save(access: Access, keyword: BrandKeyword, data: KeywordData) -> BrandKeyword:
    def unique(row: BrandKeyword) -> None:
        same = BrandKeyword.objects.for_organization(access.organization).filter(phrase__iexact=row.phrase)
        if same.exclude(pk=row.pk).exists():
            raise DomainError(_("This phrase is already on the list."), field="phrase")

    return model_update(
        instance=keyword, data=_clean(data), fields=KEYWORD_FIELDS, exclude=["organization"], validate=unique
    )[0]


def keyword_create(*, access: Access, **data: Unpack[KeywordData]) -> BrandKeyword:
    access.require(Perm.MANAGE_ORGANIZATION)
    return _save(access, BrandKeyword(organization=access.organization), data)


def keyword_update(*, access: Access, keyword: BrandKeyword | int, **data: Unpack[KeywordData]) -> BrandKeyword:
    access.require(Perm.MANAGE_ORGANIZATION)
    row = get_for_organization(BrandKeyword, access.organization, keyword, message=_("Keyword not found."))
    return _save(access, row, data)


def keyword_delete(*, access: Access, keyword: BrandKeyword | int) -> None:
    access.require(Perm.MANAGE_ORGANIZATION)
    get_for_organization(BrandKeyword, access.organization, keyword, message=_("Keyword not found.")).delete()


def parse_exclusions(raw: str) -> list[str]:
    """The form's field: one exclusion per line or comma."""
    return [w.strip() for w in raw.replace("\n", ",").split(",") if w.strip()]


# --------------------------------------------------------------------------- volume and tone


@dataclass(frozen=True)
class DayTone:
    day: dt.date
    positive: int
    neutral: int
    negative: int
    unrated: int

    @property
    def total(self) -> int:
        return self.positive + self.neutral + self.negative + self.unrated


def mention_series(*, organization: Organization, since: dt.date, until: dt.date) -> list[DayTone]:
    """Mentions per day of the organization's calendar (its timezone), by tone; every day of the
    period is present (zeros included). One aggregate query."""
    tz = organization.tzinfo
    start = dt.datetime.combine(since, dt.time(), tz)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tz)
    rows = (
        InboxItem.objects.for_organization(organization)
        .filter(kind=InboxKind.MENTION, created_at__gte=start, created_at__lt=end)
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day")
        .annotate(
            positive=Count("pk", filter=Q(sentiment=Sentiment.POSITIVE)),
            neutral=Count("pk", filter=Q(sentiment=Sentiment.NEUTRAL)),
            negative=Count("pk", filter=Q(sentiment=Sentiment.NEGATIVE)),
            unrated=Count("pk", filter=Q(sentiment__isnull=True)),
        )
    )
    by_day: dict[dt.date, dict[str, int]] = {
        r["day"]: {k: r[k] for k in ("positive", "neutral", "negative", "unrated")} for r in rows
    }
    out = []
    for offset in range((until - since).days + 1):
        day = since + dt.timedelta(days=offset)
        r: dict[str, int] = by_day.get(day, {})
        out.append(
            DayTone(
                day=day,
                positive=r.get("positive", 0),
                neutral=r.get("neutral", 0),
                negative=r.get("negative", 0),
                unrated=r.get("unrated", 0),
            )
        )
    return out


# --------------------------------------------------------------------------- spike alert


@dataclass(frozen=True)
class Spike:
    recent: int  # negative mentions in the last SPIKE_WINDOW
    trailing: int  # negative mentions in the BASELINE_DAYS windows before
    fires: bool

    @property
    def baseline(self) -> float:
        return self.trailing / BASELINE_DAYS


def spike_measure(*, organization_id: int, now: dt.datetime | None = None) -> Spike:
    now = now or timezone.now()
    start = now - SPIKE_WINDOW
    counts = (
        InboxItem.objects.for_organization(organization_id)
        .filter(
            kind=InboxKind.MENTION,
            sentiment=Sentiment.NEGATIVE,
            created_at__gt=start - SPIKE_WINDOW * BASELINE_DAYS,
            created_at__lte=now,
        )
        .aggregate(recent=Count("pk", filter=Q(created_at__gt=start)), total=Count("pk"))
    )
    recent, trailing = counts["recent"], counts["total"] - counts["recent"]
    fires = recent >= SPIKE_MIN_COUNT and recent * BASELINE_DAYS >= SPIKE_RATIO * trailing
    return Spike(recent=recent, trailing=trailing, fires=fires)


@transaction.atomic
def spike_check(*, organization_id: int, now: dt.datetime | None = None) -> bool:
    """Notify the owners and admins once per window when negative mentions spike; True if it did."""
    now = now or timezone.now()
    spike = spike_measure(organization_id=organization_id, now=now)
    if not spike.fires:
        return False
    # One alert per window: the organization's row lock serializes two checks running at once.
    Organization.objects.select_for_update().filter(pk=organization_id).first()
    already = Notification.objects.for_organization(organization_id).filter(
        kind=SPIKE_KIND, created_at__gt=now - SPIKE_WINDOW
    )
    if already.exists():
        return False
    title = _("Negative mentions spike: %(n)s in 24 hours") % {"n": spike.recent}
    body = _("Usually about %(base)s a day over the previous %(days)s days. See the reputation page.") % {
        "base": f"{spike.baseline:.1f}",
        "days": BASELINE_DAYS,
    }
    members = Membership.objects.for_organization(organization_id).filter(role__in=[Role.OWNER, Role.ADMIN])
    Notification.objects.bulk_create(
        Notification(organization_id=organization_id, user_id=m.user_id, kind=SPIKE_KIND, title=title, body=body)
        for m in members
    )
    return True
