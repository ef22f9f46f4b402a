"""Writes of A/B tests: plan (the calculator fixes the sample up front), start, counts, conclude.

The design — what varies, the primary metric, the effect, significance level and power, hence the
planned sample — is fixed when the test starts: changing the yardstick after seeing data is how
tests lie. A winner can be recorded only at the planned sample (see ``stats.evaluate``); a test
stopped earlier concludes as inconclusive.
"""

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Final, TypedDict, Unpack

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ads.models import AdCampaign
from analytics.models import SocialPost
from core.dates import check_date_in_range
from core.errors import Conflict, DomainError
from core.services import clean_and_save, fields_of, model_update
from tenancy.access import Access
from tenancy.roles import Perm
from tenancy.scoping import get_for_organization
from tenancy.services import audit_log_record

from . import selectors, stats
from .models import ABTest, ABVariant, Metric
from .planning import MAX_VARIANTS, Plan, plan_sample


class ABTestData(TypedDict, total=False):
    title: str
    hypothesis: str
    varies: str
    metric: str
    mde_percent: Decimal
    alpha: Decimal
    power: Decimal
    baseline_percent: Decimal | None
    daily_traffic: int | None
    start_date: dt.date | None
    end_date: dt.date | None


class VariantData(TypedDict, total=False):
    name: str
    campaign: AdCampaign | None
    post: SocialPost | None


class CountsData(TypedDict, total=False):
    units: int
    conversions: int
    spend: Decimal


ABTEST_FIELDS: Final = fields_of(ABTestData)
VARIANT_FIELDS: Final = fields_of(VariantData)
COUNT_FIELDS: Final = fields_of(CountsData)
# Fixed once the test runs.
DESIGN_FIELDS: Final = ("varies", "metric", "mde_percent", "alpha", "power", "baseline_percent", "daily_traffic")


def _get(access: Access, test: ABTest | int) -> ABTest:
    return get_for_organization(ABTest, access.organization, test)


def _validate_dates(test: ABTest) -> None:
    check_date_in_range(test.start_date, field="start_date")
    check_date_in_range(test.end_date, field="end_date")
    if test.start_date and test.end_date and test.end_date < test.start_date:
        raise DomainError(_("The test must end after it starts."), field="end_date")


def _plan(test: ABTest, variants: int) -> Plan:
    return plan_sample(
        metric=test.metric,
        mde_percent=test.mde_percent,
        alpha=test.alpha,
        power=test.power,
        baseline_percent=test.baseline_percent,
        daily_traffic=test.daily_traffic,
        variants=variants,
    )


def _apply_plan(test: ABTest, variants: int) -> None:
    plan = _plan(test, variants)
    test.required_per_variant = plan.required_per_variant
    test.planned_days = plan.days


def _clean_variants(access: Access, test: ABTest, variants: Sequence[VariantData]) -> list[ABVariant]:
    if not 2 <= len(variants) <= MAX_VARIANTS:
        raise DomainError(
            _("A test has from 2 to %(n)d variants: the control first, then the challengers.") % {"n": MAX_VARIANTS},
            field="variants",
        )
    rows: list[ABVariant] = []
    names: set[str] = set()
    for position, data in enumerate(variants):
        unknown = set(data) - set(VARIANT_FIELDS)
        if unknown:
            raise DomainError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))}, field="variants")
        name = (data.get("name") or "").strip()
        if not name:
            raise DomainError(_("Name every variant."), field="variants")
        if name.casefold() in names:
            raise DomainError(_("Two variants are called «%(name)s».") % {"name": name}, field="variants")
        names.add(name.casefold())
        campaign, post = data.get("campaign"), data.get("post")
        if campaign is not None and post is not None:
            raise DomainError(_("Link a variant to a campaign or to a post, not both."), field="variants")
        if campaign is not None:
            campaign = get_for_organization(AdCampaign, access.organization, campaign)
        if post is not None:
            post = get_for_organization(SocialPost, access.organization, post)
            if test.metric != Metric.CTR:
                raise DomainError(
                    _("A post's statistics give its CTR only; for leads enter the counts by hand."), field="variants"
                )
        rows.append(
            ABVariant(
                organization=access.organization, test=test, position=position, name=name, campaign=campaign, post=post
            )
        )
    return rows


def _fill_from_control(access: Access, test: ABTest, control: ABVariant) -> None:
    """The planner's defaults from current traffic: the control campaign's trailing window."""
    if control.campaign_id is None or (test.baseline_percent is not None and test.daily_traffic is not None):
        return
    traffic = selectors.current_traffic(
        organization=access.organization,
        campaign_id=control.campaign_id,
        metric=test.metric,
        end=access.organization.today(),
    )
    if test.baseline_percent is None and test.metric != Metric.CPL:
        test.baseline_percent = traffic.baseline_percent
    if test.daily_traffic is None:
        test.daily_traffic = traffic.daily_traffic


@transaction.atomic
def abtest_create(*, access: Access, variants: Sequence[VariantData], **data: Unpack[ABTestData]) -> ABTest:
    access.require(Perm.WRITE)
    test = ABTest(organization=access.organization, created_by=access.user, currency=access.organization.currency)
    rows: list[ABVariant] = []

    def validate(t: ABTest) -> None:
        _validate_dates(t)
        if t.metric not in Metric.values:
            raise DomainError(_("Choose the primary metric."), field="metric")
        rows.extend(_clean_variants(access, t, variants))
        _fill_from_control(access, t, rows[0])
        _apply_plan(t, len(rows))

    model_update(instance=test, data=data, fields=ABTEST_FIELDS, validate=validate)
    for row in rows:
        row.test = test
        clean_and_save(row)
    return test


@transaction.atomic
def abtest_update(*, access: Access, test: ABTest | int, **data: Unpack[ABTestData]) -> ABTest:
    access.require(Perm.WRITE)
    row = _get(access, test)
    if row.status == ABTest.Status.CONCLUDED:
        raise Conflict(_("A concluded test cannot be changed."))
    if row.status == ABTest.Status.RUNNING:
        given: Mapping[str, Any] = data
        moved = [k for k in DESIGN_FIELDS if k in given and given[k] != getattr(row, k)]
        if moved:
            raise Conflict(
                _("The metric, effect, significance level and power were fixed when the test started."),
                field=moved[0],
            )
    variants = ABVariant.objects.for_organization(access.organization).filter(test=row).count()

    def validate(t: ABTest) -> None:
        _validate_dates(t)
        if t.status == ABTest.Status.PLANNED:
            _apply_plan(t, variants)

    return model_update(instance=row, data=data, fields=ABTEST_FIELDS, validate=validate)[0]


@transaction.atomic
def abtest_start(*, access: Access, test: ABTest | int) -> ABTest:
    access.require(Perm.WRITE)
    row = _get(access, test)
    if row.status != ABTest.Status.PLANNED:
        raise Conflict(_("Only a planned test can be started."))
    row.status = ABTest.Status.RUNNING
    row.start_date = row.start_date or access.organization.today()
    clean_and_save(row)
    return row


def _variants(access: Access, test: ABTest) -> list[ABVariant]:
    return list(ABVariant.objects.for_organization(access.organization).filter(test=test).order_by("position"))


@transaction.atomic
def abtest_counts_set(*, access: Access, test: ABTest | int, counts: Mapping[int, CountsData]) -> ABTest:
    """Counts entered by hand for variants that are not linked to a campaign or a post."""
    access.require(Perm.WRITE)
    row = _get(access, test)
    if row.status != ABTest.Status.RUNNING:
        raise Conflict(_("Counts are entered while the test runs."))
    by_id = {v.pk: v for v in _variants(access, row)}
    now = timezone.now()
    for variant_id, data in counts.items():
        variant = by_id.get(variant_id)
        if variant is None:
            raise DomainError(_("This variant is not part of the test."), field="variants")
        if variant.linked:  # the variant's state refuses hand-entered counts
            raise Conflict(
                _("«%(name)s» takes its counts from the linked campaign or post.") % {"name": variant.name},
                field="variants",
            )
        unknown = set(data) - set(COUNT_FIELDS)
        if unknown:
            raise DomainError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))}, field="variants")
        for name, value in data.items():
            setattr(variant, name, value)
        if row.metric != Metric.CPL and variant.conversions > variant.units:
            raise DomainError(
                _("«%(name)s»: there cannot be more conversions than the units they come from.")
                % {"name": variant.name},
                field="conversions",
            )
        variant.counts_updated_at = now
        clean_and_save(variant)
    return row


@transaction.atomic
def abtest_refresh(*, access: Access, test: ABTest | int) -> ABTest:
    """Counts of the linked variants from ad statistics, CRM leads and post metrics over the test's
    dates (to today while it runs)."""
    access.require(Perm.WRITE)
    row = _get(access, test)
    if row.status != ABTest.Status.RUNNING or row.start_date is None:
        raise Conflict(_("Counts are refreshed while the test runs."))
    today = access.organization.today()
    end = min(row.end_date, today) if row.end_date else today
    variants = _variants(access, row)
    counts = selectors.linked_counts(
        organization=access.organization, test=row, variants=variants, start=row.start_date, end=end
    )
    now = timezone.now()
    for variant in variants:
        if variant.pk in counts:
            c = counts[variant.pk]
            variant.units, variant.conversions, variant.spend = c.units, c.conversions, Decimal(str(c.spend))
            variant.counts_updated_at = now
            variant.save(update_fields=["units", "conversions", "spend", "counts_updated_at"])
    return row


def evaluation_json(evaluation: stats.Evaluation, variants: Sequence[ABVariant]) -> dict[str, Any]:
    """The evaluation as JSON, with the variants' names and counts: what a concluded test freezes."""
    data = dataclasses.asdict(evaluation)
    data["metric"] = str(evaluation.metric)
    data["verdict"] = str(evaluation.verdict)
    data["variants"] = [
        {"id": v.pk, "name": v.name, "units": v.units, "conversions": v.conversions, "spend": str(v.spend)}
        for v in variants
    ]
    return data


@transaction.atomic
def abtest_conclude(*, access: Access, test: ABTest | int, decision: str, decision_notes: str = "") -> ABTest:
    """Records the verdict of the stored counts and the team's decision. Before the planned sample
    the verdict is "inconclusive" (stopped early) whatever the data show, and nothing can be adopted."""
    access.require(Perm.WRITE)
    row = get_for_organization(ABTest, access.organization, test, lock=True)
    if row.status != ABTest.Status.RUNNING:
        raise Conflict(_("Only a running test can be concluded."))
    if decision not in ABTest.Decision.values:
        raise DomainError(_("Decide: adopt, drop or extend."), field="decision")
    variants = _variants(access, row)
    evaluation = selectors.abtest_evaluation(row, variants)
    if evaluation is None:
        raise Conflict(_("A test needs at least two variants."))
    winner = evaluation.winner if evaluation.verdict == stats.Verdict.WINNER else None
    if decision == ABTest.Decision.ADOPT and (winner is None or winner == 0):
        raise Conflict(
            _("There is no winning challenger to adopt: drop the change or extend the test."), field="decision"
        )
    row.verdict = ABTest.Verdict.WINNER if winner is not None else ABTest.Verdict.INCONCLUSIVE
    row.winner_position = winner
    row.winner_name = variants[winner].name if winner is not None else ""
    row.decision = decision
    row.decision_notes = decision_notes.strip()
    row.result = evaluation_json(evaluation, variants) | {"stopped_early": not evaluation.sample_reached}
    row.status = ABTest.Status.CONCLUDED
    row.concluded_at = timezone.now()
    row.end_date = row.end_date or access.organization.today()
    if row.start_date and row.end_date < row.start_date:
        row.end_date = row.start_date
    clean_and_save(row)
    audit_log_record(
        access=access,
        action="abtest.conclude",
        obj=row,
        changes={"verdict": row.verdict, "winner": row.winner_name, "decision": decision},
    )
    return row


@transaction.atomic
def abtest_delete(*, access: Access, test: ABTest | int) -> None:
    access.require(Perm.WRITE)
    row = _get(access, test)
    if row.status == ABTest.Status.CONCLUDED:
        raise Conflict(_("A concluded test is kept for reports and cannot be deleted."))
    row.delete()
