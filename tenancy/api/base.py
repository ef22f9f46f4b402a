"""The one base class every organization API endpoint inherits.

It resolves the organization from the URL (`/api/v1/orgs/<org_slug>/...`), checks the member's
role or the API token's organization and scopes, and scopes every queryset. Subclasses declare
`queryset` (a model queryset) and refine it in `safely_get_queryset(queryset)`, which receives the
scoped queryset and whose result is scoped again. `get_queryset`, `get_object` and `initial` cannot
be overridden anywhere in the MRO (a mixin placed before this class included): the scope cannot be
forgotten. Code that truly needs another scope overrides `dangerously_get_queryset` so it is
visible in review. Filters and related fields are scoped too (`tenancy.api.filters`,
`tenancy.api.fields`); see docs/ARCHITECTURE.md "Tenancy".
"""

from typing import TYPE_CHECKING

from django.http import Http404
from rest_framework import viewsets
from rest_framework.exceptions import NotAuthenticated, NotFound
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.views import APIView

from core.errors import PermissionDenied
from smm_platform.api.conventions import with_etag

from ..access import Access, access_for_token, access_for_user
from ..middleware import activate_organization_timezone
from ..models import ApiToken
from ..roles import Perm
from ..views_base import guard_scoping_hooks
from .filters import OrganizationFilterSet

_PROTECTED = ("get_queryset", "get_object", "initial")


class HasOrganizationPermission(BasePermission):
    def has_permission(self, request, view) -> bool:
        view.access.require(view.required_permission())
        return True


if TYPE_CHECKING:
    _ViewBase = APIView  # the mixin is always combined with a DRF view
else:
    _ViewBase = object


class OrganizationScopedMixin(_ViewBase):
    """Tenant scoping for DRF views (viewsets and APIViews)."""

    organization_field = "organization"
    # action name -> permission; unsafe methods default to `write`, safe ones to `read`.
    action_permissions: dict[str, str] = {}
    # Query parameters of the list (filters): validated before the view runs, so an unknown enum value
    # or a malformed number is a 400 naming the parameter, never silently ignored; documented in the
    # schema (smm_platform.api.schema). The validated values are `self.query`.
    query_serializer_class: type | None = None
    # Large collections add an opt-in cursor to the page numbers (smm_platform.api.pagination).
    cursor_pagination = False
    # GET answers carry an ETag; `If-None-Match` with it is a 304 (smm_platform.api.conventions).
    conditional_get = False
    # A `list` answering one report object rather than a collection (the schema documents an object).
    list_returns_object = False
    access: Access
    query: dict

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        guard_scoping_hooks(cls, OrganizationScopedMixin, _PROTECTED, hint="safely_get_queryset")
        filterset_class = getattr(cls, "filterset_class", None)
        if filterset_class is not None and not issubclass(filterset_class, OrganizationFilterSet):
            raise TypeError(f"{cls.__qualname__}.filterset_class must derive from OrganizationFilterSet")

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
        self.query = self.validated_query(request)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.conditional_get:
            response = with_etag(request, response)
        return response

    def validated_query(self, request) -> dict:
        serializer_class = self.query_serializer_class
        if serializer_class is None or request.method not in SAFE_METHODS or getattr(self, "action", "list") != "list":
            return {}
        serializer = serializer_class(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

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
        if type(self).dangerously_get_queryset is not OrganizationScopedMixin.dangerously_get_queryset:
            return self.dangerously_get_queryset()
        scope = {self.organization_field: self.access.organization}
        return self.safely_get_queryset(super().get_queryset().filter(**scope)).filter(**scope)

    def get_object(self):
        if (self.lookup_url_kwarg or self.lookup_field) in self.kwargs:
            return super().get_object()
        # A resource with one row per organization (no id in the URL) picks it from the scoped queryset.
        obj = self.get_singleton(self.get_queryset())
        self.check_object_permissions(self.request, obj)
        return obj

    def get_singleton(self, queryset):
        """The organization's one row of a singleton resource; routes with an id never call this."""
        raise Http404

    def safely_get_queryset(self, queryset):
        """Refine the already scoped queryset (select_related, annotations, per-action prefetches)."""
        return queryset

    def dangerously_get_queryset(self):
        """Replaces the scoped queryset entirely; only for endpoints that must cross organizations."""
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
