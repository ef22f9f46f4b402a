"""Lead and sale representations; the input is validated by `crm.validation` inside the services."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tenancy.api.fields import TenantModelSerializer

from ..models import Lead, LeadStatusChange, Sale
from ..validation import LeadFieldsSerializer, LeadInSerializer, SaleInSerializer

LEAD_FIELDS = [
    "id",
    "external_id",
    "created",
    "status",
    "status_changed_at",
    "value",
    "currency",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
    "link_code",
    "landing_url",
    "platform",
    "touches",
    "has_contact",
    "post",
    "campaign",
    "goal",
    "attributed_platform",
    "attribution_model",
    "created_at",
    "updated_at",
]


class LeadSerializer(TenantModelSerializer):
    has_contact = serializers.SerializerMethodField()

    class Meta:
        model = Lead
        fields = LEAD_FIELDS
        read_only_fields = LEAD_FIELDS

    def get_has_contact(self, obj) -> bool:
        return bool(obj.contact_hash)


class LeadStatusChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = LeadStatusChange
        fields = ["from_status", "to_status", "at"]
        read_only_fields = fields


class LeadDetailSerializer(LeadSerializer):
    history = serializers.SerializerMethodField()

    class Meta(LeadSerializer.Meta):
        fields = [*LEAD_FIELDS, "history"]
        read_only_fields = fields

    @extend_schema_field(LeadStatusChangeSerializer(many=True))
    def get_history(self, obj):
        return LeadStatusChangeSerializer(obj.status_changes.all(), many=True).data


class SaleSerializer(TenantModelSerializer):
    lead_external_id = serializers.CharField(source="lead.external_id", default=None, read_only=True, allow_null=True)

    class Meta:
        model = Sale
        fields = [
            "id",
            "external_id",
            "amount",
            "currency",
            "sold_at",
            "lead",
            "lead_external_id",
            "refunded",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class LeadBulkSerializer(serializers.Serializer):
    strict_fields = True  # the view's items_of() refuses any other key; the schema says so

    items = LeadInSerializer(many=True, help_text="At most 1000 leads.")


class SaleBulkSerializer(serializers.Serializer):
    strict_fields = True  # the view's items_of() refuses any other key; the schema says so

    items = SaleInSerializer(many=True, help_text="At most 1000 sales.")


class UpsertItemSerializer(serializers.Serializer):
    external_id = serializers.CharField()
    id = serializers.IntegerField()
    result = serializers.ChoiceField(["created", "updated", "unchanged"])


class UpsertResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    items = UpsertItemSerializer(many=True)


__all__ = [
    "LeadBulkSerializer",
    "LeadDetailSerializer",
    "LeadFieldsSerializer",
    "LeadInSerializer",
    "LeadSerializer",
    "SaleBulkSerializer",
    "SaleInSerializer",
    "SaleSerializer",
    "UpsertResultSerializer",
]
