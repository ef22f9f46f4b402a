"""What to change next period, derived from the insights and the goals' status: a pure function.

Every recommendation points to its evidence — the insights, goals and campaign results it rests on —
so a report can show why. Nothing is recommended from a hunch: with no insight the list says
plainly that no difference was large and certain enough to act on (goals and campaigns can still
call for action on their own figures).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from core.kpis import Progress, ProgressStatus, kpi_get
from core.numbers import round_to

from .insight_text import segment_label
from .insights import Insight

# A campaign's cost per lead this far above the CPL goal's target calls for a pause.
PAUSE_CPL_OVER_TARGET = Decimal("1.5")
# A campaign with no lead at all is judged once it has spent this many target CPLs.
PAUSE_SPEND_IN_TARGET_CPLS = Decimal(3)
# A cost per lead from fewer leads than this is noise: no pause or scale on it.
MIN_CAMPAIGN_LEADS = 5

LAGGING = frozenset({ProgressStatus.AT_RISK, ProgressStatus.OFF_TRACK})
# The goals' KPIs each insight metric moves (core.kpis keys).
METRIC_KPIS = {
    "leads_per_post": ("leads",),
    "revenue_per_post": ("revenue", "sales"),
    "ctr": ("site_clicks",),
    "engagement_rate": ("engagement_rate",),
    "reach_per_post": ("reach", "impressions"),
}
# Which metric decides what to do with a segment when it has several insights: business first.
METRIC_PRIORITY = ("leads_per_post", "revenue_per_post", "ctr", "engagement_rate", "reach_per_post")


class Action(StrEnum):
    SHIFT_PILLARS = "shift_pillars"
    SHIFT_FORMATS = "shift_formats"
    SHIFT_PLATFORMS = "shift_platforms"
    SHIFT_OBJECTIVES = "shift_objectives"
    MOVE_POSTING_TIMES = "move_posting_times"
    PAUSE_CAMPAIGN = "pause_campaign"
    SCALE_CAMPAIGN = "scale_campaign"
    FIX_RESPONSE_TIME = "fix_response_time"
    PLAN_EXPERIMENT = "plan_experiment"  # a goal lags and no insight says what would help
    NOTHING_CERTAIN = "nothing_certain"  # no insight: no difference large and certain enough


@dataclass(frozen=True)
class GoalStatus:
    """A goal's state at the end of the period: its KPI (a core.kpis key), status, figures and name."""

    kpi: str
    status: str  # a core.kpis.ProgressStatus value
    current: Decimal | None
    target: Decimal
    title: str = ""  # shown to people; the KPI's name when empty

    @property
    def lagging(self) -> bool:
        return self.status in LAGGING

    @property
    def name(self) -> str:
        kpi = kpi_get(self.kpi)
        return self.title or (str(kpi.name) if kpi else self.kpi)


def goal_status(*, kpi: str, target: Decimal, progress: Progress | None, title: str = "") -> GoalStatus:
    """A goal's status from its measured progress (`analytics.kpi_values.goal_progress`); a goal
    not measured yet (`progress` None) has no data."""
    if progress is None:
        return GoalStatus(kpi=kpi, status=ProgressStatus.NO_DATA, current=None, target=target, title=title)
    return GoalStatus(kpi=kpi, status=progress.status, current=progress.current, target=target, title=title)


@dataclass(frozen=True)
class CampaignResult:
    """An ad campaign's results over the period."""

    name: str
    spend: Decimal
    leads: int | None
    revenue: Decimal | None = None  # None when not reported
    campaign_id: int | str | None = None

    @property
    def cpl(self) -> Decimal | None:
        return self.spend / self.leads if self.leads else None

    @property
    def roi(self) -> Decimal | None:
        """(revenue − spend) ÷ spend, as a fraction; None without revenue or spend."""
        return (self.revenue - self.spend) / self.spend if self.revenue is not None and self.spend > 0 else None


Evidence = Insight | GoalStatus | CampaignResult


@dataclass(frozen=True)
class Recommendation:
    action: Action
    text: str  # in the active language
    evidence: tuple[Evidence, ...]  # what it rests on; empty only for NOTHING_CERTAIN


def recommend(
    *, insights: Sequence[Insight], goals: Sequence[GoalStatus] = (), campaigns: Sequence[CampaignResult] = ()
) -> list[Recommendation]:
    """Recommendations for the next period, the most pressing first: response time, campaigns,
    shifts backed by insights (those that move a lagging goal first), then experiments for lagging
    goals no insight explains."""
    recommendations = _response_time(goals) + _campaigns(goals, campaigns)
    shifts = _shifts(insights, goals)
    recommendations += sorted(shifts, key=lambda r: not any(isinstance(e, GoalStatus) for e in r.evidence))
    if not insights:
        recommendations.append(
            Recommendation(
                Action.NOTHING_CERTAIN,
                _("No difference between posts was large and certain enough to act on this period."),
                (),
            )
        )
    recommendations += _experiments(goals, recommendations)
    return recommendations


def _response_time(goals: Sequence[GoalStatus]) -> list[Recommendation]:
    return [
        Recommendation(
            Action.FIX_RESPONSE_TIME,
            _(
                "Answer comments and messages faster: the first response takes %(current)s min"
                " against a target of %(target)s min."
            )
            % {"current": _number(goal.current), "target": _number(goal.target)},
            (goal,),
        )
        for goal in goals
        if goal.kpi == "first_response_time" and goal.lagging and goal.current is not None
    ]


def _campaigns(goals: Sequence[GoalStatus], campaigns: Sequence[CampaignResult]) -> list[Recommendation]:
    cpl_goal = next((g for g in goals if g.kpi == "cpl"), None)
    growth_goals = tuple(g for g in goals if g.lagging and g.kpi in ("leads", "sales", "revenue"))
    pauses: list[Recommendation] = []
    scales: list[Recommendation] = []
    for campaign in campaigns:
        cpl, roi = campaign.cpl, campaign.roi
        judged_cpl = cpl is not None and (campaign.leads or 0) >= MIN_CAMPAIGN_LEADS
        if roi is not None and roi < 0 and judged_cpl:
            pauses.append(
                Recommendation(
                    Action.PAUSE_CAMPAIGN,
                    _("Pause or rework the campaign “%(name)s”: it brought less revenue than it cost.")
                    % {"name": campaign.name},
                    (campaign,),
                )
            )
        elif cpl_goal is not None and cpl is not None and judged_cpl and cpl > cpl_goal.target * PAUSE_CPL_OVER_TARGET:
            pauses.append(
                Recommendation(
                    Action.PAUSE_CAMPAIGN,
                    _("Pause or rework the campaign “%(name)s”: a lead costs %(cpl)s against a target of %(target)s.")
                    % {"name": campaign.name, "cpl": _number(cpl), "target": _number(cpl_goal.target)},
                    (campaign, cpl_goal),
                )
            )
        elif (
            cpl_goal is not None
            and not campaign.leads
            and campaign.leads is not None
            and campaign.spend >= cpl_goal.target * PAUSE_SPEND_IN_TARGET_CPLS
        ):
            pauses.append(
                Recommendation(
                    Action.PAUSE_CAMPAIGN,
                    _("Pause or rework the campaign “%(name)s”: it spent %(spend)s without a single lead.")
                    % {"name": campaign.name, "spend": _number(campaign.spend)},
                    (campaign, cpl_goal),
                )
            )
        elif growth_goals and judged_cpl and cpl_goal is not None and cpl is not None and cpl <= cpl_goal.target:
            scales.append(
                Recommendation(
                    Action.SCALE_CAMPAIGN,
                    _(
                        "Give the campaign “%(name)s” more budget: its leads cost %(cpl)s, within the target of"
                        " %(target)s, and %(goal)s is behind plan."
                    )
                    % {
                        "name": campaign.name,
                        "cpl": _number(cpl),
                        "target": _number(cpl_goal.target),
                        "goal": growth_goals[0].name,
                    },
                    (campaign, cpl_goal, *growth_goals),
                )
            )
    return pauses + scales


def _shifts(insights: Sequence[Insight], goals: Sequence[GoalStatus]) -> list[Recommendation]:
    """One recommendation per segment with insights, its direction from the insight that matters most."""
    by_segment: dict[tuple[str, str], list[Insight]] = {}
    for insight in insights:
        by_segment.setdefault((insight.dimension, insight.segment), []).append(insight)
    lagging_kpis = {g.kpi for g in goals if g.lagging}
    recommendations: list[Recommendation] = []
    for (dimension, segment), found in by_segment.items():
        found.sort(key=lambda i: (not lagging_kpis & set(METRIC_KPIS.get(i.metric, ())), _priority(i.metric)))
        primary = found[0]
        related_goals = tuple(g for g in goals if g.lagging and g.kpi in METRIC_KPIS.get(primary.metric, ()))
        recommendations.append(
            Recommendation(
                _ACTIONS[dimension],
                _shift_text(dimension, segment, better=primary.direction == "better"),
                (*found, *related_goals),
            )
        )
    return recommendations


def _priority(metric: str) -> int:
    return METRIC_PRIORITY.index(metric) if metric in METRIC_PRIORITY else len(METRIC_PRIORITY)


_ACTIONS = {
    "pillar": Action.SHIFT_PILLARS,
    "format": Action.SHIFT_FORMATS,
    "platform": Action.SHIFT_PLATFORMS,
    "objective": Action.SHIFT_OBJECTIVES,
    "weekday": Action.MOVE_POSTING_TIMES,
    "hour_band": Action.MOVE_POSTING_TIMES,
}


def _shift_text(dimension: str, segment: str, *, better: bool) -> str:
    if dimension in ("weekday", "hour_band"):
        when = _when(dimension, segment)
        return (_("Move more posts to %(when)s.") if better else _("Move posts away from %(when)s.")) % {"when": when}
    label = segment_label(dimension, segment)
    texts = {
        "pillar": (
            _("Give the pillar “%(name)s” a larger share of posts."),
            _("Give the pillar “%(name)s” a smaller share of posts or rework it."),
        ),
        "format": (
            _("Publish more posts in the format “%(name)s”."),
            _("Publish fewer posts in the format “%(name)s”."),
        ),
        "platform": (_("Shift effort towards %(name)s."), _("Shift effort away from %(name)s.")),
        "objective": (
            _("Plan more posts with the objective “%(name)s”."),
            _("Plan fewer posts with the objective “%(name)s”."),
        ),
    }
    more, fewer = texts[dimension]
    return (more if better else fewer) % {"name": label}


def _when(dimension: str, segment: str) -> str:
    names = {
        "monday": _("Mondays"),
        "tuesday": _("Tuesdays"),
        "wednesday": _("Wednesdays"),
        "thursday": _("Thursdays"),
        "friday": _("Fridays"),
        "saturday": _("Saturdays"),
        "sunday": _("Sundays"),
        "night": _("the night (0–6 h)"),
        "morning": _("the morning (6–12 h)"),
        "day": _("the daytime (12–18 h)"),
        "evening": _("the evening (18–24 h)"),
    }
    return names.get(segment, segment)


def _experiments(goals: Sequence[GoalStatus], so_far: Sequence[Recommendation]) -> list[Recommendation]:
    """A lagging goal that nothing above addresses: test a change instead of guessing one."""
    addressed = {e for r in so_far for e in r.evidence if isinstance(e, GoalStatus)}
    return [
        Recommendation(
            Action.PLAN_EXPERIMENT,
            _("%(goal)s is behind plan and the data do not show what would help: test one change as an experiment.")
            % {"goal": goal.name},
            (goal,),
        )
        for goal in goals
        if goal.lagging and goal not in addressed and goal.kpi != "first_response_time"
    ]


def _number(value: Decimal | None) -> str:
    if value is None:
        return "—"
    rounded = round_to(value, 2)
    if rounded == rounded.to_integral_value():
        rounded = rounded.quantize(Decimal(1))
    return number_format(rounded, use_l10n=True, force_grouping=True)
