"""The analysis the strategy starts from: business profile, audience segments, competitors and
their snapshots, the presence audit."""

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Final, TypedDict, Unpack

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.services import clean_and_save, fields_of, model_update
from tenancy.access import Access
from tenancy.roles import Perm

from ..models import (
    AudienceSegment,
    BusinessProfile,
    Competitor,
    CompetitorSnapshot,
    PresenceAudit,
    SnapshotSource,
)
from ._common import (
    _delete_own,
    _get,
    _validate_platforms,
)

# --- analysis ---------------------------------------------------------------------------------
# Each entity's input is a TypedDict: the keyword arguments its services accept (all optional, so
# an update names only what changes) and, through `fields_of`, the field list its form and
# serializer share.


class ProfileData(TypedDict, total=False):
    product: str
    value_proposition: str
    price_segment: str
    geography: str
    sales_channels: str
    average_order_value: Decimal | None
    gross_margin_percent: Decimal | None
    support_contact_cost: Decimal | None
    currency: str


PROFILE_FIELDS: Final = fields_of(ProfileData)


@transaction.atomic
def business_profile_save(*, access: Access, **data: Unpack[ProfileData]) -> BusinessProfile:
    access.require(Perm.WRITE)
    profile = BusinessProfile.objects.for_organization(access.organization).select_for_update().first()
    if profile is None:
        profile = BusinessProfile(organization=access.organization, currency=access.organization.currency)
    model_update(instance=profile, data=data, fields=PROFILE_FIELDS, exclude=["organization"])
    return profile


class SegmentData(TypedDict, total=False):
    name: str
    demographics: str
    needs: str
    pains: str
    objections: str
    platforms: list[str]
    buying_triggers: str


SEGMENT_FIELDS: Final = fields_of(SegmentData)


def _validate_segment(segment: AudienceSegment) -> None:
    segment.platforms = _validate_platforms(segment.platforms, "platforms")


@transaction.atomic
def audience_segment_create(*, access: Access, **data: Unpack[SegmentData]) -> AudienceSegment:
    access.require(Perm.WRITE)
    segment = AudienceSegment(organization=access.organization)
    return model_update(instance=segment, data=data, fields=SEGMENT_FIELDS, validate=_validate_segment)[0]


@transaction.atomic
def audience_segment_update(
    *, access: Access, segment: AudienceSegment | int, **data: Unpack[SegmentData]
) -> AudienceSegment:
    access.require(Perm.WRITE)
    row = _get(AudienceSegment, access, segment)
    return model_update(instance=row, data=data, fields=SEGMENT_FIELDS, validate=_validate_segment)[0]


@transaction.atomic
def audience_segment_delete(*, access: Access, segment: AudienceSegment | int) -> None:
    _delete_own(access, AudienceSegment, segment)


class CompetitorData(TypedDict, total=False):
    name: str
    links: dict[str, str]
    positioning_notes: str
    strengths: str
    weaknesses: str


COMPETITOR_FIELDS: Final = fields_of(CompetitorData)


def _validate_links(links: Mapping[str, object] | None) -> dict[str, str]:
    checked: dict[str, str] = {}
    _validate_platforms((links or {}).keys(), "links")
    for platform, url in (links or {}).items():
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise DomainError(_("Links must be full addresses starting with https://"), field="links")
        checked[platform] = url
    return checked


def _validate_competitor(competitor: Competitor) -> None:
    competitor.links = _validate_links(competitor.links)


@transaction.atomic
def competitor_create(*, access: Access, **data: Unpack[CompetitorData]) -> Competitor:
    access.require(Perm.WRITE)
    competitor = Competitor(organization=access.organization)
    return model_update(instance=competitor, data=data, fields=COMPETITOR_FIELDS, validate=_validate_competitor)[0]


@transaction.atomic
def competitor_update(*, access: Access, competitor: Competitor | int, **data: Unpack[CompetitorData]) -> Competitor:
    access.require(Perm.WRITE)
    row = _get(Competitor, access, competitor)
    return model_update(instance=row, data=data, fields=COMPETITOR_FIELDS, validate=_validate_competitor)[0]


@transaction.atomic
def competitor_delete(*, access: Access, competitor: Competitor | int) -> None:
    _delete_own(access, Competitor, competitor)


@transaction.atomic
def competitor_snapshot_record(
    *,
    access: Access,
    competitor: Competitor | int,
    platform: str,
    date: dt.date,
    followers: int | None = None,
    engagement_rate: Decimal | None = None,
    posts_per_week: Decimal | None = None,
    average_reactions: Decimal | None = None,
) -> CompetitorSnapshot:
    """Upsert by (competitor, platform, date): typing the same day twice corrects it, and a typed
    figure replaces the automatic one of that day (the row becomes "typed in")."""
    access.require(Perm.WRITE)
    row = _get(Competitor, access, competitor)
    _validate_platforms([platform], "platform")
    snapshot = CompetitorSnapshot.objects.filter(
        organization=access.organization, competitor=row, platform=platform, date=date
    ).first() or CompetitorSnapshot(organization=access.organization, competitor=row, platform=platform, date=date)
    snapshot.followers = followers
    snapshot.engagement_rate = engagement_rate
    snapshot.posts_per_week = posts_per_week
    snapshot.average_reactions = average_reactions
    snapshot.source = SnapshotSource.MANUAL
    clean_and_save(snapshot, exclude=["organization", "competitor"])
    return snapshot


@transaction.atomic
def competitor_snapshot_delete(*, access: Access, snapshot: CompetitorSnapshot | int) -> None:
    _delete_own(access, CompetitorSnapshot, snapshot)


class AuditData(TypedDict, total=False):
    platform: str
    date: dt.date
    followers: int
    average_reach: int
    engagement_rate: Decimal
    posts_per_week: Decimal
    response_time_minutes: int | None
    notes: str


AUDIT_FIELDS: Final = fields_of(AuditData)


@transaction.atomic
def presence_audit_create(*, access: Access, **data: Unpack[AuditData]) -> PresenceAudit:
    access.require(Perm.WRITE)
    audit = PresenceAudit(organization=access.organization)
    return model_update(instance=audit, data=data, fields=AUDIT_FIELDS)[0]


@transaction.atomic
def presence_audit_update(*, access: Access, audit: PresenceAudit | int, **data: Unpack[AuditData]) -> PresenceAudit:
    access.require(Perm.WRITE)
    row = _get(PresenceAudit, access, audit)
    return model_update(instance=row, data=data, fields=AUDIT_FIELDS)[0]


@transaction.atomic
def presence_audit_delete(*, access: Access, audit: PresenceAudit | int) -> None:
    _delete_own(access, PresenceAudit, audit)
