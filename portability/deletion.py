"""Deleting an organization: the owner schedules it (typed confirmation), it stays read-only during
a grace period in which it can be cancelled, then a task purges every tenant row in batches.

The purge walks the tenant tables children first (`tables.deletion_order`), deleting chunks of ids
in short transactions, so it never holds long locks and resumes where it stopped if its worker dies.
A `DeletedOrganizationRecord` (no foreign keys) is written before the first row goes and completed
at the end: who asked, when, and how many rows each table lost.
"""

import logging
from collections import Counter
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, DomainError, PermissionDenied
from tenancy.access import Access
from tenancy.models import Organization, TenantModel
from tenancy.roles import Role
from tenancy.services import audit_log_record

from .models import DeletedOrganizationRecord, DeletionStatus, OrganizationDeletion
from .tables import deletion_order

logger = logging.getLogger(__name__)

PURGE_CHUNK_SIZE = 1000
# One purge task runs this long at most, then queues its continuation (keeps under the time limits).
PURGE_TIME_BUDGET = timedelta(seconds=120)
LIVE = (DeletionStatus.SCHEDULED, DeletionStatus.PURGING)
SWEEP_AFTER_PURGE = timedelta(days=1)


def _require_owner(access: Access) -> None:
    if access.role != Role.OWNER:
        raise PermissionDenied(_("Only an owner can delete the organization."))


def pending_deletion(*, organization: Organization | int) -> OrganizationDeletion | None:
    return OrganizationDeletion.objects.for_organization(organization).filter(status__in=LIVE).first()


@transaction.atomic
def deletion_schedule(*, access: Access, confirmation: str) -> OrganizationDeletion:
    """Schedules the deletion after the grace period. `confirmation` must be the organization's
    address (slug), typed by the owner."""
    _require_owner(access)
    organization = access.organization
    if (confirmation or "").strip() != organization.slug:
        raise DomainError(
            _("Type the organization's address «%(slug)s» to confirm.") % {"slug": organization.slug},
            field="confirmation",
        )
    # Lock the organization so two requests cannot both pass the check below.
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    if pending_deletion(organization=organization) is not None:
        raise Conflict(_("The organization is already scheduled for deletion."))
    now = timezone.now()
    deletion = OrganizationDeletion.objects.create(
        organization=organization,
        requested_by=access.user,
        requested_by_label=access.actor_label[:200],
        requested_at=now,
        purge_after=now + timedelta(days=settings.ORGANIZATION_DELETION_GRACE_DAYS),
    )
    audit_log_record(
        access=access,
        action="organization.deletion_schedule",
        obj=deletion,
        changes={"purge_after": deletion.purge_after.isoformat()},
    )
    logger.warning(
        "organization deletion scheduled",
        extra={"organization_id": organization.pk, "purge_after": deletion.purge_after.isoformat()},
    )
    return deletion


@transaction.atomic
def deletion_cancel(*, access: Access) -> OrganizationDeletion:
    _require_owner(access)
    deletion = (
        OrganizationDeletion.objects.for_organization(access.organization)
        .select_for_update()
        .filter(status__in=LIVE)
        .first()
    )
    if deletion is None:
        raise Conflict(_("The organization is not scheduled for deletion."))
    if deletion.status != DeletionStatus.SCHEDULED:
        raise Conflict(_("The deletion has already started and cannot be cancelled."))
    deletion.status = DeletionStatus.CANCELLED
    deletion.cancelled_by = access.user
    deletion.cancelled_at = timezone.now()
    deletion.save(update_fields=["status", "cancelled_by", "cancelled_at"])
    audit_log_record(access=access, action="organization.deletion_cancel", obj=deletion)
    return deletion


def deletions_start_due(*, now: datetime | None = None) -> list[int]:
    """Claims every deletion whose grace period is over ("purging") and queues its purge; queues
    again the purges already "purging" whose task message may have been lost with Redis (two purges
    of one organization are safe: each chunk locks the record). All organizations: a periodic
    fan-out. Returns the organization ids queued."""
    from .tasks import purge_organization  # here, not at the top: tasks.py imports this module (a real cycle)

    now = now or timezone.now()
    queued = []
    with transaction.atomic():
        due = (
            OrganizationDeletion.objects.unscoped()
            .select_for_update(skip_locked=True)
            .filter(status__in=LIVE, purge_after__lte=now)
            .order_by("purge_after")
        )
        for deletion in due:
            if deletion.status == DeletionStatus.SCHEDULED:
                deletion.status = DeletionStatus.PURGING
                deletion.save(update_fields=["status"])
            queued.append(deletion.organization_id)
        for organization_id in queued:
            transaction.on_commit(partial(purge_organization.delay, organization_id))
    _sweep_recently_deleted(now)
    return queued


def _sweep_recently_deleted(now: datetime) -> None:
    """Deletes rows that a sync still running during a purge wrote after it (tables without a
    database foreign key accept them): a day of hourly sweeps after each purge."""
    recent = DeletedOrganizationRecord.objects.filter(deleted_at__gte=now - SWEEP_AFTER_PURGE)
    for record in recent:
        with transaction.atomic():
            record = DeletedOrganizationRecord.objects.select_for_update().get(pk=record.pk)
            counts = Counter(record.row_counts)
            swept = 0
            for model in deletion_order():
                leftovers = model._default_manager.for_organization(record.organization_id)
                deleted = leftovers.delete()[0]
                counts[model._meta.label] += deleted
                swept += deleted
            if swept:
                record.row_counts = {label: n for label, n in sorted(counts.items()) if n}
                record.save(update_fields=["row_counts"])
                logger.warning(
                    "rows of a deleted organization swept",
                    extra={"organization_id": record.organization_id, "rows": swept},
                )


def _start_record(organization_id: int) -> DeletedOrganizationRecord | None:
    with transaction.atomic():
        record = DeletedOrganizationRecord.objects.select_for_update().filter(organization_id=organization_id).first()
        if record is not None:
            return record  # resuming an interrupted purge
        deletion = (
            OrganizationDeletion.objects.for_organization(organization_id).filter(status=DeletionStatus.PURGING).first()
        )
        organization = Organization.objects.filter(pk=organization_id).first()
        if deletion is None or organization is None:
            return None  # cancelled, never claimed, or already gone
        record = DeletedOrganizationRecord.objects.create(
            organization_id=organization_id,
            name=organization.name,
            slug=organization.slug,
            requested_by_id=deletion.requested_by_id,
            requested_by_label=deletion.requested_by_label,
            requested_at=deletion.requested_at,
        )
    logger.warning("organization purge started", extra={"organization_id": organization_id})
    return record


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _delete_chunk(record: DeletedOrganizationRecord, model: type[TenantModel], chunk_size: int) -> int:
    """Deletes up to `chunk_size` rows of `model` for the organization; returns how many rows went
    (cascaded ones included). The record row is locked, so concurrent purges count correctly."""
    organization_id = record.organization_id
    file_fields = [f.attname for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
    with transaction.atomic():
        record = DeletedOrganizationRecord.objects.select_for_update().get(pk=record.pk)
        queryset = model.objects.for_organization(organization_id)
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:chunk_size])
        if not ids:
            return 0
        files = []
        if file_fields:  # (values_list() without names would list every column)
            rows = queryset.filter(pk__in=ids).values_list(*file_fields)
            files = [name for row in rows for name in row if name]
        total, per_model = queryset.filter(pk__in=ids).delete()
        counts = Counter(record.row_counts)
        counts.update(per_model)
        record.row_counts = dict(counts)
        record.save(update_fields=["row_counts"])
        if files:
            transaction.on_commit(partial(_delete_files, files))
    return total


def organization_purge(
    *, organization_id: int, chunk_size: int | None = None, time_budget: timedelta | None = None
) -> bool:
    """Deletes every tenant row of the organization, then the organization. Returns True when done,
    False when the time budget ran out first (the caller queues a continuation). Idempotent."""
    record = _start_record(organization_id)
    if record is None or record.deleted_at is not None:
        return True
    deadline = timezone.now() + (PURGE_TIME_BUDGET if time_budget is None else time_budget)
    for model in deletion_order():
        while _delete_chunk(record, model, chunk_size or PURGE_CHUNK_SIZE):
            if timezone.now() >= deadline:
                return False
    with transaction.atomic():
        record = DeletedOrganizationRecord.objects.select_for_update().get(pk=record.pk)
        # Rows a sync wrote while the purge ran are cascaded here; the database constraint and the
        # final sweep below catch any left in tables without one.
        _total, per_model = Organization.objects.filter(pk=organization_id).delete()
        counts = Counter(record.row_counts)
        counts.update(per_model)
        for model in deletion_order():
            leftovers = model._default_manager.for_organization(organization_id)
            counts[model._meta.label] += leftovers.delete()[0]
        record.row_counts = {label: n for label, n in sorted(counts.items()) if n}
        record.deleted_at = timezone.now()
        record.save(update_fields=["row_counts", "deleted_at"])
    logger.warning(
        "organization purged",
        extra={"organization_id": organization_id, "rows": sum(record.row_counts.values())},
    )
    return True
