"""Analytics background work: refreshing the daily rollups after a write (analytics/rollups.py)."""

from celery import shared_task

from tenancy import rls
from tenancy.models import Organization

from . import rollups


@shared_task(name="analytics.tasks.refresh_rollups")
def refresh_rollups(organization_id: int, kinds: list[str], moments: list[str]) -> None:
    """Re-sums the days `moments` fall on; idempotent, so a redelivered task is harmless."""
    with rls.organization_session(organization_id):
        rollups.refresh(organization_id, kinds, moments)


@shared_task(name="analytics.tasks.rebuild_rollups")
def rebuild_rollups(organization_id: int) -> None:
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is not None:
        with rls.organization_session(organization_id):
            rollups.rebuild(organization)
