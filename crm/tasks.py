"""Thin Celery wrappers: ids in, a service call."""

from celery import shared_task

from tenancy import rls

from . import attribution


@shared_task(name="crm.tasks.reattribute")
def reattribute(organization_id: int, everything: bool = False) -> int:
    """Attributes the organization's pending leads again (all of them with `everything`); idempotent."""
    with rls.organization_session(organization_id):
        return attribution.reattribute_pending(organization=organization_id, everything=everything)
