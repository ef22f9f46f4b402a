"""Reads for strategy pages, the API and other apps. Every function takes `organization`."""

from datetime import date
from typing import TypeVar

from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext as _

from core.errors import NotFound
from integrations.quality import ErrorKind
from tenancy.models import Organization, TenantModel

from .checks import StrategyChecks, strategy_checks
from .launch_gate import current_strategy
from .models import (
    AudienceSegment,
    BusinessProfile,
    Competitor,
    CompetitorSnapshot,
    ContentPillar,
    Experiment,
    Goal,
    PillarGoal,
    PlatformChoice,
    PresenceAudit,
    Strategy,
    StrategyCompetitor,
    TrendNote,
)

__all__ = ["current_strategy"]


def business_profile_get(*, organization: Organization) -> BusinessProfile | None:
    return BusinessProfile.objects.filter(organization=organization).first()


def audience_segment_list(*, organization: Organization) -> QuerySet[AudienceSegment]:
    return AudienceSegment.objects.filter(organization=organization)


def competitor_list(*, organization: Organization) -> QuerySet[Competitor]:
    snapshots = CompetitorSnapshot.objects.filter(organization=organization).order_by("-date", "platform")
    return Competitor.objects.filter(organization=organization).prefetch_related(
        Prefetch("snapshots", queryset=snapshots)
    )


def presence_audit_list(*, organization: Organization) -> QuerySet[PresenceAudit]:
    return PresenceAudit.objects.filter(organization=organization)


def strategy_list(*, organization: Organization) -> QuerySet[Strategy]:
    return (
        Strategy.objects.filter(organization=organization)
        .select_related("approved_by", "created_by")
        .annotate(goal_count=Count("goals", distinct=True), pillar_count=Count("pillars", distinct=True))
    )


def _strategy_prefetch(qs: QuerySet[Strategy], organization: Organization) -> QuerySet[Strategy]:
    # One prefetch_related call per relation: the type checker cannot type a mixed list of Prefetch.
    pillars = (
        ContentPillar.objects.filter(organization=organization)
        .order_by("id")
        .prefetch_related(Prefetch("goals", queryset=Goal.objects.filter(organization=organization)))
    )
    return (
        qs.select_related("approved_by", "created_by", "previous")
        .prefetch_related(Prefetch("goals", queryset=Goal.objects.filter(organization=organization).order_by("id")))
        .prefetch_related(Prefetch("platforms", queryset=PlatformChoice.objects.filter(organization=organization)))
        .prefetch_related(Prefetch("pillars", queryset=pillars))
        .prefetch_related(Prefetch("competitors", queryset=Competitor.objects.filter(organization=organization)))
    )


def strategy_get(*, organization: Organization, strategy_id: int) -> Strategy:
    """The strategy with goals, platforms, pillars (and the goals they serve) and competitors loaded."""
    queryset = _strategy_prefetch(Strategy.objects.filter(organization=organization, pk=strategy_id), organization)
    strategy = queryset.first()
    if strategy is None:
        raise NotFound(_("Strategy not found."))
    return strategy


def strategy_current_or_latest(*, organization: Organization) -> Strategy | None:
    """The approved strategy for today, else the newest approved, in-review or draft one."""
    current = current_strategy(organization=organization)
    if current is not None:
        return strategy_get(organization=organization, strategy_id=current.pk)
    latest = (
        Strategy.objects.filter(organization=organization)
        .exclude(status=Strategy.Status.ARCHIVED)
        .order_by("-period_start", "-version")
        .values_list("pk", flat=True)
        .first()
    )
    return strategy_get(organization=organization, strategy_id=latest) if latest else None


def strategy_next_draft(*, strategy: Strategy) -> Strategy | None:
    """The open draft derived from this strategy (its next version), if any."""
    return (
        Strategy.objects.filter(organization_id=strategy.organization_id, previous=strategy)
        .filter(status__in=[Strategy.Status.DRAFT, Strategy.Status.IN_REVIEW])
        .first()
    )


def strategy_checks_for(strategy: Strategy) -> StrategyChecks:
    """Checks on a strategy loaded by `strategy_get` (no extra queries) or any strategy (a few)."""
    goals = list(strategy.goals.all())
    platforms = list(strategy.platforms.all())
    pillars = list(strategy.pillars.all())
    cache = getattr(strategy, "_prefetched_objects_cache", {})
    pillar_goal_ids: dict[int, set[int]]
    if "pillars" in cache and all("goals" in getattr(p, "_prefetched_objects_cache", {}) for p in pillars):
        pillar_goal_ids = {p.pk: {g.pk for g in p.goals.all()} for p in pillars}
    else:
        pillar_goal_ids = {p.pk: set() for p in pillars}
        for pillar_id, goal_id in PillarGoal.objects.filter(
            organization_id=strategy.organization_id, pillar__strategy=strategy
        ).values_list("pillar_id", "goal_id"):
            pillar_goal_ids.setdefault(pillar_id, set()).add(goal_id)
    return strategy_checks(strategy, goals=goals, platforms=platforms, pillars=pillars, pillar_goal_ids=pillar_goal_ids)


# A tenant row of a given model (a strategy's goal, key platform or pillar; an analysis row).
_Row = TypeVar("_Row", bound=TenantModel)


def strategy_row_find(*, organization: Organization, strategy: Strategy, model: type[_Row], row_id: int) -> _Row | None:
    """A row of this strategy (goal, key platform, pillar) by id; None for another strategy's or
    organization's row (the page answers 404)."""
    return model.objects.filter(organization=organization, strategy=strategy, pk=row_id).first()


def analysis_row_find(*, organization: Organization, model: type[_Row], row_id: int) -> _Row | None:
    """An analysis row (shared by every strategy version) by id within the organization; None otherwise."""
    return model.objects.filter(organization=organization, pk=row_id).first()


def competitors_exist(*, organization: Organization) -> bool:
    return Competitor.objects.filter(organization=organization).exists()


def strategy_competitor_ids(*, strategy: Strategy) -> list[int]:
    return list(
        StrategyCompetitor.objects.filter(organization_id=strategy.organization_id, strategy=strategy).values_list(
            "competitor_id", flat=True
        )
    )


def goal_list(*, organization: Organization, strategy: Strategy | None = None) -> QuerySet[Goal]:
    qs = Goal.objects.filter(organization=organization).select_related("strategy")
    return qs.filter(strategy=strategy) if strategy is not None else qs


def trend_note_list(*, organization: Organization) -> QuerySet[TrendNote]:
    return TrendNote.objects.filter(organization=organization).select_related("created_by")


def experiment_list(*, organization: Organization, status: str | None = None) -> QuerySet[Experiment]:
    qs = Experiment.objects.filter(organization=organization).select_related("trend", "created_by")
    return qs.filter(status=status) if status else qs


def experiment_find(*, organization: Organization, experiment_id: int) -> Experiment | None:
    return experiment_list(organization=organization).filter(pk=experiment_id).first()


def experiment_concluded_list(
    *, organization: Organization, start: date | None = None, end: date | None = None
) -> QuerySet[Experiment]:
    """Concluded experiments for reports: those that ended within [start, end] when given."""
    qs = experiment_list(organization=organization, status=Experiment.Status.CONCLUDED)
    if start is not None:
        qs = qs.filter(end_date__gte=start)
    if end is not None:
        qs = qs.filter(end_date__lte=end)
    return qs.order_by("-end_date", "-id")


# --- competitor tracking (docs/competitors.md) --------------------------------------------------


def competitor_tracking_text(competitor: Competitor) -> str:
    """The last automatic tracking of a competitor in words a marketer understands ("" when it was
    never tracked automatically)."""
    kind = competitor.tracking_error_kind
    texts = {
        "not_configured": _(
            "Automatic tracking is off: no VK service key is configured (VK_SERVICE_TOKEN). Figures can be typed in."
        ),
        "no_community": _("The VK address is not a community page, so it cannot be tracked. Check the link."),
        ErrorKind.PERMISSION: _(
            "VK does not show this community's data to visitors (closed, private or blocked). Type its figures in."
        ),
        ErrorKind.AUTH: _("VK rejected the service key. Generate a new one in the VK app settings."),
        ErrorKind.RATE_LIMITED: _("VK asked us to slow down; tracking resumes automatically."),
        ErrorKind.BLOCKED: _("VK was temporarily unavailable; tracking resumes automatically."),
        ErrorKind.TRANSIENT: _("VK was temporarily unavailable; tracking resumes automatically."),
        ErrorKind.INVALID: _("VK did not find this community. Check the link."),
    }
    if kind:
        return str(texts.get(kind, _("The last tracking attempt failed; it is retried tomorrow.")))
    if competitor.tracked_at:
        return _("Tracked automatically from public VK data.")
    return ""


def competitor_tracking_list(*, organization: Organization, limit: int = 50) -> list[Competitor]:
    """Competitors with an automatic tracking attempt, failing ones first (one query)."""
    rows = list(
        Competitor.objects.for_organization(organization)
        .filter(tracking_checked_at__isnull=False)
        .order_by("name", "pk")[:limit]
    )
    for row in rows:
        row.tracking_text = competitor_tracking_text(row)  # type: ignore[attr-defined]  # display text only
    return sorted(rows, key=lambda c: c.tracking_error_kind == "")
