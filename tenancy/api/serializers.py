from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.fields import BoundedDateTimeField

from ..models import ApiToken, AuditLog, Invitation, Membership, Organization
from ..roles import Role, Scope
from .fields import TenantModelSerializer


class OrganizationSerializer(TenantModelSerializer):
    class Meta:
        model = Organization
        # Own order, read-only fields in between; writable = the service input (tests/core/test_field_lists.py).
        fields = ["id", "name", "slug", "timezone", "currency", "language", "posts_require_approval", "created_at"]
        read_only_fields = ["id", "slug", "created_at"]


class MembershipSerializer(TenantModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    name = serializers.CharField(source="user.get_full_name", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "email", "name", "role", "created_at"]
        read_only_fields = ["id", "email", "name", "created_at"]


class MembershipRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class InvitationSerializer(TenantModelSerializer):
    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "status", "expires_at", "created_at"]
        read_only_fields = ["id", "status", "expires_at", "created_at"]


class InvitationCreatedSerializer(InvitationSerializer):
    accept_url = serializers.CharField(read_only=True, help_text=_("Shown once; also sent by email."))

    class Meta(InvitationSerializer.Meta):
        fields = [*InvitationSerializer.Meta.fields, "accept_url"]


class ApiTokenSerializer(TenantModelSerializer):
    scopes = serializers.MultipleChoiceField(choices=Scope.choices)
    expires_at = BoundedDateTimeField(required=False, allow_null=True, label=_("Expires at"))
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "scopes",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "is_active",
            "created_at",
        ]
        read_only_fields = ["id", "prefix", "last_used_at", "revoked_at", "is_active", "created_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["scopes"] = sorted(data["scopes"])
        return data


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text=_("The secret. Shown only once: store it now."))

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]


class AuditLogSerializer(TenantModelSerializer):
    class Meta:
        model = AuditLog
        fields = ["id", "actor_label", "action", "object_type", "object_id", "object_repr", "changes", "created_at"]
