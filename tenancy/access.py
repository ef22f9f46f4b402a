"""Who is acting, in which organization, with which permissions — resolved in one place."""

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.http import Http404
from django.utils.translation import gettext as _

from core.errors import PermissionDenied

from .models import ApiToken, Membership, Organization
from .roles import role_permissions, scope_permissions


@dataclass(frozen=True)
class Access:
    organization: Organization
    user: User | None = None
    role: str | None = None
    token: ApiToken | None = None
    permissions: frozenset[str] = field(default_factory=frozenset)

    def can(self, perm: str) -> bool:
        return perm in self.permissions

    def require(self, perm: str) -> None:
        if not self.can(perm):
            raise PermissionDenied(_("You do not have permission to do this in this organization."))

    @property
    def actor(self) -> User | None:
        return self.user

    @property
    def actor_label(self) -> str:
        if self.token is not None:
            return f"API token {self.token.name} ({self.token.prefix})"
        return getattr(self.user, "email", "") or getattr(self.user, "username", "")


def access_for_user(*, user, organization_slug: str) -> Access:
    """The user's access to the organization, or 404 — a foreign org looks like a missing one."""
    if not user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.unscoped()  # by user: finds the one organization named in the URL
        .select_related("organization")
        .filter(user=user, organization__slug=organization_slug)
        .first()
    )
    if membership is None:
        raise Http404
    return Access(
        organization=membership.organization,
        user=user,
        role=membership.role,
        permissions=role_permissions(membership.role),
    )


def access_and_organizations_for_user(*, user, organization_slug: str) -> tuple[Access, list[Organization]]:
    """The access (as `access_for_user`) and every organization the user belongs to, by name (the
    navigation's switcher), from one query: a page pays for its organization lookups once."""
    if not user.is_authenticated:
        raise Http404
    memberships = list(
        Membership.objects.unscoped()  # by user: their organizations, the one named in the URL among them
        .select_related("organization")
        .filter(user=user)
        .order_by("organization__name", "organization_id")
    )
    membership = next((m for m in memberships if m.organization.slug == organization_slug), None)
    if membership is None:
        raise Http404
    access = Access(
        organization=membership.organization,
        user=user,
        role=membership.role,
        permissions=role_permissions(membership.role),
    )
    return access, [m.organization for m in memberships]


def access_for_token(*, token: ApiToken, organization_slug: str) -> Access:
    if token.organization.slug != organization_slug:
        raise Http404
    return Access(
        organization=token.organization,
        token=token,
        permissions=scope_permissions(token.scopes),
    )
