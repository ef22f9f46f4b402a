"""Demo A/B tests: one concluded with a winner (a creative on CTR), one concluded inconclusive
(an audience on lead conversion), one running on CPL still collecting its sample (the demo's
campaigns; counts from their statistics and CRM leads)."""

import datetime as dt
from decimal import Decimal

from ads.models import AdCampaign
from tenancy.access import Access
from tenancy.roles import Role, role_permissions

from . import services
from .models import ABTest, ABVariant


def _counts(test: ABTest, values: list[tuple[int, int, str]]) -> None:
    for variant, (units, conversions, spend) in zip(test.variants.order_by("position"), values, strict=True):
        ABVariant.objects.for_organization(test.organization_id).filter(pk=variant.pk).update(
            units=units, conversions=conversions, spend=Decimal(spend)
        )


def seed(*, organization, users) -> None:
    access = Access(
        organization=organization, user=users["owner"], role=Role.OWNER, permissions=role_permissions(Role.OWNER)
    )
    if ABTest.objects.for_organization(organization).exists():
        return  # seeded already
    today = organization.today()
    campaigns = list(AdCampaign.objects.for_organization(organization).order_by("pk")[:2])

    creative = services.abtest_create(
        access=access,
        title="Photo of the loaf vs video of the bakery",
        hypothesis="A short video of the bakery at dawn gets more clicks than the photo of a loaf.",
        varies="creative",
        metric="ctr",
        mde_percent=Decimal(20),
        alpha=Decimal("0.05"),
        power=Decimal("0.8"),
        baseline_percent=Decimal("1.5"),
        daily_traffic=4000,
        start_date=today - dt.timedelta(days=40),
        variants=[{"name": "Photo (control)"}, {"name": "Video"}],
    )
    services.abtest_start(access=access, test=creative)
    n = creative.required_per_variant + 800
    _counts(creative, [(n, round(n * 0.015), "0"), (n, round(n * 0.0192), "0")])
    services.abtest_conclude(
        access=access,
        test=creative,
        decision="adopt",
        decision_notes="Video creatives from now on; reshoot for the spring line.",
    )

    audience = services.abtest_create(
        access=access,
        title="Office lunches: managers vs everyone 25–45",
        hypothesis="Narrowing the audience to office managers raises the share of clicks that become leads.",
        varies="audience",
        metric="lead_conversion",
        mde_percent=Decimal(30),
        alpha=Decimal("0.05"),
        power=Decimal("0.8"),
        baseline_percent=Decimal("4"),
        daily_traffic=300,
        start_date=today - dt.timedelta(days=35),
        variants=[{"name": "Everyone 25–45"}, {"name": "Office managers"}],
    )
    services.abtest_start(access=access, test=audience)
    m = audience.required_per_variant + 50
    _counts(audience, [(m, round(m * 0.040), "0"), (m, round(m * 0.042), "0")])
    services.abtest_conclude(
        access=access,
        test=audience,
        decision="drop",
        decision_notes="No proven difference; keep the broad audience, it is cheaper to run.",
    )

    # Both concluded in the last closed month, so the demo's monthly report lists them.
    ended = today.replace(day=1) - dt.timedelta(days=3)
    concluded_at = dt.datetime.combine(ended, dt.time(12), tzinfo=organization.tzinfo)
    ABTest.objects.for_organization(organization).filter(pk__in=[creative.pk, audience.pk]).update(
        end_date=ended, concluded_at=concluded_at
    )

    cpl_variants: list[services.VariantData] = [
        {"name": campaigns[0].name if campaigns else "Lead form", "campaign": campaigns[0] if campaigns else None},
        {
            "name": "Landing page" if len(campaigns) < 2 else campaigns[1].name,
            "campaign": campaigns[1] if len(campaigns) > 1 else None,
        },
    ]
    running = services.abtest_create(
        access=access,
        title="Lead form vs landing page",
        hypothesis="An instant lead form gives cheaper CRM leads than sending people to the landing page.",
        varies="objective",
        metric="cpl",
        mde_percent=Decimal(25),
        alpha=Decimal("0.05"),
        power=Decimal("0.8"),
        daily_traffic=12,
        start_date=today - dt.timedelta(days=10),
        variants=cpl_variants,
    )
    services.abtest_start(access=access, test=running)
    if any(v.get("campaign") for v in cpl_variants):
        services.abtest_refresh(access=access, test=running)
