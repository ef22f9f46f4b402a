from decimal import Decimal

from rest_framework import serializers

from ads.models import AdCampaign, AdCreative, AdSet, AdStatDaily
from core.dates import EARLIEST_DATE, LATEST_DATE
from tenancy.api.fields import StrictDecimalField, TenantModelSerializer


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
    daily_budget = StrictDecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal("0.01"), help_text="Major units of the campaign currency"
    )


class CampaignPlanSerializer(serializers.Serializer):
    goal = serializers.IntegerField(allow_null=True, required=False, min_value=1, max_value=2**63 - 1)
    target_cpl = StrictDecimalField(
        max_digits=14, decimal_places=2, allow_null=True, required=False, min_value=Decimal("0.01")
    )
    target_romi = StrictDecimalField(max_digits=9, decimal_places=2, allow_null=True, required=False)
    monthly_budget = StrictDecimalField(
        max_digits=14, decimal_places=2, allow_null=True, required=False, min_value=Decimal("0.01")
    )


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()

    def validate(self, attrs):
        for name in ("start", "end"):
            if not EARLIEST_DATE <= attrs[name] <= LATEST_DATE:
                raise serializers.ValidationError({name: "Choose a date between 2000-01-01 and 2099-12-31."})
        if attrs["end"] < attrs["start"] or (attrs["end"] - attrs["start"]).days > 366:
            raise serializers.ValidationError({"end": "The period is one day to one year, the end after the start."})
        return attrs


class FigureSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True, coerce_to_string=True)
    unit = serializers.CharField()


class UnitFiguresSerializer(serializers.Serializer):
    """One ad set's or creative's figures (``ad_set`` is the creative's ad set; null for an ad set)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    ad_set = serializers.IntegerField(allow_null=True)
    figures = serializers.DictField(child=FigureSerializer())


class CampaignFiguresSerializer(serializers.Serializer):
    campaign = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()
    currency = serializers.CharField()
    figures = serializers.DictField(child=FigureSerializer())
    warnings = serializers.ListField(child=serializers.CharField())
    ad_sets = UnitFiguresSerializer(many=True, help_text="Each ad set's figures for the period")
    creatives = UnitFiguresSerializer(many=True, help_text="Each creative's figures for the period")


class UnitPeriodFiguresSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    currency = serializers.CharField()
    unit = UnitFiguresSerializer()


class AdSetSerializer(TenantModelSerializer):
    class Meta:
        model = AdSet
        fields = [
            "id",
            "campaign",
            "external_id",
            "name",
            "status",
            "geo",
            "age_min",
            "age_max",
            "gender",
            "interests",
            "custom_audiences",
            "raw_spec",
            "daily_budget",
        ]
        read_only_fields = fields


class AdCreativeSerializer(TenantModelSerializer):
    class Meta:
        model = AdCreative
        fields = [
            "id",
            "ad_set",
            "external_id",
            "name",
            "status",
            "title",
            "text",
            "media_url",
            "cta",
            "destination_url",
            "utm",
            "tracked_url",
            "lead_code",
        ]
        read_only_fields = fields


class AdBudgetSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="Any day of the month; stored as its first day")
    amount = StrictDecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))


class PacingSerializer(serializers.Serializer):
    budget = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    spent = serializers.DecimalField(max_digits=14, decimal_places=2)
    planned_to_date = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    projected = serializers.DecimalField(max_digits=14, decimal_places=2)
    days_elapsed = serializers.IntegerField()
    days_in_month = serializers.IntegerField()
    state = serializers.CharField()


class StatsImportSerializer(serializers.Serializer):
    account = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="The ad account the campaigns belong to"
    )
    csv = serializers.CharField(
        max_length=1024 * 1024,
        trim_whitespace=False,
        help_text="day,campaign,spend,impressions,clicks,reach,leads,revenue",
    )
    dry_run = serializers.BooleanField(default=False)


class ImportRowSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    messages = serializers.ListField(child=serializers.CharField(), help_text="The row's errors; empty when valid")


class StatsImportResultSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    imported = serializers.IntegerField()
    new_campaigns = serializers.ListField(child=serializers.CharField())
    rows = ImportRowSerializer(many=True)
