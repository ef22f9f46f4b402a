"""Thin Celery wrappers: ids in, a service call."""

from celery import shared_task

from . import deletion, exports


@shared_task(name="portability.tasks.build_export")
def build_export(organization_id: int, export_id: int) -> str:
    export = exports.export_build(organization_id=organization_id, export_id=export_id)
    return "skipped" if export is None else export.status


@shared_task(name="portability.tasks.expire_exports")
def expire_exports() -> int:
    return exports.exports_expire()


@shared_task(name="portability.tasks.start_due_deletions")
def start_due_deletions() -> int:
    return len(deletion.deletions_start_due())


@shared_task(name="portability.tasks.purge_organization")
def purge_organization(organization_id: int) -> str:
    if deletion.organization_purge(organization_id=organization_id):
        return "done"
    # Out of time budget: continue in a new task (the purge resumes where it stopped).
    purge_organization.delay(organization_id)
    return "continued"
