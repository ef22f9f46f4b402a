from django.contrib import admin

from .models import DeletedOrganizationRecord


@admin.register(DeletedOrganizationRecord)
class DeletedOrganizationRecordAdmin(admin.ModelAdmin):
    """The audit trail of deleted organizations: read-only."""

    list_display = ["organization_id", "name", "slug", "requested_by_label", "requested_at", "deleted_at"]
    search_fields = ["name", "slug", "requested_by_label"]
    readonly_fields = [f.name for f in DeletedOrganizationRecord._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
