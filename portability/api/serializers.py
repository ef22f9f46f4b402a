from django.urls import reverse
from rest_framework import serializers

from tenancy.api.fields import TenantModelSerializer

from ..models import OrganizationExport


class OrganizationExportSerializer(TenantModelSerializer):
    requested_by = serializers.EmailField(source="requested_by.email", read_only=True, default=None)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = OrganizationExport
        fields = [
            "id",
            "status",
            "requested_by",
            "created_at",
            "finished_at",
            "expires_at",
            "size_bytes",
            "row_counts",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, obj) -> str | None:
        if not obj.is_downloadable:
            return None
        kwargs = {"org_slug": self.context["organization"].slug, "pk": obj.pk}
        return reverse("organization-export-download", kwargs=kwargs)
