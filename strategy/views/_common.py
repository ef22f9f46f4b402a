"""Private helpers shared by the strategy pages and the editor."""

from django.contrib import messages
from django.http import Http404

from analytics.kpi_values import GoalProgress, goals_progress
from core.errors import DomainError, NotFound, PermissionDenied
from core.forms import apply_domain_error

from .. import selectors
from ..models import Strategy


def _run(form, call):
    """Calls a service; shows its DomainError on the form. Permission and not-found errors propagate."""
    try:
        return call()
    except (PermissionDenied, NotFound):
        raise
    except DomainError as exc:
        apply_domain_error(form, exc)
        return None


def _flash_error(request, exc: DomainError) -> None:
    messages.error(request, str(exc.message))


def _strategy_or_404(organization, pk: int) -> Strategy:
    try:
        return selectors.strategy_get(organization=organization, strategy_id=pk)
    except NotFound as exc:
        raise Http404 from exc


def _goal_rows(organization, strategy: Strategy):
    """Goal cards: progress for a strategy in force (approved/archived); targets only for drafts."""
    goals = list(strategy.goals.all())
    for goal in goals:
        goal.strategy = strategy  # already loaded: no query per goal
    if strategy.status in (Strategy.Status.APPROVED, Strategy.Status.ARCHIVED):
        return goals_progress(organization=organization, goals=goals)
    return [GoalProgress(goal=goal, progress=None) for goal in goals]
