from rest_framework import serializers

from strategy.models import ContentPillar, Goal
from tenancy.api.fields import OrganizationRelatedField, TenantModelSerializer

from ..models import Post


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
