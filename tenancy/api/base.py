"""The one base class every organization API endpoint inherits.

It resolves the organization from the URL (`/api/v1/orgs/<org_slug>/...`), checks the member's
role or the API token's organization and scopes, and scopes every queryset. Subclasses declare
`queryset` (unscoped model queryset) and must not override `get_queryset`: the scope cannot be
forgotten. Code that truly needs another scope overrides `dangerously_get_queryset` so it is
visible in review.
"""

from django.http import Http404
from rest_framework import viewsets
from rest_framework.exceptions import NotAuthenticated, NotFound
from rest_framework.permissions import SAFE_METHODS, BasePermission

from smm_platform.errors import PermissionDenied

from ..access import Access, access_for_token, access_for_user
from ..middleware import activate_organization_timezone
from ..models import ApiToken
from ..roles import Perm

_PROTECTED = ("get_queryset", "initial")


class HasOrganizationPermission(BasePermission):
    def has_permission(self, request, view) -> bool:
        view.access.require(view.required_permission())
        return True


class OrganizationScopedMixin:
    """Tenant scoping for DRF views (viewsets and APIViews)."""

    organization_field = "organization"
    # action name -> permission; unsafe methods default to `write`, safe ones to `read`.
    action_permissions: dict[str, str] = {}
    access: Access

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in _PROTECTED:
            if name in cls.__dict__:
                raise TypeError(f"{cls.__name__} must not override {name}(); override dangerously_get_queryset")

    def get_permissions(self):
        return [*super().get_permissions(), HasOrganizationPermission()]

    def initial(self, request, *args, **kwargs):
        # Authenticate first so token errors stay 401, then resolve the organization (404 if foreign).
        self.perform_authentication(request)
        if not request.user or not request.user.is_authenticated:
            raise NotAuthenticated()
        self.access = self.resolve_access(request, kwargs.get("org_slug", ""))
        request.organization = self.access.organization
        activate_organization_timezone(self.access.organization)
        super().initial(request, *args, **kwargs)

    @staticmethod
    def resolve_access(request, org_slug: str) -> Access:
        try:
            if isinstance(request.auth, ApiToken):
                return access_for_token(token=request.auth, organization_slug=org_slug)
            return access_for_user(user=request.user, organization_slug=org_slug)
        except Http404 as exc:
            raise NotFound() from exc

    def required_permission(self) -> str:
        action = getattr(self, "action", None)
        if action in self.action_permissions:
            return self.action_permissions[action]
        return Perm.READ if self.request.method in SAFE_METHODS else Perm.WRITE

    @property
    def organization(self):
        return self.access.organization

    def get_queryset(self):
        qs = self.dangerously_get_queryset()
        return qs.filter(**{self.organization_field: self.access.organization})

    def dangerously_get_queryset(self):
        return super().get_queryset()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if hasattr(self, "access"):
            context["access"] = self.access
            context["organization"] = self.access.organization
        return context


class OrganizationViewSet(OrganizationScopedMixin, viewsets.GenericViewSet):
    """Base for organization endpoints; combine with DRF's list/retrieve mixins as needed."""


class OrganizationModelViewSet(OrganizationScopedMixin, viewsets.ModelViewSet):
    """CRUD whose writes go through services: override perform_create/update/destroy."""


__all__ = ["OrganizationModelViewSet", "OrganizationScopedMixin", "OrganizationViewSet", "PermissionDenied"]
