"""Serializers validate the shape of input; the rules live in `strategy.services`."""

from urllib.parse import urlencode

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.kpis import kpi_get
from core.patterns import url_pattern
from core.vocabulary import PostFormat, SocialPlatform
from tenancy.api.fields import OrganizationRelatedField, StrictDecimalField, TenantModelSerializer

from ..models import (
    AudienceSegment,
    BusinessProfile,
    Competitor,
    CompetitorSnapshot,
    ContentPillar,
    Experiment,
    Goal,
    PlatformChoice,
    PresenceAudit,
    Strategy,
    TrendNote,
)
from ..services import (
    AUDIT_FIELDS,
    COMPETITOR_FIELDS,
    EXPERIMENT_PLAN_FIELDS,
    PILLAR_FIELDS,
    PLATFORM_CHOICE_FIELDS,
    PROFILE_FIELDS,
    SEGMENT_FIELDS,
    TREND_FIELDS,
)


class BusinessProfileSerializer(TenantModelSerializer):
    class Meta:
        model = BusinessProfile
        fields = [*PROFILE_FIELDS, "updated_at"]
        read_only_fields = ["updated_at"]


class AudienceSegmentSerializer(TenantModelSerializer):
    platforms = serializers.ListField(child=serializers.ChoiceField(SocialPlatform.choices), required=False)

    class Meta:
        model = AudienceSegment
        fields = ["id", *SEGMENT_FIELDS, "created_at"]
        read_only_fields = ["created_at"]


SNAPSHOT_FIELDS = ["id", "platform", "date", "followers", "engagement_rate", "posts_per_week", "average_reactions"]


class CompetitorSnapshotSerializer(TenantModelSerializer):
    competitor = OrganizationRelatedField(queryset=Competitor.objects.all())

    class Meta:
        model = CompetitorSnapshot
        fields = [
            "id",
            "competitor",
            "platform",
            "date",
            "followers",
            "engagement_rate",
            "posts_per_week",
            "average_reactions",
            "source",
        ]
        read_only_fields = ["source"]


# A snapshot inside its competitor: the competitor is the enclosing object, so it is not repeated
# (the nested list used to be described with the top-level serializer, whose required
# `competitor` never came back).
class CompetitorSnapshotNestedSerializer(serializers.ModelSerializer):
    class Meta:
        model = CompetitorSnapshot
        fields = [*SNAPSHOT_FIELDS, "source"]
        read_only_fields = fields


# Snapshots inside a competitor: the newest ones only (tracking stores one a day per platform, so
# the full history grows without bound); all of them, paginated, at `snapshots_url`.
NESTED_SNAPSHOTS = 30


def recent_snapshots(competitor: Competitor) -> list[CompetitorSnapshot]:
    """The competitor's newest `NESTED_SNAPSHOTS` snapshots, newest first: prefetched by the view
    (`recent_snapshots`), else read (a competitor just created or changed)."""
    recent = getattr(competitor, "recent_snapshots", None)
    if recent is None:
        recent = list(competitor.snapshots.order_by("-date", "-id")[:NESTED_SNAPSHOTS])
    return recent


@extend_schema_field(
    {
        "type": "object",
        "description": "The competitor's pages: platform → full address (http:// or https://).",
        "properties": {
            # A URL field's check, then `_validate_links`: `http://` or `https://` in lower case.
            platform: {"type": "string", "pattern": url_pattern(["http", "https"], any_case=False)}
            for platform in SocialPlatform.values
        },
        "additionalProperties": False,
    }
)
class CompetitorLinksField(serializers.DictField):
    """Keys are social platforms (`_validate_links`), stated for the schema."""


class CompetitorSerializer(TenantModelSerializer):
    links = CompetitorLinksField(child=serializers.URLField(), required=False)
    snapshots = serializers.SerializerMethodField(
        help_text=f"The newest {NESTED_SNAPSHOTS} snapshots, newest first; all of them are at `snapshots_url`."
    )
    snapshot_count = serializers.SerializerMethodField(help_text="How many snapshots the competitor has in all.")
    snapshots_url = serializers.SerializerMethodField(
        help_text="The competitor's snapshots, paginated (the competitor-snapshots list filtered by it)."
    )
    tracked_at = serializers.DateTimeField(read_only=True, allow_null=True)
    tracking_error_kind = serializers.CharField(read_only=True)

    class Meta:
        model = Competitor
        fields = [
            "id",
            *COMPETITOR_FIELDS,
            "snapshots",
            "snapshot_count",
            "snapshots_url",
            "tracked_at",
            "tracking_error_kind",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    @extend_schema_field(CompetitorSnapshotNestedSerializer(many=True))
    def get_snapshots(self, obj: Competitor) -> list:
        return list(CompetitorSnapshotNestedSerializer(recent_snapshots(obj), many=True).data)

    def get_snapshot_count(self, obj: Competitor) -> int:
        count = getattr(obj, "snapshot_count", None)
        return count if count is not None else obj.snapshots.count()

    @extend_schema_field(OpenApiTypes.URI)
    def get_snapshots_url(self, obj: Competitor) -> str:
        organization = self.context.get("organization") or obj.organization
        path = reverse("competitor-snapshot-list", kwargs={"org_slug": organization.slug})
        request = self.context.get("request")
        url = request.build_absolute_uri(path) if request is not None else path
        return f"{url}?{urlencode({'competitor': obj.pk})}"


class PresenceAuditSerializer(TenantModelSerializer):
    class Meta:
        model = PresenceAudit
        fields = ["id", *AUDIT_FIELDS]


# A row inside a strategy (goal, platform, pillar): the strategy is chosen on creation and fixed
# afterwards, since a row does not move between strategies. (A comment, not a docstring: the API
# schema takes its description from the model serializer.)
class StrategyChildSerializer(serializers.Serializer):
    strategy = OrganizationRelatedField(queryset=Strategy.objects.all())

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["strategy"].read_only = True
        return fields


class GoalSerializer(StrategyChildSerializer, TenantModelSerializer):
    kpi_name = serializers.SerializerMethodField()
    direction = serializers.SerializerMethodField()

    class Meta:
        model = Goal
        # Own order, read-only fields in between; writable = the service input (tests/core/test_field_lists.py).
        fields = [
            "id",
            "strategy",
            "title",
            "objective",
            "kpi",
            "kpi_name",
            "direction",
            "baseline",
            "target",
            "unit",
            "deadline",
            "platform",
        ]
        extra_kwargs = {"unit": {"required": False}}

    def get_kpi_name(self, obj) -> str:
        kpi = kpi_get(obj.kpi)
        return str(kpi.name) if kpi else ""

    def get_direction(self, obj) -> str:
        kpi = kpi_get(obj.kpi)
        return str(kpi.direction) if kpi else ""


class PlatformChoiceSerializer(StrategyChildSerializer, TenantModelSerializer):
    class Meta:
        model = PlatformChoice
        fields = ["id", "strategy", *PLATFORM_CHOICE_FIELDS]


class ContentPillarSerializer(StrategyChildSerializer, TenantModelSerializer):
    goals = OrganizationRelatedField(queryset=Goal.objects.all(), many=True, required=False)
    formats = serializers.ListField(child=serializers.ChoiceField(PostFormat.choices), required=False)

    class Meta:
        model = ContentPillar
        fields = ["id", "strategy", *PILLAR_FIELDS, "goals"]


class IssueSerializer(serializers.Serializer):
    step = serializers.CharField()
    message = serializers.CharField()


class StrategyChecksSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    share_total = serializers.IntegerField()
    problems = IssueSerializer(many=True)
    warnings = IssueSerializer(many=True)


class StrategySerializer(TenantModelSerializer):
    competitors = OrganizationRelatedField(queryset=Competitor.objects.all(), many=True, required=False)
    approved_by = serializers.SerializerMethodField()

    class Meta:
        model = Strategy
        # Own order, read-only fields in between; writable = the service input (tests/core/test_field_lists.py).
        fields = [
            "id",
            "title",
            "version",
            "previous",
            "status",
            "period_start",
            "period_end",
            "positioning_statement",
            "differentiators",
            "competitors",
            "tone_guidelines",
            "words_to_use",
            "words_to_avoid",
            "review_comment",
            "submitted_at",
            "approved_by",
            "approved_at",
            "archived_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "version",
            "previous",
            "status",
            "review_comment",
            "submitted_at",
            "approved_at",
            "archived_at",
            "created_at",
            "updated_at",
        ]

    def get_approved_by(self, obj) -> str | None:
        user = obj.approved_by
        return (user.email or user.get_username()) if user else None


class StrategyDetailSerializer(StrategySerializer):
    goals = GoalSerializer(many=True, read_only=True)
    platforms = PlatformChoiceSerializer(many=True, read_only=True)
    pillars = ContentPillarSerializer(many=True, read_only=True)

    class Meta(StrategySerializer.Meta):
        fields = [*StrategySerializer.Meta.fields, "goals", "platforms", "pillars"]


class StrategyReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class StrategyCopySerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    period_start = serializers.DateField()
    period_end = serializers.DateField()


class ProgressSerializer(serializers.Serializer):
    current = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    percent_of_target = serializers.DecimalField(max_digits=10, decimal_places=1, allow_null=True)
    expected_percent = serializers.DecimalField(max_digits=6, decimal_places=1)
    projected_value = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    projected_percent = serializers.DecimalField(max_digits=10, decimal_places=1, allow_null=True)
    status = serializers.CharField()
    status_label = serializers.CharField()
    achieved = serializers.BooleanField()


class GoalProgressSerializer(serializers.Serializer):
    goal = GoalSerializer()
    progress = ProgressSerializer()


class TrendNoteSerializer(TenantModelSerializer):
    class Meta:
        model = TrendNote
        fields = ["id", *TREND_FIELDS]


class ExperimentSerializer(TenantModelSerializer):
    trend = OrganizationRelatedField(queryset=TrendNote.objects.all(), required=False, allow_null=True)
    succeeded = serializers.BooleanField(read_only=True, allow_null=True)

    class Meta:
        model = Experiment
        fields = [
            "id",
            *EXPERIMENT_PLAN_FIELDS,
            "status",
            "result_value",
            "result_notes",
            "decision",
            "recommendation",
            "succeeded",
            "concluded_at",
        ]
        read_only_fields = ["status", "decision", "recommendation", "concluded_at"]


class ExperimentCreateSerializer(ExperimentSerializer):
    """A new experiment is a plan: its result is entered once it runs (read-only here)."""

    class Meta(ExperimentSerializer.Meta):
        read_only_fields = [*ExperimentSerializer.Meta.read_only_fields, "result_value", "result_notes"]


class ExperimentConcludeSerializer(serializers.Serializer):
    result_value = StrictDecimalField(max_digits=14, decimal_places=2)
    decision = serializers.ChoiceField(Experiment.Decision.choices)
    recommendation = serializers.CharField()
    result_notes = serializers.CharField(required=False, allow_blank=True, default="")
