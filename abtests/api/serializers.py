from decimal import Decimal

from django.utils.translation import gettext as _
from rest_framework import serializers

from abtests.explain import explain
from abtests.models import ABTest, ABVariant, Metric
from abtests.planning import MAX_VARIANTS
from abtests.selectors import abtest_evaluation
from abtests.services import ABTEST_FIELDS
from ads.models import AdCampaign
from analytics.models import SocialPost
from tenancy.api.fields import OrganizationRelatedField, TenantModelSerializer


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


class ABTestSerializer(TenantModelSerializer):
    variants = ABVariantSerializer(many=True, help_text="From 2 to 4; the first is the control")
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

    def validate_variants(self, value: list) -> list:
        if not 2 <= len(value) <= MAX_VARIANTS:
            raise serializers.ValidationError(
                _("A test has from 2 to %(n)d variants: the control first, then the challengers.") % {"n": MAX_VARIANTS}
            )
        return value

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
    mde_percent = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=Decimal("0.1"), max_value=Decimal(500)
    )
    alpha = serializers.DecimalField(max_digits=4, decimal_places=3, default=Decimal("0.050"))
    power = serializers.DecimalField(max_digits=4, decimal_places=3, default=Decimal("0.800"))
    baseline_percent = serializers.DecimalField(max_digits=7, decimal_places=4, required=False, allow_null=True)
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
    spend = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal(0), required=False)


class CountsSerializer(serializers.Serializer):
    counts = CountsItemSerializer(many=True)

    def validate_counts(self, value: list) -> list:
        if not 1 <= len(value) <= MAX_VARIANTS:
            raise serializers.ValidationError(_("Give the counts of 1 to %(n)d variants.") % {"n": MAX_VARIANTS})
        return value


class ConcludeSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ABTest.Decision.choices)
    decision_notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
