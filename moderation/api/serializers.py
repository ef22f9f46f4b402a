from rest_framework import serializers

from core.vocabulary import Platform
from tenancy.api.fields import TenantModelSerializer

from ..models import (
    BrandKeyword,
    InboxAction,
    InboxItem,
    InboxKind,
    InboxNote,
    InboxReply,
    InboxStatus,
    InboxTag,
    ReplyServiceLevel,
    SavedReply,
    Sentiment,
)
from ..reputation import KEYWORD_FIELDS
from ..saved_replies import SAVED_REPLY_FIELDS
from ..sla import LEVEL_FIELDS
from ..workflow import BULK_ACTIONS


class InboxReplySerializer(TenantModelSerializer):
    class Meta:
        model = InboxReply
        fields = ["id", "item", "text", "status", "external_id", "error", "attempts", "created_at", "sent_at"]
        read_only_fields = fields


class InboxNoteSerializer(TenantModelSerializer):
    class Meta:
        model = InboxNote
        fields = ["id", "text", "author", "created_at"]
        read_only_fields = ["id", "author", "created_at"]


class InboxActionSerializer(TenantModelSerializer):
    class Meta:
        model = InboxAction
        fields = ["id", "kind", "reason", "actor", "target", "created_at"]
        read_only_fields = fields


class InboxItemSerializer(TenantModelSerializer):
    platform = serializers.CharField(source="account.platform", read_only=True)
    tags = serializers.ListField(child=serializers.ChoiceField(choices=InboxTag.choices), read_only=True)

    class Meta:
        model = InboxItem
        fields = [
            "id", "account", "platform", "kind", "external_id", "post_external_id", "parent_external_id",
            "thread_parent", "author_name", "text", "url", "created_at", "sentiment", "status", "assignee", "tags",
            "answered_at", "first_response_seconds", "resolved_at", "resolution", "resolution_seconds", "is_hidden",
            "waiting_since", "tone_confidence", "tone_source", "tone_model_version",
        ]  # fmt: skip
        read_only_fields = fields


class InboxItemDetailSerializer(InboxItemSerializer):
    notes = InboxNoteSerializer(many=True, read_only=True)
    replies = InboxReplySerializer(many=True, read_only=True)

    class Meta(InboxItemSerializer.Meta):
        fields = [*InboxItemSerializer.Meta.fields, "notes", "replies"]
        read_only_fields = fields


class AssignSerializer(serializers.Serializer):
    assignee = serializers.IntegerField(allow_null=True, help_text="A member's user id; null unassigns.")


class TagSerializer(serializers.Serializer):
    tags = serializers.ListField(child=serializers.ChoiceField(choices=InboxTag.choices))
    add = serializers.BooleanField(default=False, help_text="Add to the present tags instead of replacing them.")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReplyCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000)
    idempotency_key = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default="", help_text="The same key sends one reply."
    )


class NoteCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)


class TestimonialSerializer(serializers.Serializer):
    post = serializers.IntegerField(help_text="The draft post created from the comment.")


class SavedReplySerializer(TenantModelSerializer):
    class Meta:
        model = SavedReply
        fields = ["id", *SAVED_REPLY_FIELDS, "created_at"]
        read_only_fields = ["id", "created_at"]


class ReplyServiceLevelSerializer(TenantModelSerializer):
    workdays = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=7), required=False, help_text="ISO weekdays, 1 = Monday."
    )

    class Meta:
        model = ReplyServiceLevel
        fields = LEVEL_FIELDS


class ToneCorrectionSerializer(serializers.Serializer):
    sentiment = serializers.ChoiceField(choices=Sentiment.choices)


class InboxToneSerializer(serializers.ModelSerializer):
    class Meta:
        model = InboxItem
        fields = ["id", "sentiment", "tone_confidence", "tone_source", "tone_model_version"]
        read_only_fields = fields


class BulkSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=500)
    action = serializers.ChoiceField(choices=[(a, a) for a in BULK_ACTIONS])
    assignee = serializers.IntegerField(required=False, allow_null=True, help_text="For `assign`.")
    tag = serializers.ChoiceField(choices=InboxTag.choices, required=False, help_text="For `tag`.")

    def validate(self, attrs):
        if attrs["action"] == "tag" and not attrs.get("tag"):
            raise serializers.ValidationError({"tag": "Choose the tag to add."})
        return attrs


class BulkResultSerializer(serializers.Serializer):
    updated = serializers.IntegerField()


class BrandKeywordSerializer(TenantModelSerializer):
    exclusions = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        max_length=20,
        help_text="Skip posts containing any.",
    )

    class Meta:
        model = BrandKeyword
        fields = ["id", *KEYWORD_FIELDS, "created_at"]
        read_only_fields = ["id", "created_at"]


class InboxQuerySerializer(serializers.Serializer):
    """Filters of the inbox list; an unknown value is a 400, not the whole inbox."""

    kind = serializers.ChoiceField(InboxKind.choices, required=False, help_text="Comment, message or mention.")
    status = serializers.ChoiceField(InboxStatus.choices, required=False)
    platform = serializers.ChoiceField(Platform.choices, required=False)
    tone = serializers.ChoiceField(Sentiment.choices, required=False, help_text="The item's sentiment.")
    assignee = serializers.RegexField(
        r"^(none|[1-9][0-9]{0,18})$", required=False, help_text="A member's user id, or `none` for unassigned."
    )
    tag = serializers.ChoiceField(InboxTag.choices, required=False)
    overdue = serializers.BooleanField(
        required=False, help_text="Only items waiting longer than the first-response target."
    )
