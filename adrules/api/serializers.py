from rest_framework import serializers

from adrules.models import OptimizationRule, RuleAction, RuleEvaluation
from tenancy.api.fields import TenantModelSerializer


class RuleSerializer(TenantModelSerializer):
    class Meta:
        model = OptimizationRule
        fields = [
            "id",
            "name",
            "template",
            "enabled",
            "mode",
            "campaign",
            "condition",
            "window_days",
            "factor",
            "min_spend",
            "ctr_below",
            "min_impressions",
            "romi_above",
            "streak_days",
            "action",
            "percent",
            "budget_min",
            "budget_max",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "template", "created_at", "updated_at"]
        extra_kwargs = {
            "window_days": {"min_value": 1, "max_value": 90},
            "streak_days": {"min_value": 1, "max_value": 14},
            # Not negative (adrules.services._validated), stated so the schema shows it.
            **{name: {"min_value": 0} for name in ("factor", "min_spend", "ctr_below", "budget_min", "budget_max")},
        }


class EvaluationSerializer(TenantModelSerializer):
    class Meta:
        model = RuleEvaluation
        fields = ["id", "rule", "campaign", "evaluated_at", "window_start", "window_end", "fired", "figures", "reason"]
        read_only_fields = fields


class ActionSerializer(TenantModelSerializer):
    class Meta:
        model = RuleAction
        fields = [
            "id",
            "rule",
            "evaluation",
            "campaign",
            "kind",
            "status",
            "idempotency_key",
            "previous_budget",
            "new_budget",
            "attempts",
            "error",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DecisionSerializer(serializers.Serializer):
    campaign = serializers.IntegerField(source="campaign.pk")
    campaign_name = serializers.CharField(source="campaign.name")
    fired = serializers.BooleanField()
    reason = serializers.CharField()
    action = serializers.CharField()
    previous_budget = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    new_budget = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    window_start = serializers.DateField()
    window_end = serializers.DateField()
    figures = serializers.JSONField()
