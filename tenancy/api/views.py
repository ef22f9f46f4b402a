from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import services
from ..models import ApiToken, AuditLog, Invitation, Membership, Organization
from ..roles import Perm
from .base import OrganizationViewSet
from .filters import OrganizationFilterSet
from .serializers import (
    ApiTokenCreatedSerializer,
    ApiTokenSerializer,
    AuditLogSerializer,
    InvitationCreatedSerializer,
    InvitationSerializer,
    MembershipRoleSerializer,
    MembershipSerializer,
    OrganizationSerializer,
)


class OrganizationView(OrganizationViewSet):
    """The organization in the URL."""

    queryset = Organization.objects.all()
    serializer_class = OrganizationSerializer
    organization_field = "pk"
    action_permissions = {"partial_update": Perm.MANAGE_ORGANIZATION}

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.organization).data)

    def partial_update(self, request, *args, **kwargs):
        serializer = self.get_serializer(self.organization, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        org = services.organization_update(access=self.access, **serializer.validated_data)
        return Response(self.get_serializer(org).data)


class MembershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    queryset = Membership.objects.select_related("user")
    serializer_class = MembershipSerializer
    filterset_fields = ["role"]
    ordering_fields = ["created_at", "role"]
    ordering = ["id"]
    action_permissions = {"partial_update": Perm.MANAGE_MEMBERS, "destroy": Perm.MANAGE_MEMBERS}

    @extend_schema(request=MembershipRoleSerializer, responses=MembershipSerializer)
    def partial_update(self, request, *args, **kwargs):
        membership = self.get_object()
        body = MembershipRoleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        membership = services.membership_update_role(
            access=self.access, membership_id=membership.pk, role=body.validated_data["role"]
        )
        return Response(MembershipSerializer(membership).data)

    def destroy(self, request, *args, **kwargs):
        services.membership_remove(access=self.access, membership_id=self.get_object().pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    queryset = Invitation.objects.all()
    serializer_class = InvitationSerializer
    filterset_fields = ["status", "role"]
    ordering = ["-created_at"]
    action_permissions = {
        "list": Perm.MANAGE_MEMBERS,
        "retrieve": Perm.MANAGE_MEMBERS,
        "create": Perm.MANAGE_MEMBERS,
        "revoke": Perm.MANAGE_MEMBERS,
    }

    @extend_schema(request=InvitationSerializer, responses={201: InvitationCreatedSerializer})
    def create(self, request, *args, **kwargs):
        body = InvitationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        created = services.invitation_create(access=self.access, **body.validated_data)
        data = InvitationSerializer(created.invitation).data | {"accept_url": created.accept_url}
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, *args, **kwargs):
        invitation = services.invitation_revoke(access=self.access, invitation_id=self.get_object().pk)
        return Response(InvitationSerializer(invitation).data)


class ApiTokenFilter(OrganizationFilterSet):
    active = filters.BooleanFilter(method="filter_active")

    class Meta:
        model = ApiToken
        fields = ["active"]

    def filter_active(self, queryset, name, value):
        return queryset.filter(revoked_at__isnull=value)


class ApiTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    queryset = ApiToken.objects.all()
    serializer_class = ApiTokenSerializer
    filterset_class = ApiTokenFilter
    ordering = ["-created_at"]
    action_permissions = {
        "list": Perm.MANAGE_TOKENS,
        "retrieve": Perm.MANAGE_TOKENS,
        "create": Perm.MANAGE_TOKENS,
        "destroy": Perm.MANAGE_TOKENS,
    }

    @extend_schema(request=ApiTokenSerializer, responses={201: ApiTokenCreatedSerializer})
    def create(self, request, *args, **kwargs):
        body = ApiTokenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        created = services.api_token_create(
            access=self.access, name=data["name"], scopes=list(data["scopes"]), expires_at=data.get("expires_at")
        )
        payload = ApiTokenSerializer(created.token).data | {"token": created.secret}
        return Response(payload, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        """Revokes the token (kept for the audit trail)."""
        services.api_token_revoke(access=self.access, token_id=self.get_object().pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AuditLogViewSet(mixins.ListModelMixin, OrganizationViewSet):
    queryset = AuditLog.objects.all()
    serializer_class = AuditLogSerializer
    filterset_fields = ["action", "object_type", "object_id"]
    ordering = ["-created_at", "-id"]
    action_permissions = {"list": Perm.MANAGE_MEMBERS}
