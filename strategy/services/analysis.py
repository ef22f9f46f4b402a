"""The analysis the strategy starts from: business profile, audience segments, competitors and
their snapshots, the presence audit."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import DomainError
from tenancy.access import Access
from tenancy.roles import Perm

from ..models import (
    AudienceSegment,
    BusinessProfile,
    Competitor,
    CompetitorSnapshot,
    PresenceAudit,
)
from ._common import (
    _apply,
    _clean_and_save,
    _get,
    _validate_platforms,
)

# --- analysis ---------------------------------------------------------------------------------

PROFILE_FIELDS = {
    "product",
    "value_proposition",
    "price_segment",
    "geography",
    "sales_channels",
    "average_order_value",
    "gross_margin_percent",
    "support_contact_cost",
    "currency",
}


@transaction.atomic
def business_profile_save(*, access: Access, **fields) -> BusinessProfile:
    access.require(Perm.WRITE)
    profile = BusinessProfile.objects.for_organization(access.organization).select_for_update().first()
    if profile is None:
        profile = BusinessProfile(organization=access.organization, currency=access.organization.currency)
    _apply(profile, fields, PROFILE_FIELDS)
    _clean_and_save(profile, exclude=["organization"])
    return profile


SEGMENT_FIELDS = {"name", "demographics", "needs", "pains", "objections", "platforms", "buying_triggers"}


@transaction.atomic
def audience_segment_create(*, access: Access, **fields) -> AudienceSegment:
    access.require(Perm.WRITE)
    segment = AudienceSegment(organization=access.organization)
    fields["platforms"] = _validate_platforms(fields.get("platforms"), "platforms")
    _apply(segment, fields, SEGMENT_FIELDS)
    _clean_and_save(segment)
    return segment


@transaction.atomic
def audience_segment_update(*, access: Access, segment: AudienceSegment | int, **fields) -> AudienceSegment:
    access.require(Perm.WRITE)
    segment = _get(AudienceSegment, access, segment)
    if "platforms" in fields:
        fields["platforms"] = _validate_platforms(fields["platforms"], "platforms")
    _apply(segment, fields, SEGMENT_FIELDS)
    _clean_and_save(segment)
    return segment


@transaction.atomic
def audience_segment_delete(*, access: Access, segment: AudienceSegment | int) -> None:
    access.require(Perm.WRITE)
    _get(AudienceSegment, access, segment).delete()


COMPETITOR_FIELDS = {"name", "links", "positioning_notes", "strengths", "weaknesses"}


def _validate_links(links) -> dict[str, str]:
    links = dict(links or {})
    _validate_platforms(links.keys(), "links")
    for url in links.values():
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise DomainError(_("Links must be full addresses starting with https://"), field="links")
    return links


@transaction.atomic
def competitor_create(*, access: Access, **fields) -> Competitor:
    access.require(Perm.WRITE)
    competitor = Competitor(organization=access.organization)
    fields["links"] = _validate_links(fields.get("links"))
    _apply(competitor, fields, COMPETITOR_FIELDS)
    _clean_and_save(competitor)
    return competitor


@transaction.atomic
def competitor_update(*, access: Access, competitor: Competitor | int, **fields) -> Competitor:
    access.require(Perm.WRITE)
    competitor = _get(Competitor, access, competitor)
    if "links" in fields:
        fields["links"] = _validate_links(fields["links"])
    _apply(competitor, fields, COMPETITOR_FIELDS)
    _clean_and_save(competitor)
    return competitor


@transaction.atomic
def competitor_delete(*, access: Access, competitor: Competitor | int) -> None:
    access.require(Perm.WRITE)
    _get(Competitor, access, competitor).delete()


@transaction.atomic
def competitor_snapshot_record(
    *,
    access: Access,
    competitor: Competitor | int,
    platform: str,
    date: dt.date,
    followers: int | None = None,
    engagement_rate: Decimal | None = None,
) -> CompetitorSnapshot:
    """Upsert by (competitor, platform, date): typing the same day twice corrects it."""
    access.require(Perm.WRITE)
    competitor = _get(Competitor, access, competitor)
    _validate_platforms([platform], "platform")
    snapshot = CompetitorSnapshot.objects.filter(
        organization=access.organization, competitor=competitor, platform=platform, date=date
    ).first() or CompetitorSnapshot(
        organization=access.organization, competitor=competitor, platform=platform, date=date
    )
    snapshot.followers = followers
    snapshot.engagement_rate = engagement_rate
    _clean_and_save(snapshot, exclude=["organization", "competitor"])
    return snapshot


@transaction.atomic
def competitor_snapshot_delete(*, access: Access, snapshot: CompetitorSnapshot | int) -> None:
    access.require(Perm.WRITE)
    _get(CompetitorSnapshot, access, snapshot).delete()


AUDIT_FIELDS = {
    "platform",
    "date",
    "followers",
    "average_reach",
    "engagement_rate",
    "posts_per_week",
    "response_time_minutes",
    "notes",
}


@transaction.atomic
def presence_audit_create(*, access: Access, **fields) -> PresenceAudit:
    access.require(Perm.WRITE)
    audit = PresenceAudit(organization=access.organization)
    _apply(audit, fields, AUDIT_FIELDS)
    _clean_and_save(audit)
    return audit


@transaction.atomic
def presence_audit_update(*, access: Access, audit: PresenceAudit | int, **fields) -> PresenceAudit:
    access.require(Perm.WRITE)
    audit = _get(PresenceAudit, access, audit)
    _apply(audit, fields, AUDIT_FIELDS)
    _clean_and_save(audit)
    return audit


@transaction.atomic
def presence_audit_delete(*, access: Access, audit: PresenceAudit | int) -> None:
    access.require(Perm.WRITE)
    _get(PresenceAudit, access, audit).delete()
