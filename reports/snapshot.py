"""The figures of a report, computed once and frozen as JSON (`Report.snapshot`).

Every KPI comes from the KPI engine (`analytics.kpi_engine.kpi_rows`) over the report's period —
the same call `GET kpis/` makes — so the report, the dashboard and the API agree for the same
period. Goals use the dashboard's goal progress measured at the period's end. Decimals are kept
as strings so that JSON does not turn money into floats.
"""

import datetime as dt
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from abtests.models import ABTest
from abtests.selectors import concluded_abtests
from ads.models import AdStatDaily
from ads.selectors import campaign_performance_list
from analytics.insights import Insight, find_insights
from analytics.kpi_engine import kpi_rows
from analytics.kpi_sources import Dimension
from analytics.kpi_values import goals_progress
from analytics.models import SocialPost
from analytics.recommendations import CampaignResult, GoalStatus, Recommendation, goal_status, recommend
from core.formatting import goal_forecast
from core.kpis import CATALOG, PROGRESS_STATUS_LABELS, ProgressStatus, kpi_get
from crm.selectors import attribution_report
from moderation.models import InboxItem
from strategy.launch_gate import current_strategy
from strategy.selectors import experiment_concluded_list
from tenancy.models import Organization

from .frame import insight_frame
from .periods import previous_period

# Business KPIs first: what the owner reads before anything about reach.
TABLE_FIRST = ("leads", "sales", "revenue", "cpl", "romi", "support_savings")
TREND_KPIS = ("leads", "reach", "site_clicks")
# Insights need enough posts to be certain; a month has ~20 posts, so they are found over the
# posts of the last 13 weeks up to the period's end (docs/reports.md).
INSIGHT_WINDOW_DAYS = 91

Json = dict[str, Any]


def _s(value: Decimal | int | None) -> str | None:
    return None if value is None else str(value)


def default_kpis(*, organization: Organization, on: dt.date) -> list[str]:
    """The approved strategy's goals' KPIs (the agreed KPIs until the organization edits them)."""
    strategy = current_strategy(organization=organization, on=on)
    if strategy is None:
        return []
    return list(dict.fromkeys(strategy.goals.order_by("id").values_list("kpi", flat=True)))


def kpi_table(
    *, organization: Organization, start: dt.date, end: dt.date, agreed: list[str]
) -> tuple[list[Json], tuple[dt.date, dt.date]]:
    """Every catalog KPI over the period and the previous one; agreed KPIs first, then business ones."""
    keys = [kpi.key for kpi in CATALOG]
    order = list(dict.fromkeys([*agreed, *TABLE_FIRST, *keys]))
    prev_start, prev_end = previous_period(start, end)
    (current,) = kpi_rows(organization=organization, kpis=keys, start=start, end=end)
    (previous,) = kpi_rows(organization=organization, kpis=keys, start=prev_start, end=prev_end)
    rows = []
    for key in order:
        kpi = kpi_get(key)
        if kpi is None:
            continue
        rows.append(
            {
                "key": key,
                "name": str(kpi.name),
                "unit": str(kpi.unit),
                "higher_is_better": kpi.higher_is_better,
                "agreed": key in agreed,
                "current": _s(current.values[key].value),
                "previous": _s(previous.values[key].value),
            }
        )
    return rows, (prev_start, prev_end)


def goals_section(*, organization: Organization, end: dt.date) -> tuple[list[Json], list[GoalStatus]]:
    strategy = current_strategy(organization=organization, on=end)
    if strategy is None:
        return [], []
    goals = strategy.goals.select_related("strategy").order_by("deadline", "id")
    rows, statuses = [], []
    for item in goals_progress(organization=organization, goals=goals, today=end):
        goal, progress = item.goal, item.progress
        kpi = kpi_get(goal.kpi)  # type: ignore[attr-defined]
        title = goal.title or (str(kpi.name) if kpi else goal.kpi)  # type: ignore[attr-defined]
        statuses.append(goal_status(kpi=goal.kpi, target=goal.target, progress=progress, title=title))  # type: ignore[attr-defined]
        rows.append(
            {
                "title": title,
                "kpi": goal.kpi,  # type: ignore[attr-defined]
                "unit": str(kpi.unit) if kpi else "",
                "baseline": _s(goal.baseline),  # type: ignore[attr-defined]
                "target": _s(goal.target),  # type: ignore[attr-defined]
                "deadline": goal.deadline.isoformat(),  # type: ignore[attr-defined]
                "actual": _s(progress.current) if progress else None,
                "status": str(progress.status) if progress else "no_data",
                "status_label": progress.status_label
                if progress
                else str(PROGRESS_STATUS_LABELS[ProgressStatus.NO_DATA]),
                "percent_of_target": _s(progress.percent_of_target) if progress else None,
                "forecast": _s(goal_forecast(goal.kpi, progress.projected_value)) if progress else None,  # type: ignore[attr-defined]
            }
        )
    return rows, statuses


def contribution_section(*, organization: Organization, start: dt.date, end: dt.date, table: list[Json]) -> Json:
    """Leads, sales and revenue attributed to social media (a post, a campaign, a goal or a
    platform) against all of them, with the unattributed share; support savings from the KPI table."""
    report = attribution_report(organization=organization, start=start, end=end, by="platform")
    unattributed = next(row for row in report.rows if row.unattributed)
    totals: dict[str, Decimal] = {
        "leads": Decimal(sum(row.leads for row in report.rows)),
        "sales": Decimal(sum(row.sales for row in report.rows)),
        "revenue": sum((row.revenue for row in report.rows), Decimal(0)),
    }
    missing: dict[str, Decimal] = {
        "leads": Decimal(unattributed.leads),
        "sales": Decimal(unattributed.sales),
        "revenue": unattributed.revenue,
    }
    section: Json = {}
    for key, total in totals.items():
        rest = missing[key]
        section[key] = {
            "total": _s(total),
            "attributed": _s(total - rest),
            "unattributed": _s(rest),
            "unattributed_percent": _s(round(rest * 100 / total, 1)) if total else None,
        }
    savings = next((row["current"] for row in table if row["key"] == "support_savings"), None)
    section["savings"] = {"total": savings}
    return section


def activity_section(*, organization: Organization, start: dt.date, end: dt.date) -> Json:
    tz = organization.tzinfo
    since = timezone.make_aware(dt.datetime.combine(start, dt.time.min), tz)
    until = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min), tz)
    posts = SocialPost.objects.filter(organization=organization, published_at__gte=since, published_at__lt=until)
    replies = InboxItem.objects.filter(
        organization=organization, is_from_account=True, created_at__gte=since, created_at__lt=until
    )
    campaigns = (
        AdStatDaily.objects.filter(organization=organization, day__gte=start, day__lte=end)
        .aggregate(n=Count("campaign", distinct=True, filter=Q(campaign__isnull=False)))
        .get("n")
    )
    return {"posts": posts.count(), "replies": replies.count(), "campaigns": campaigns or 0}


def _campaign_results(*, organization: Organization, start: dt.date, end: dt.date) -> list[CampaignResult]:
    results = []
    for campaign in campaign_performance_list(organization=organization, start=start, end=end):
        spend = getattr(campaign, "spend_total", None)
        if not spend:
            continue
        results.append(
            CampaignResult(
                name=campaign.name,
                spend=spend,
                leads=getattr(campaign, "leads_total", None),
                revenue=getattr(campaign, "revenue_total", None),
                campaign_id=campaign.pk,
            )
        )
    return results


def _insight_json(insight: Insight) -> Json:
    return asdict(insight)


def _recommendation_json(recommendation: Recommendation, insights: list[Insight]) -> Json:
    evidence: list[str] = []
    tied: list[int] = []
    for item in recommendation.evidence:
        if isinstance(item, Insight):
            evidence.append(item.evidence)
            tied.extend(i for i, found in enumerate(insights) if found == item)
        elif isinstance(item, GoalStatus):
            label = PROGRESS_STATUS_LABELS.get(ProgressStatus(item.status), item.status)
            evidence.append(_("Goal “%(name)s”: %(status)s") % {"name": item.name, "status": str(label)})
        else:
            evidence.append(_("Campaign “%(name)s”") % {"name": item.name})
    return {"action": str(recommendation.action), "text": recommendation.text, "evidence": evidence, "insights": tied}


def _percent(value: Any) -> str | None:
    """A frozen relative change (0.25) as a percent string ("25.0")."""
    return None if value is None else str(round(Decimal(str(value)) * 100, 1))


def _abtest_comparison(test: ABTest) -> Json | None:
    """The comparison the report quotes from the frozen result: the winning challenger's, or the
    only challenger's when the test had two variants; None when the result has neither."""
    comparisons = (test.result or {}).get("comparisons") or []
    variants = (test.result or {}).get("variants") or []
    if test.winner_position:
        index: int | None = test.winner_position
    else:
        present = [i for i, c in enumerate(comparisons) if c]
        index = present[0] if len(present) == 1 else None
    if index is None or index >= len(comparisons) or not comparisons[index]:
        return None
    c = comparisons[index]
    p_value = c.get("p_value")
    return {
        "variant": variants[index]["name"] if index < len(variants) else "",
        "lift": _percent(c.get("lift")),
        "lift_low": _percent(c.get("lift_low")),
        "lift_high": _percent(c.get("lift_high")),
        "p_value": None if p_value is None else str(round(Decimal(str(p_value)), 4)),
    }


def abtests_section(*, organization: Organization, start: dt.date, end: dt.date) -> list[Json]:
    """A/B tests concluded in the period with the frozen verdict, winner and decision. Keys, not
    labels: the page and the PDF translate them when shown (reports/display.py)."""
    tz = organization.tzinfo
    rows = []
    for test in concluded_abtests(organization=organization, start=start, end=end):
        stopped_early = bool((test.result or {}).get("stopped_early"))
        verdict = "stopped_early" if stopped_early and test.verdict != ABTest.Verdict.WINNER else test.verdict
        rows.append(
            {
                "id": test.pk,
                "title": test.title,
                "varies": test.varies,
                "metric": test.metric,
                "verdict": verdict,
                "winner": test.winner_name,
                "comparison": _abtest_comparison(test),
                "decision": test.decision,
                "notes": test.decision_notes,
                "concluded": test.concluded_at.astimezone(tz).date().isoformat() if test.concluded_at else None,
            }
        )
    return rows


def trend_series(*, organization: Organization, start: dt.date, end: dt.date) -> Json:
    rows = kpi_rows(organization=organization, kpis=TREND_KPIS, start=start, end=end, group_by=Dimension.DAY)
    return {
        "days": [str(row.group) for row in rows],
        **{key: [_s(row.values[key].value) for row in rows] for key in TREND_KPIS},
    }


def build_snapshot(*, organization: Organization, start: dt.date, end: dt.date, agreed: list[str]) -> Json:
    table, (prev_start, prev_end) = kpi_table(organization=organization, start=start, end=end, agreed=agreed)
    goals, statuses = goals_section(organization=organization, end=end)
    window_start = min(start, end - dt.timedelta(days=INSIGHT_WINDOW_DAYS - 1))
    frame = insight_frame(organization=organization, start=window_start, end=end)
    insights = find_insights(frame)
    campaigns = _campaign_results(organization=organization, start=start, end=end)
    recommendations = recommend(insights=insights, goals=statuses, campaigns=campaigns)
    experiments = [
        {
            "title": e.title,
            "hypothesis": e.hypothesis,
            "result": _s(e.result_value),
            "decision": e.get_decision_display() if e.decision else "",
            "notes": e.result_notes,
            "end": e.end_date.isoformat(),
        }
        for e in experiment_concluded_list(organization=organization, start=start, end=end)
    ]
    return {
        "version": 1,
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "previous_period": {"start": prev_start.isoformat(), "end": prev_end.isoformat()},
        "currency": organization.currency,
        "agreed_kpis": agreed,
        "goals": goals,
        "contribution": contribution_section(organization=organization, start=start, end=end, table=table),
        "insights": [_insight_json(i) for i in insights],
        "insights_window": {"start": window_start.isoformat(), "end": end.isoformat(), "posts": len(frame)},
        "recommendations": [_recommendation_json(r, insights) for r in recommendations],
        "experiments": experiments,
        "abtests": abtests_section(organization=organization, start=start, end=end),
        "activity": activity_section(organization=organization, start=start, end=end),
        "kpis": table,
        "trend": trend_series(organization=organization, start=start, end=end),
    }
