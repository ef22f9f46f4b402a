"""Thin Celery wrappers: ids in, a service call."""

from celery import shared_task

from tenancy import rls
from tenancy.models import Organization

from . import services
from .models import ActionStatus


@shared_task(name="adrules.tasks.evaluate_rules", ignore_result=True)
def evaluate_rules(organization_id: int) -> int:
    """After an ad-stats sync: evaluate the enabled rules, then send approved actions (idempotent:
    one action per rule, campaign and window end; execution claims each action under a row lock)."""
    with rls.organization_session(organization_id):
        organization = Organization.objects.get(pk=organization_id)
        services.rules_evaluate(organization=organization)
        for action_id in services.actions_pending_execution(organization_id=organization_id):
            execute_action.delay(organization_id, action_id)
    return 0


# acks_late (the app's default): a task whose worker died is delivered again; the claim in
# ``action_execute`` makes that second run send the same absolute request or nothing.
# A transient platform error leaves the action approved: retried after 1, 2 … minutes.
@shared_task(name="adrules.tasks.execute_action", ignore_result=True, bind=True, max_retries=services.MAX_ATTEMPTS)
def execute_action(self, organization_id: int, action_id: int) -> None:
    with rls.organization_session(organization_id):
        action = services.action_execute(organization_id=organization_id, action_id=action_id)
    if action is not None and action.status == ActionStatus.APPROVED:
        raise self.retry(countdown=60 * action.attempts)
