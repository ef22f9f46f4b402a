"""Reply service level: settings, the "waiting longer than the target" cutoff, breach alerts and
the share answered within target.

An item is *about to breach* once it has waited ``WARN_SHARE`` of the target in counted time
without a first answer; the beat task alerts each such item once (``sla_alerted_at``): an in-app
notification to its assignee, else to the owners and admins, and an email when the level names one.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import TypedDict, Unpack

from django.core.mail import send_mail
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from content.models import Notification
from core.errors import DomainError
from core.numbers import ratio
from core.services import fields_of, model_update
from tenancy.access import Access
from tenancy.models import Membership, Organization
from tenancy.roles import Perm, Role

from .models import OPEN_STATUSES, InboxItem, ReplyServiceLevel
from .service_level import Hours, hours_of, started_before

logger = logging.getLogger("moderation.sla")
WARN_SHARE = Decimal("0.8")


class LevelData(TypedDict, total=False):
    first_response_minutes: int
    business_hours: bool
    day_start: dt.time
    day_end: dt.time
    workdays: list[int]
    skip_holidays: bool
    alert_email: str


LEVEL_FIELDS = fields_of(LevelData)


def level_get(organization: Organization) -> ReplyServiceLevel:
    """The organization's level (the defaults, unsaved, until someone sets it)."""
    return ReplyServiceLevel.objects.for_organization(organization).first() or ReplyServiceLevel(
        organization=organization
    )


def _validate(level: ReplyServiceLevel) -> None:
    if level.business_hours and level.day_end <= level.day_start:
        raise DomainError(_("The working day must end after it starts."), field="day_end")
    if not set(level.workdays) <= set(range(1, 8)) or (level.business_hours and not level.workdays):
        raise DomainError(_("Choose working days from 1 (Monday) to 7 (Sunday)."), field="workdays")
    if level.first_response_minutes < 1:
        raise DomainError(_("The target must be at least a minute."), field="first_response_minutes")


def level_update(*, access: Access, **data: Unpack[LevelData]) -> ReplyServiceLevel:
    access.require(Perm.MANAGE_ORGANIZATION)
    level = level_get(access.organization)
    return model_update(instance=level, data=data, fields=LEVEL_FIELDS, exclude=["organization"], validate=_validate)[0]


def hours_for(organization: Organization, level: ReplyServiceLevel | None = None) -> Hours:
    return hours_of(level if level is not None else level_get(organization), organization.tzinfo)


def overdue_cutoff(
    organization: Organization, *, share: Decimal = Decimal(1), now: dt.datetime | None = None
) -> dt.datetime:
    """Items written at or before this moment and still unanswered have waited ``share`` of the target."""
    level = level_get(organization)
    seconds = int(level.first_response_minutes * 60 * share)
    return started_before(now or timezone.now(), seconds, hours_for(organization, level))


def waiting_too_long(qs: QuerySet[InboxItem], organization: Organization) -> QuerySet[InboxItem]:
    return qs.filter(status__in=OPEN_STATUSES, answered_at__isnull=True, created_at__lte=overdue_cutoff(organization))


def within_target_share(organization: Organization, since: dt.datetime, until: dt.datetime) -> Decimal | None:
    """Share (0..1) of the period's answered items whose first response met the target."""
    target = level_get(organization).first_response_minutes * 60
    counts = (
        InboxItem.objects.for_organization(organization)
        .filter(
            is_from_account=False, created_at__gte=since, created_at__lt=until, first_response_seconds__isnull=False
        )
        .aggregate(answered=Count("pk"), within=Count("pk", filter=Q(first_response_seconds__lte=target)))
    )
    return ratio(counts["within"], counts["answered"])


def _recipients(organization: Organization, item: InboxItem) -> list[int]:
    if item.assignee_id:
        return [item.assignee_id]
    members = Membership.objects.for_organization(organization).filter(role__in=[Role.OWNER, Role.ADMIN])
    return list(members.values_list("user_id", flat=True))


def alert_about_to_breach(organization: Organization, *, now: dt.datetime | None = None) -> int:
    """Alert once per unanswered item past ``WARN_SHARE`` of the target; returns items alerted."""
    now = now or timezone.now()
    level = level_get(organization)
    cutoff = overdue_cutoff(organization, share=WARN_SHARE, now=now)
    items = list(
        InboxItem.objects.for_organization(organization).filter(
            is_from_account=False,
            status__in=OPEN_STATUSES,
            answered_at__isnull=True,
            sla_alerted_at__isnull=True,
            created_at__lte=cutoff,
            # Older than a week: the alert would be noise, the breach is long known.
            created_at__gte=now - dt.timedelta(days=7),
        )
    )
    if not items:
        return 0
    title = _("Answer soon: first-response target is %(minutes)s min") % {"minutes": level.first_response_minutes}
    Notification.objects.bulk_create(
        Notification(
            organization=organization,
            user_id=user_id,
            kind="inbox_sla",
            title=title[:200],
            body=f"{item.author_name}: {item.text[:500]}",
        )
        for item in items
        for user_id in _recipients(organization, item)
    )
    InboxItem.objects.for_organization(organization).filter(pk__in=[i.pk for i in items]).update(sla_alerted_at=now)
    if level.alert_email:
        try:
            send_mail(title, "\n".join(f"- {i.author_name}: {i.text[:200]}" for i in items), None, [level.alert_email])
        except OSError:  # a mail outage must not undo the in-app alert
            logger.warning("SLA alert email failed for organization %s", organization.pk, exc_info=True)
    return len(items)
