"""Base for every organization page: resolves `/o/<org_slug>/`, checks membership (404 if
not a member), exposes `self.organization` / `self.access`, and checks the view's permission."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied

from .access import Access, access_for_user
from .middleware import activate_organization_timezone
from .roles import Perm

SESSION_ORG_KEY = "current_org"


class OrganizationViewMixin(LoginRequiredMixin):
    required_permission: str = Perm.READ
    access: Access

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.access = access_for_user(user=request.user, organization_slug=kwargs["org_slug"])
        request.organization = self.access.organization
        request.access = self.access
        request.session[SESSION_ORG_KEY] = self.access.organization.slug
        activate_organization_timezone(self.access.organization)
        if not self.access.can(self.required_permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @property
    def organization(self):
        return self.access.organization

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["organization"] = self.organization
        context["access"] = self.access
        return context
