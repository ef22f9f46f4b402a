from rest_framework import serializers

from integrations.models import SocialAccount
from strategy.models import ContentPillar, Goal
from tenancy.api.fields import OrganizationRelatedField, TenantModelSerializer

from ..models import Post, Publication, PublishAttempt


class PostSerializer(TenantModelSerializer):
    goal = OrganizationRelatedField(queryset=Goal.objects.all(), required=False, allow_null=True)
    pillar = OrganizationRelatedField(queryset=ContentPillar.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Post
        # Own order, read-only fields in between; writable = the service input (tests/core/test_field_lists.py).
        fields = [
            "id",
            "strategy",
            "goal",
            "pillar",
            "platform",
            "title",
            "text",
            "objective",
            "format",
            "status",
            "scheduled_at",
            "published_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["strategy", "status", "scheduled_at", "published_at", "created_at", "updated_at"]


class PostScheduleSerializer(serializers.Serializer):
    scheduled_at = serializers.DateTimeField()
    # Omitted: every connected account of the post's platform.
    accounts = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, allow_empty=False)


class PublicationRescheduleSerializer(serializers.Serializer):
    scheduled_at = serializers.DateTimeField()


class PublishAttemptSerializer(TenantModelSerializer):
    class Meta:
        model = PublishAttempt
        fields = ["id", "started_at", "result", "error_code", "message", "duration_ms"]
        read_only_fields = fields


class PublicationSerializer(TenantModelSerializer):
    """Read-only: publications change through the post's and their own actions."""

    account = OrganizationRelatedField(queryset=SocialAccount.objects.all())
    platform = serializers.CharField(source="account.platform", read_only=True)
    attempts_made = PublishAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Publication
        fields = [
            "id",
            "post",
            "account",
            "platform",
            "status",
            "scheduled_at",
            "next_attempt_at",
            "attempts",
            "external_id",
            "external_url",
            "error_kind",
            "error_code",
            "error_message",
            "published_at",
            "overdue_flagged_at",
            "attempts_made",
        ]
        read_only_fields = fields
