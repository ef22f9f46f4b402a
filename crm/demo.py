"""Leads and sales for «Зерно», posted through the same upsert as the API (`upsert_leads`,
`upsert_sales`) and consistent with the demo's tracked links, posts and ad campaigns: visitors
arrive through the links' tagged URLs, a few through a campaign's name only, an unknown code, a bare
network name or no tags at all (unattributed), some with an earlier touch. Won leads have sales, one
of them refunded. Deterministic (a seeded generator, dates counted back from today); runs once (the
first demo lead present means it has run)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from ads.models import AdCampaign
from links.models import TrackedLink
from links.utm import UTM_FIELDS, slug_of
from tenancy.models import Organization

from .models import CrmSettings, Lead
from .services import upsert_leads, upsert_sales

PREFIX = "ZRN-"
DAYS = 60
# Visitors per tracked link over the period, and how many come from elsewhere.
PER_LINK = (18, 30)
BY_CAMPAIGN_NAME = 8
PLATFORM_ONLY = 10
UNATTRIBUTED = 14
STATUSES = ("new", "new", "qualified", "qualified", "won", "won", "lost")


def seed(*, organization: Organization, users: dict) -> None:
    if Lead.objects.for_organization(organization).filter(external_id__startswith=PREFIX).exists():
        return
    # The default model, stated (the settings page shows it; the row-level security test needs a row).
    CrmSettings.objects.get_or_create(organization=organization)
    leads = demo_leads(organization)
    upsert_leads(organization=organization, items=leads)
    upsert_sales(organization=organization, items=demo_sales(leads))


def demo_leads(organization: Organization) -> list[dict[str, Any]]:
    rng = random.Random(f"{organization.slug}-crm")  # noqa: S311 - demo figures, not secrets
    links = list(TrackedLink.objects.for_organization(organization).order_by("pk"))
    campaigns = list(AdCampaign.objects.for_organization(organization).order_by("pk"))
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    leads: list[dict[str, Any]] = []

    def add(tags: dict[str, str], **extra: Any) -> None:
        created = now - dt.timedelta(days=rng.randint(2, DAYS), hours=rng.randint(0, 12))
        lead: dict[str, Any] = {
            "external_id": f"{PREFIX}{len(leads) + 1:04d}",
            "created": created.isoformat(),
            "status": rng.choice(STATUSES),
            "currency": "RUB",
            **{name: value for name, value in tags.items() if value},
            **extra,
        }
        leads.append(lead)

    for link in links:
        tags = {name: getattr(link, name) for name in UTM_FIELDS}
        for _ in range(rng.randint(*PER_LINK)):
            add(tags, landing_url=link.tagged_url)
    for _ in range(BY_CAMPAIGN_NAME):
        if campaigns:
            campaign = rng.choice(campaigns)
            add({"utm_source": "vk", "utm_medium": "paid_social", "utm_campaign": slug_of(campaign.name)})
    for _ in range(PLATFORM_ONLY):
        add({"utm_source": rng.choice(("vk", "VK", "instagram", "tg"))})
    for index in range(UNATTRIBUTED):
        # No tags (word of mouth, a direct visit), or a code from an old flyer that matches nothing.
        add({"utm_content": "flyer2025"} if index % 3 == 0 else {})
    # A few leads saw a post first and converted through an ad: first touch credits the post.
    post_links = [link for link in links if link.post_id]
    paid = [lead for lead in leads if lead.get("utm_medium") == "paid_social"]
    for lead in rng.sample(paid, k=min(6, len(paid))) if post_links else []:
        first = rng.choice(post_links)
        lead["touches"] = [{"utm_source": first.utm_source, "utm_content": first.code}]
    return leads


def demo_sales(leads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rng = random.Random("zerno-crm-sales")  # noqa: S311 - demo figures, not secrets
    sales: list[dict[str, Any]] = []
    for lead in leads:
        if lead["status"] != "won":
            continue
        sold_at = dt.datetime.fromisoformat(lead["created"]) + dt.timedelta(days=rng.randint(0, 2), hours=3)
        sales.append(
            {
                "external_id": f"{PREFIX}S{len(sales) + 1:04d}",
                "lead_external_id": lead["external_id"],
                "amount": str(Decimal(rng.randrange(2500, 45000, 100))),
                "currency": "RUB",
                "sold_at": min(sold_at, timezone.now()).isoformat(),
                "refunded": False,
            }
        )
    if sales:
        sales[len(sales) // 2]["refunded"] = True  # a returned office order
    return sales
