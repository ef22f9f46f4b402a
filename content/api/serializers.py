from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.vocabulary import SocialPlatform
from integrations.models import SocialAccount
from strategy.models import ContentPillar, Goal
from tenancy.api.fields import OrganizationRelatedField, TenantModelSerializer

from ..models import Post, PostEvent, PostMedia, Publication, PublishAttempt


class PostMediaSerializer(TenantModelSerializer):
    class Meta:
        model = PostMedia
        fields = ["id", "file", "kind", "size", "position"]
        read_only_fields = fields


class PostEventSerializer(TenantModelSerializer):
    user = serializers.CharField(source="user.email", read_only=True, default=None, allow_null=True)

    class Meta:
        model = PostEvent
        fields = ["id", "action", "from_status", "to_status", "comment", "user", "created_at"]
        read_only_fields = fields


@extend_schema_field(
    {
        "type": "object",
        "description": "A text per platform, where it differs from `text`.",
        "properties": {platform: {"type": "string", "pattern": r"^[^\x00]*$"} for platform in SocialPlatform.values},
        "additionalProperties": False,
    }
)
class PlatformTextsField(serializers.DictField):
    """Texts keyed by platform: the schema names the keys the server accepts (any other is a 400)."""


class PostSerializer(TenantModelSerializer):
    goal = OrganizationRelatedField(queryset=Goal.objects.all(), required=False, allow_null=True)
    pillar = OrganizationRelatedField(queryset=ContentPillar.objects.all(), required=False, allow_null=True)
    texts = PlatformTextsField(child=serializers.CharField(allow_blank=True), required=False)
    target_accounts = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False)
    media = PostMediaSerializer(many=True, read_only=True)
    publications = serializers.SerializerMethodField()

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
            "funnel_stage",
            "format",
            "texts",
            "target_accounts",
            "cta_type",
            "cta_url",
            "cta_short_url",
            "contest_rules",
            "media",
            "status",
            "created_by",
            "reviewer",
            "scheduled_at",
            "published_at",
            "publications",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "strategy",
            "cta_short_url",
            "status",
            "created_by",
            "reviewer",
            "scheduled_at",
            "published_at",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_publications(self, post: Post) -> list[dict]:
        """Each account's publication: status, external id, link and the reason of a failure."""
        return [
            {
                "id": pub.pk,
                "account": pub.account_id,
                "status": pub.status,
                "scheduled_at": pub.scheduled_at,
                "external_id": pub.external_id,
                "external_url": pub.external_url,
                "error_message": pub.error_message,
                "published_at": pub.published_at,
            }
            for pub in post.publications.all()
        ]


class PostCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class PostRequiredCommentSerializer(serializers.Serializer):
    comment = serializers.CharField()


class PostMoveSerializer(serializers.Serializer):
    scheduled_at = serializers.DateTimeField(required=False)
    goal = OrganizationRelatedField(queryset=Goal.objects.all(), required=False)
    pillar = OrganizationRelatedField(queryset=ContentPillar.objects.all(), required=False)


class PostMediaUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


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
