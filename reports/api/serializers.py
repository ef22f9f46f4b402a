from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.dates import is_in_range, range_message
from core.kpis import KPI_CHOICES
from tenancy.api.fields import TenantModelSerializer

from ..models import Frequency, Report, ReportSettings


class ReportSettingsSerializer(TenantModelSerializer):
    frequency = serializers.ChoiceField(choices=Frequency.choices, required=False)
    recipients = serializers.ListField(child=serializers.EmailField(), required=False, max_length=50)
    kpis = serializers.ListField(
        child=serializers.ChoiceField(choices=KPI_CHOICES),
        required=False,
        help_text="Agreed KPIs (catalog keys); empty: the approved strategy's goals' KPIs.",
    )

    class Meta:
        model = ReportSettings
        fields = ["frequency", "recipients", "kpis", "updated_at"]
        read_only_fields = ["updated_at"]


class ReportPeriodSerializer(serializers.Serializer):
    start = serializers.DateField(help_text="First day (organization's calendar), YYYY-MM-DD.")
    end = serializers.DateField(help_text="Last day, included, YYYY-MM-DD.")

    def _in_range(self, value):
        if not is_in_range(value):
            raise serializers.ValidationError(range_message())
        return value

    validate_start = _in_range
    validate_end = _in_range


class ReportSerializer(TenantModelSerializer):
    downloads = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "period_start",
            "period_end",
            "status",
            "generated_at",
            "pdf_status",
            "pdf_error",
            "emailed_at",
            "downloads",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "properties": {k: {"type": "string", "format": "uri"} for k in ("page", "pdf", "xlsx", "csv")},
        }
    )
    def get_downloads(self, report: Report) -> dict[str, str]:
        request = self.context.get("request")
        kwargs = {"org_slug": report.organization.slug, "pk": report.pk}
        links = {name: reverse(f"reports:{name}", kwargs=kwargs) for name in ("detail", "pdf", "xlsx", "csv")}
        links["page"] = links.pop("detail")
        return {k: request.build_absolute_uri(v) if request else v for k, v in links.items()}


class ReportDetailSerializer(ReportSerializer):
    snapshot = serializers.JSONField(read_only=True, help_text="Every figure of the report, frozen when it was made.")

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "snapshot"]
        read_only_fields = fields
