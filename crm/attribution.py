"""Attribution: which post, ad campaign, goal and platform a lead came from (docs/attribution.md).

A lead's touches are its `touches` (earlier visits a CRM may send, oldest first) followed by its own
UTM fields and `link_code` (the visit that converted). A touch that names nothing (a direct visit)
is skipped. The organization's model picks one touch: `last_touch` (default) the last one,
`first_touch` the first one. That touch is resolved against the organization's data:

- post / campaign: `link_code`, else `utm_content`, is a `links.TrackedLink.code` → its post or
  campaign;
- campaign (when no link names one): `utm_campaign` is the slug of a campaign's name (as
  `links.utm.slug_of` derives it) or the `utm_campaign` of a tracked link of a campaign;
- goal: the post's goal, else a goal whose slug (title, or KPI when untitled) is `utm_campaign`;
- platform: `utm_source` normalised to `core.vocabulary.Platform` (an ad platform → its network),
  else the link's `utm_source`, the post's platform, the campaign's network, the lead's `platform`.

Resolution loads the organization's links, campaigns and goals once per batch (a constant number
of queries whatever the number of leads). Unattributed leads keep empty fields and are counted as
such; `reattribute_pending` retries them when posts, campaigns, goals or links appear later.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q

from ads.models import AdCampaign
from core import facts
from core.events import Event, emit_many
from core.vocabulary import Platform, network_of
from links.models import TrackedLink
from links.utm import slug_of
from strategy.models import Goal
from tenancy.models import Organization

from .models import AttributionModel, CrmSettings, Lead

TOUCH_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "link_code")
RESULT_FIELDS = ("post", "campaign", "goal", "attributed_platform", "attribution_model")
# The lead fields whose change calls for attributing it again.
SOURCE_FIELDS = frozenset({*TOUCH_FIELDS, "platform", "touches"})
PENDING = Q(post__isnull=True, campaign__isnull=True, goal__isnull=True)
BATCH = 1000

# How people and tools spell the networks in utm_source; anything else that is not a Platform
# value is left unnamed rather than guessed.
SOURCE_ALIASES = {
    "vkontakte": Platform.VK,
    "vk.com": Platform.VK,
    "vk.ru": Platform.VK,
    "tg": Platform.TELEGRAM,
    "t.me": Platform.TELEGRAM,
    "ig": Platform.INSTAGRAM,
    "insta": Platform.INSTAGRAM,
    "instagram.com": Platform.INSTAGRAM,
    "fb": Platform.FACEBOOK,
    "facebook.com": Platform.FACEBOOK,
    "meta": Platform.FACEBOOK,
}


def normalise_source(value: str | None) -> str:
    """A `utm_source` as a Platform value ("VK" → "vk", "vk_ads" → "vk"), or "" if unknown."""
    text = (value or "").strip().lower().removeprefix("www.")
    if text in Platform.values:
        return network_of(text)
    return str(SOURCE_ALIASES.get(text, ""))


@dataclass(frozen=True)
class Attribution:
    post_id: int | None = None
    campaign_id: int | None = None
    goal_id: int | None = None
    attributed_platform: str = ""
    attribution_model: str = ""

    @property
    def attributed(self) -> bool:
        return bool(self.post_id or self.campaign_id or self.goal_id or self.attributed_platform)


@dataclass(frozen=True)
class _Link:
    post_id: int | None
    post_goal_id: int | None
    post_platform: str
    campaign_id: int | None
    campaign_platform: str
    utm_source: str
    utm_campaign: str


@dataclass
class Resolver:
    """The organization's links, campaigns and goals a batch of leads may name."""

    model: str = AttributionModel.LAST_TOUCH
    links: dict[str, _Link] = field(default_factory=dict)
    campaigns: dict[str, tuple[int, str]] = field(default_factory=dict)  # slug → (id, its network)
    goals: dict[str, int] = field(default_factory=dict)  # slug → id

    @classmethod
    def load(cls, organization: Organization | int, leads: Iterable[Lead], *, model: str | None = None) -> Resolver:
        """Four queries (settings, links, campaigns, goals), whatever the number of leads."""
        touches = [touch for lead in leads for touch in touches_of(lead)]
        codes = {touch.get(name, "") for touch in touches for name in ("link_code", "utm_content")} - {""}
        slugs = {_slug(touch.get("utm_campaign")) for touch in touches} - {""}
        if model is None:
            model = attribution_model_of(organization)
        resolver = cls(model=model)
        if not codes and not slugs:
            return resolver
        link_rows = (
            TrackedLink.objects.for_organization(organization)
            .filter(Q(code__in=codes) | Q(utm_campaign__in=slugs, campaign__isnull=False))
            .values_list(
                "code",
                "post_id",
                "post__goal_id",
                "post__platform",
                "campaign_id",
                "campaign__account__platform",
                "utm_source",
                "utm_campaign",
            )
            .order_by("id")
        )
        for code, post, goal, post_platform, campaign, campaign_platform, source, utm_campaign in link_rows:
            link = _Link(post, goal, post_platform or "", campaign, campaign_platform or "", source, utm_campaign)
            resolver.links[code] = link
            if campaign and utm_campaign:
                resolver.campaigns.setdefault(_slug(utm_campaign), (campaign, network_of(campaign_platform or "")))
        # A campaign's own name outranks a link's tag that happens to equal it.
        campaign_rows = (
            AdCampaign.objects.for_organization(organization)
            .values_list("id", "name", "external_id", "account__platform")
            .order_by("id")
        )
        for pk, name, external_id, platform in campaign_rows:
            slug = slug_of(name) or slug_of(external_id)
            if slug in slugs:
                resolver.campaigns[slug] = (pk, network_of(platform))
        # The newest goal with the slug wins (a strategy's next version copies its goals).
        for pk, title, kpi in (
            Goal.objects.for_organization(organization).values_list("id", "title", "kpi").order_by("id")
        ):
            slug = slug_of(title) or kpi
            if slug in slugs:
                resolver.goals[slug] = pk
        return resolver

    def resolve(self, touch: dict[str, Any]) -> Attribution:
        link = self.links.get(touch.get("link_code") or "") or self.links.get(touch.get("utm_content") or "")
        slug = _slug(touch.get("utm_campaign")) or (_slug(link.utm_campaign) if link else "")
        post_id = link.post_id if link else None
        campaign_id, campaign_platform = (link.campaign_id, network_of(link.campaign_platform)) if link else (None, "")
        if campaign_id is None and post_id is None and slug in self.campaigns:
            campaign_id, campaign_platform = self.campaigns[slug]
        goal_id = link.post_goal_id if link and post_id else None
        if goal_id is None and campaign_id is None and slug:
            goal_id = self.goals.get(slug)
        platform = (
            normalise_source(touch.get("utm_source"))
            or (normalise_source(link.utm_source) if link else "")
            or (normalise_source(link.post_platform) if link else "")
            or campaign_platform
        )
        return Attribution(post_id, campaign_id, goal_id, platform, self.model)


def _slug(value: str | None) -> str:
    return slug_of(value or "")


def touches_of(lead: Lead) -> list[dict[str, Any]]:
    """The lead's touches in time order, the lead's own fields last; touches naming nothing dropped."""
    own = {name: getattr(lead, name) for name in TOUCH_FIELDS}
    touches = [*(lead.touches or []), own]
    return [touch for touch in touches if any(touch.get(name) for name in TOUCH_FIELDS)]


def attribution_model_of(organization: Organization | int) -> str:
    chosen = CrmSettings.objects.for_organization(organization).values_list("attribution_model", flat=True).first()
    return chosen or AttributionModel.LAST_TOUCH


def attribute(lead: Lead, resolver: Resolver) -> Attribution:
    """The attribution of one lead under the resolver's model (no query)."""
    touches = touches_of(lead)
    result = Attribution()
    if touches:
        touch = touches[0] if resolver.model == AttributionModel.FIRST_TOUCH else touches[-1]
        result = resolver.resolve(touch)
    if not result.attributed_platform and lead.platform:
        result = Attribution(
            result.post_id, result.campaign_id, result.goal_id, normalise_source(lead.platform), resolver.model
        )
    if not result.attributed:
        return Attribution()
    return result


def apply(lead: Lead, result: Attribution) -> list[str]:
    """Sets the lead's attribution fields; returns the names of those that changed."""
    changed = []
    for name in RESULT_FIELDS:
        attname = f"{name}_id" if name in ("post", "campaign", "goal") else name
        value = getattr(result, attname)
        if getattr(lead, attname) != value:
            setattr(lead, attname, value)
            changed.append(name)
    return changed


def attribute_all(
    organization: Organization | int,
    leads: Sequence[Lead],
    *,
    model: str | None = None,
    changed_leads: list[Lead] | None = None,
) -> set[str]:
    """Attributes the leads in memory (four queries for the batch); returns the changed field names
    (and appends to `changed_leads` the leads whose attribution changed)."""
    if not leads:
        return set()
    resolver = Resolver.load(organization, leads, model=model)
    changed: set[str] = set()
    for lead in leads:
        names = apply(lead, attribute(lead, resolver))
        changed.update(names)
        if names and changed_leads is not None:
            changed_leads.append(lead)
    return changed


def is_attributed(lead: Lead) -> bool:
    return bool(lead.post_id or lead.campaign_id or lead.goal_id or lead.attributed_platform)


def emit_attributed(organization: Organization | int, leads: Iterable[Lead]) -> None:
    """`lead.attributed` for each saved lead that now has an attribution (core.events)."""
    organization_id = organization if isinstance(organization, int) else organization.pk
    payloads = [
        {
            "lead_id": lead.pk,
            "external_id": lead.external_id,
            "status": lead.status,
            "post_id": lead.post_id,
            "campaign_id": lead.campaign_id,
            "goal_id": lead.goal_id,
            "platform": lead.attributed_platform,
            "attribution_model": lead.attribution_model,
        }
        for lead in leads
        if is_attributed(lead)
    ]
    emit_many(organization_id, Event.LEAD_ATTRIBUTED, payloads)


def reattribute_pending(*, organization: Organization | int, everything: bool = False) -> int:
    """Attributes again the leads not yet credited to a post, campaign or goal (or, with
    `everything`, all leads: after the model changes), in batches of 1,000. Writes only the rows
    whose result changes, so running it twice changes nothing the second time. Returns how many
    leads changed."""
    changed_total = 0
    last_id = 0
    model = attribution_model_of(organization)
    while True:
        with transaction.atomic():
            rows = Lead.objects.for_organization(organization).filter(id__gt=last_id)
            if not everything:
                rows = rows.filter(PENDING)
            batch = list(rows.select_for_update(skip_locked=True).order_by("id")[:BATCH])
            if not batch:
                return changed_total
            last_id = batch[-1].pk
            resolver = Resolver.load(organization, batch, model=model)
            changed = [lead for lead in batch if apply(lead, attribute(lead, resolver))]
            if changed:
                # updated_at is left alone: the CRM's record did not change, only what we derive from it.
                Lead.objects.bulk_update(changed, list(RESULT_FIELDS))
                emit_attributed(organization, changed)
                leads_changed(batch[0].organization_id, changed)
            changed_total += len(changed)


def leads_changed(organization_id: int, leads: Sequence[Lead], also: Iterable[Any] = ()) -> None:
    """Tells the daily rollups (`core.facts`) the days of these leads (their sales follow them
    there); `also`: former days of moved rows."""
    facts.facts_changed(Lead, organization_id, [*(lead.created for lead in leads), *also])
