"""Demo A/B tests: one concluded with a winner (a creative on CTR), one concluded inconclusive
(an audience on lead conversion), one running on CPL still collecting its sample (the demo's
campaigns; counts from their statistics and CRM leads)."""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from ads.models import AdCampaign
from tenancy.access import Access
from tenancy.roles import Role, role_permissions

from . import services
from .models import ABTest


def creative_ctr_plan(
    *, access: Access, title: str, hypothesis: str, variants: Sequence[str], start_date: dt.date | None = None
) -> ABTest:
    """A creative test on CTR planned to detect a 20 % lift over a 1.5 % baseline at 4,000 a day
    (the demo's first test, and the one the tests of concluded tests plan)."""
    return services.abtest_create(
        access=access,
        title=title,
        hypothesis=hypothesis,
        varies="creative",
        metric="ctr",
        mde_percent=Decimal(20),
        alpha=Decimal("0.05"),
        power=Decimal("0.8"),
        baseline_percent=Decimal("1.5"),
        daily_traffic=4000,
        variants=[{"name": name} for name in variants],
        **({"start_date": start_date} if start_date else {}),
    )


def run_and_conclude(
    *,
    access: Access,
    test: ABTest,
    values: list[tuple[int, int, Decimal]],
    decision: str,
    notes: str,
    concluded_at: dt.datetime | None = None,
    end_date: dt.date | None = None,
) -> ABTest:
    """Start the test, enter each variant's (units, conversions, spend) in order, conclude it; dated
    `concluded_at` (and ended `end_date`) when given, as a test finished in the past."""
    services.abtest_start(access=access, test=test)
    variants = list(test.variants.order_by("position"))
    counts: dict[int, services.CountsData] = {
        v.pk: {"units": u, "conversions": c, "spend": spend} for v, (u, c, spend) in zip(variants, values, strict=True)
    }
    services.abtest_counts_set(access=access, test=test, counts=counts)
    services.abtest_conclude(access=access, test=test, decision=decision, decision_notes=notes)
    dated: dict[str, object] = {"concluded_at": concluded_at} if concluded_at else {}
    if end_date:
        dated["end_date"] = end_date
    rows = ABTest.objects.for_organization(test.organization_id).filter(pk=test.pk)
    if dated:
        rows.update(**dated)
    return rows.get()


def seed(*, organization, users) -> None:
    access = Access(
        organization=organization, user=users["owner"], role=Role.OWNER, permissions=role_permissions(Role.OWNER)
    )
    if ABTest.objects.for_organization(organization).exists():
        return  # seeded already
    today = organization.today()
    campaigns = list(AdCampaign.objects.for_organization(organization).order_by("pk")[:2])

    # Both concluded in the last closed month, so the demo's monthly report lists them.
    ended = today.replace(day=1) - dt.timedelta(days=3)
    concluded_at = dt.datetime.combine(ended, dt.time(12), tzinfo=organization.tzinfo)
    creative = creative_ctr_plan(
        access=access,
        title="Photo of the loaf vs video of the bakery",
        hypothesis="A short video of the bakery at dawn gets more clicks than the photo of a loaf.",
        variants=["Photo (control)", "Video"],
        start_date=today - dt.timedelta(days=40),
    )
    n = creative.required_per_variant + 800
    run_and_conclude(
        access=access,
        test=creative,
        values=[(n, round(n * 0.015), Decimal(0)), (n, round(n * 0.0192), Decimal(0))],
        decision="adopt",
        notes="Video creatives from now on; reshoot for the spring line.",
        concluded_at=concluded_at,
        end_date=ended,
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
    m = audience.required_per_variant + 50
    run_and_conclude(
        access=access,
        test=audience,
        values=[(m, round(m * 0.040), Decimal(0)), (m, round(m * 0.042), Decimal(0))],
        decision="drop",
        notes="No proven difference; keep the broad audience, it is cheaper to run.",
        concluded_at=concluded_at,
        end_date=ended,
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
