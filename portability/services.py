"""Writes of the portability app (re-exported by role: `exports`, `deletion`)."""

from .deletion import deletion_cancel, deletion_schedule, deletions_start_due, organization_purge, pending_deletion
from .exports import export_build, export_get, export_open_for_download, export_request, exports_expire

__all__ = [
    "deletion_cancel",
    "deletion_schedule",
    "deletions_start_due",
    "export_build",
    "export_get",
    "export_open_for_download",
    "export_request",
    "exports_expire",
    "organization_purge",
    "pending_deletion",
]
