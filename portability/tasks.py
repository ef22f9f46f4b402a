"""Thin Celery wrappers: ids in, a service call."""

from celery import shared_task

from tenancy import rls

from . import deletion, exports


@shared_task(name="portability.tasks.build_export")
def build_export(organization_id: int, export_id: int) -> str:
    with rls.organization_session(organization_id):
        export = exports.export_build(organization_id=organization_id, export_id=export_id)
    return "skipped" if export is None else export.status


@shared_task(name="portability.tasks.expire_exports")
def expire_exports() -> int:
    with rls.unscoped_session("expired exports of every organization"):
        return exports.exports_expire()


@shared_task(name="portability.tasks.start_due_deletions")
def start_due_deletions() -> int:
    with rls.unscoped_session("due deletions of every organization"):
        return len(deletion.deletions_start_due())


@shared_task(name="portability.tasks.purge_organization")
def purge_organization(organization_id: int) -> str:
    with rls.organization_session(organization_id):
        finished = deletion.organization_purge(organization_id=organization_id)
    if finished:
        return "done"
    # Out of time budget: continue in a new task (the purge resumes where it stopped).
    purge_organization.delay(organization_id)
    return "continued"
