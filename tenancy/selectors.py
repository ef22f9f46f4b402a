from django.contrib.auth.models import User
from django.db.models import QuerySet

from .models import ApiToken, AuditLog, Invitation, Membership, Organization


def organizations_for_user(*, user: User) -> QuerySet[Organization]:
    return Organization.objects.filter(
        pk__in=Membership.objects.unscoped().filter(user=user).values("organization_id")
    ).order_by("name")


def membership_list(*, organization: Organization) -> QuerySet[Membership]:
    return Membership.objects.filter(organization=organization).select_related("user").order_by("user__email")


def invitation_list(*, organization: Organization) -> QuerySet[Invitation]:
    return Invitation.objects.filter(organization=organization).select_related("invited_by").order_by("-created_at")


def api_token_list(*, organization: Organization) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(organization=organization).select_related("created_by").order_by("-created_at")


def audit_log_list(*, organization: Organization) -> QuerySet[AuditLog]:
    return AuditLog.objects.filter(organization=organization).select_related("actor")
