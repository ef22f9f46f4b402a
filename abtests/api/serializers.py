from decimal import Decimal

from rest_framework import serializers

from abtests.explain import explain
from abtests.models import ABTest, ABVariant, Metric
from abtests.planning import MAX_VARIANTS
from abtests.selectors import abtest_evaluation
from abtests.services import ABTEST_FIELDS
from ads.models import AdCampaign
from analytics.models import SocialPost
from tenancy.api.fields import OrganizationRelatedField, StrictDecimalField, TenantModelSerializer


class ABVariantSerializer(TenantModelSerializer):
    campaign = OrganizationRelatedField(queryset=AdCampaign.objects.all(), required=False, allow_null=True)
    post = OrganizationRelatedField(queryset=SocialPost.objects.all(), required=False, allow_null=True)

    class Meta:
        model = ABVariant
        fields = ["id", "position", "name", "campaign", "post", "units", "conversions", "spend", "counts_updated_at"]
        read_only_fields = ["id", "position", "units", "conversions", "spend", "counts_updated_at"]


class ComparisonSerializer(serializers.Serializer):
    estimate = serializers.FloatField(allow_null=True)
    z = serializers.FloatField(allow_null=True)
    p_value = serializers.FloatField(allow_null=True)
    diff = serializers.FloatField(allow_null=True)
    diff_low = serializers.FloatField(allow_null=True)
    diff_high = serializers.FloatField(allow_null=True)
    lift = serializers.FloatField(allow_null=True, help_text="Relative change against the control")
    lift_low = serializers.FloatField(allow_null=True)
    lift_high = serializers.FloatField(allow_null=True)
    significant = serializers.BooleanField()
    better = serializers.BooleanField(allow_null=True)


class EvaluationSerializer(serializers.Serializer):
    metric = serializers.CharField()
    estimates = serializers.ListField(child=serializers.FloatField(allow_null=True))
    comparisons = serializers.ListField(child=ComparisonSerializer(allow_null=True))
    prob_best = serializers.ListField(child=serializers.FloatField(allow_null=True))
    alpha_each = serializers.FloatField(help_text="Significance level of each comparison (Bonferroni)")
    required_sample = serializers.IntegerField(
        source="required", help_text="Planned units (or leads for CPL) per variant"
    )
    progress = serializers.FloatField()
    sample_reached = serializers.BooleanField()
    verdict = serializers.ChoiceField(choices=["collecting", "winner", "inconclusive"])
    winner = serializers.IntegerField(allow_null=True, help_text="Index of the winning variant (0 = control)")
    explanation = serializers.ListField(child=serializers.CharField())


class BoundedListSerializer(serializers.ListSerializer):
    """A list whose `min_length` and `max_length` (stated in the schema) are checked first, the error
    named by the list itself (DRF nests it under `non_field_errors`)."""

    def to_internal_value(self, data):
        if isinstance(data, list) and self.min_length is not None and len(data) < self.min_length:
            self.fail("min_length", min_length=self.min_length)
        if isinstance(data, list) and self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class ABTestSerializer(TenantModelSerializer):
    variants: serializers.ListSerializer = BoundedListSerializer(
        child=ABVariantSerializer(),
        min_length=2,
        max_length=MAX_VARIANTS,
        help_text="From 2 to 4; the first is the control",
    )
    evaluation = serializers.SerializerMethodField()

    class Meta:
        model = ABTest
        fields = [
            "id",
            *ABTEST_FIELDS,
            "variants",
            "required_per_variant",
            "planned_days",
            "currency",
            "status",
            "verdict",
            "winner_position",
            "winner_name",
            "decision",
            "decision_notes",
            "concluded_at",
            "evaluation",
        ]
        read_only_fields = [
            "required_per_variant",
            "planned_days",
            "currency",
            "status",
            "verdict",
            "winner_position",
            "winner_name",
            "decision",
            "decision_notes",
            "concluded_at",
        ]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:  # variants are chosen when the test is planned
            fields["variants"].read_only = True
        return fields

    def get_evaluation(self, test: ABTest) -> dict | None:
        variants = list(test.variants.all())
        evaluation = abtest_evaluation(test, variants)
        if evaluation is None:
            return None
        return EvaluationSerializer(
            {**evaluation.__dict__, "explanation": explain(evaluation, [v.name for v in variants], test.currency)}
        ).data


class CalculatorSerializer(serializers.Serializer):
    metric = serializers.ChoiceField(choices=Metric.choices)
    mde_percent = StrictDecimalField(max_digits=6, decimal_places=2, min_value=Decimal("0.1"), max_value=Decimal(500))
    # The bounds of the planner (abtests.planning), stated so the schema shows them.
    alpha = StrictDecimalField(
        max_digits=4, decimal_places=3, min_value=Decimal("0.001"), max_value=Decimal("0.2"), default=Decimal("0.050")
    )
    power = StrictDecimalField(
        max_digits=4, decimal_places=3, min_value=Decimal("0.5"), max_value=Decimal("0.99"), default=Decimal("0.800")
    )
    baseline_percent = StrictDecimalField(
        max_digits=7,
        decimal_places=4,
        min_value=Decimal("0.0001"),
        max_value=Decimal("99.9999"),
        required=False,
        allow_null=True,
    )
    daily_traffic = serializers.IntegerField(min_value=1, max_value=10**9, required=False, allow_null=True)
    variants = serializers.IntegerField(min_value=2, max_value=MAX_VARIANTS, default=2)
    control_campaign = OrganizationRelatedField(
        queryset=AdCampaign.objects.all(),
        required=False,
        allow_null=True,
        help_text="Take the current rate and traffic from this campaign's trailing window",
    )


class CalculatorResultSerializer(serializers.Serializer):
    required_per_variant = serializers.IntegerField()
    total = serializers.IntegerField()
    days = serializers.IntegerField(allow_null=True)
    baseline_percent = serializers.DecimalField(max_digits=7, decimal_places=4, allow_null=True)
    daily_traffic = serializers.IntegerField(allow_null=True)


class CountsItemSerializer(serializers.Serializer):
    variant = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    units = serializers.IntegerField(min_value=0, max_value=10**12, required=False)
    conversions = serializers.IntegerField(min_value=0, max_value=10**12, required=False)
    spend = StrictDecimalField(max_digits=14, decimal_places=2, min_value=Decimal(0), required=False)


class CountsSerializer(serializers.Serializer):
    counts: serializers.ListSerializer = BoundedListSerializer(
        child=CountsItemSerializer(), min_length=1, max_length=MAX_VARIANTS
    )


class ConcludeSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ABTest.Decision.choices)
    decision_notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
