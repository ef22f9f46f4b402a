from decimal import Decimal

from rest_framework import serializers

from ads.models import AdCampaign, AdStatDaily
from tenancy.api.fields import TenantModelSerializer


class AdCampaignSerializer(TenantModelSerializer):
    platform = serializers.CharField(source="account.platform", read_only=True)

    class Meta:
        model = AdCampaign
        fields = [
            "id",
            "account",
            "platform",
            "external_id",
            "name",
            "status",
            "effective_status",
            "objective",
            "daily_budget",
            "lifetime_budget",
            "currency",
            "start_at",
            "stop_at",
            "updated_at",
        ]
        read_only_fields = fields


class AdStatDailySerializer(TenantModelSerializer):
    class Meta:
        model = AdStatDaily
        fields = [
            "id",
            "campaign",
            "account",
            "day",
            "spend",
            "currency",
            "impressions",
            "clicks",
            "reach",
            "leads",
            "conversions",
            "revenue",
        ]
        read_only_fields = fields


class BudgetSerializer(serializers.Serializer):
    daily_budget = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal("0.01"), help_text="Major units of the campaign currency"
    )
