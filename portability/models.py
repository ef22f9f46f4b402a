"""An organization's data exports, its deletion request, and the record that outlives it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenancy.models import TenantModel


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Queued")
    RUNNING = "running", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


class OrganizationExport(TenantModel):
    """A ZIP of all the organization's data, built by a task and downloadable until `expires_at`.

    The file lives in default storage under an unguessable name and is only served through the
    download views, which check the membership and the expiry; it is deleted when it expires."""

    status = models.CharField(_("status"), max_length=16, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    file = models.FileField(_("file"), max_length=300, blank=True)
    size_bytes = models.BigIntegerField(null=True, blank=True)
    row_counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="orgexport_org_created_idx"),
            models.Index(fields=["status", "expires_at"], name="orgexport_status_expires_idx"),
        ]

    def __str__(self) -> str:
        return f"export #{self.pk} ({self.status})"

    @property
    def is_downloadable(self) -> bool:
        return (
            self.status == ExportStatus.READY
            and bool(self.file)
            and self.expires_at is not None
            and self.expires_at > timezone.now()
        )


class DeletionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")
    PURGING = "purging", _("Deleting")


class OrganizationDeletion(TenantModel):
    """The owner's request to delete the organization; purged after `purge_after` unless cancelled.

    While a request is scheduled the organization is read-only (see `portability.middleware`)."""

    status = models.CharField(max_length=16, choices=DeletionStatus.choices, default=DeletionStatus.SCHEDULED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by_label = models.CharField(max_length=200, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    purge_after = models.DateTimeField()
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("organization deletion")
        verbose_name_plural = _("organization deletions")
        constraints = [
            # At most one live request per organization.
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(status__in=["scheduled", "purging"]),
                name="orgdeletion_one_live_per_org",
            ),
        ]
        indexes = [models.Index(fields=["status", "purge_after"], name="orgdeletion_status_due_idx")]

    def __str__(self) -> str:
        return f"deletion of {self.organization_id} ({self.status})"


class DeletedOrganizationRecord(models.Model):
    """What remains of a deleted organization: not a tenant row and no foreign keys, so it survives
    the deletion it describes. Written when the purge starts and completed when it ends, so a purge
    interrupted half-way is visible and resumes."""

    organization_id = models.BigIntegerField(unique=True)
    name = models.CharField(max_length=200)
    slug = models.CharField(max_length=60)
    requested_by_id = models.BigIntegerField(null=True, blank=True)
    requested_by_label = models.CharField(max_length=200, blank=True)
    requested_at = models.DateTimeField()
    purge_started_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # {"app_label.Model": rows deleted}
    row_counts = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("deleted organization")
        verbose_name_plural = _("deleted organizations")
        ordering = ["-purge_started_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.organization_id}) deleted {self.deleted_at or '…'}"
