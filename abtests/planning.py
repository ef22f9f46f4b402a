"""The planner's calculator: the sample each variant needs and how long it takes at the current
traffic (abtests/stats.py does the arithmetic; this module speaks the model's units and errors)."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from core.errors import DomainError

from . import stats
from .models import Metric

MAX_VARIANTS = 4
# More than this per variant is no test a business can run (and would not fit the column).
MAX_SAMPLE = 1_000_000_000


@dataclass(frozen=True)
class Plan:
    required_per_variant: int  # impressions (CTR), clicks (lead conversion) or leads (CPL)
    total: int
    days: int | None  # None when the traffic a day is unknown


def plan_sample(
    *,
    metric: str,
    mde_percent: Decimal | None,
    alpha: Decimal | None,
    power: Decimal | None,
    baseline_percent: Decimal | None,
    daily_traffic: int | None,
    variants: int,
) -> Plan:
    """Raises DomainError naming the field when the plan cannot be computed."""
    if mde_percent is None or mde_percent <= 0:
        raise DomainError(_("Enter the minimum detectable effect."), field="mde_percent")
    if alpha is None or not Decimal("0.001") <= alpha <= Decimal("0.2"):
        raise DomainError(_("The significance level must be between 0.001 and 0.2."), field="alpha")
    if power is None or not Decimal("0.5") <= power <= Decimal("0.99"):
        raise DomainError(_("The power must be between 0.5 and 0.99."), field="power")
    if not 2 <= variants <= MAX_VARIANTS:
        raise DomainError(_("A test has from 2 to %(n)d variants.") % {"n": MAX_VARIANTS}, field="variants")
    mde = float(mde_percent) / 100
    # Each challenger is compared with the control at α / (k − 1) (Bonferroni): plan for it.
    alpha_each = float(alpha) / (variants - 1)
    if metric == Metric.CPL:
        if mde >= 1:
            raise DomainError(
                _("A lead cannot get cheaper by 100 percent or more: enter less than 100."), field="mde_percent"
            )
        per_variant = stats.cpl_sample_size(mde=mde, alpha=alpha_each, power=float(power))
    else:
        if baseline_percent is None:
            raise DomainError(
                _("Enter the current rate or link the control to a campaign with statistics."),
                field="baseline_percent",
            )
        if not Decimal(0) < baseline_percent < Decimal(100):
            raise DomainError(_("The current rate must be above 0 and below 100 %."), field="baseline_percent")
        baseline = float(baseline_percent) / 100
        if baseline * (1 + mde) >= 1:
            raise DomainError(
                _("The current rate plus the effect exceeds 100 %: choose a smaller effect."), field="mde_percent"
            )
        per_variant = stats.proportion_sample_size(baseline=baseline, mde=mde, alpha=alpha_each, power=float(power))
    if per_variant > MAX_SAMPLE:
        raise DomainError(
            _("An effect this small needs more than a billion per variant: plan for a larger effect."),
            field="mde_percent",
        )
    return Plan(
        required_per_variant=per_variant,
        total=per_variant * variants,
        days=stats.duration_days(per_variant=per_variant, variants=variants, daily_traffic=daily_traffic),
    )
