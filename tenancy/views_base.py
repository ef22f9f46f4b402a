"""Base for every organization page: resolves `/o/<org_slug>/`, checks membership (404 if
not a member), exposes `self.organization` / `self.access`, checks the view's permission and
scopes every queryset the generic views use.

Subclasses refine querysets in `safely_get_queryset(queryset)`, which receives a queryset already
limited to the organization and whose result is limited again; `get_queryset` and `get_object`
cannot be overridden anywhere in the MRO (the same guard as the API base).
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.utils import timezone

from .access import Access, access_and_organizations_for_user
from .middleware import activate_organization_timezone
from .roles import Perm

SESSION_ORG_KEY = "current_org"
SESSION_SEEN_KEY = "current_org_day"


def guard_scoping_hooks(cls: type, base: type, names: tuple[str, ...], *, hint: str) -> None:
    """Raise at class creation if `cls` resolves any of `names` to a definition other than `base`'s.

    Checked over the whole MRO, so a mixin listed before the base, or a generic view listed before
    it, cannot quietly replace the scoped implementation."""
    for name in names:
        owner = next((klass for klass in cls.__mro__ if name in klass.__dict__), None)
        if owner is not None and owner is not base:
            raise TypeError(
                f"{cls.__qualname__} resolves {name}() to {owner.__qualname__}, which bypasses the organization "
                f"scope of {base.__qualname__}; override {hint}() instead."
            )


class OrganizationViewMixin(LoginRequiredMixin):
    required_permission: str = Perm.READ
    access: Access

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        guard_scoping_hooks(cls, OrganizationViewMixin, ("get_queryset", "get_object"), hint="safely_get_queryset")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.access, organizations = access_and_organizations_for_user(
            user=request.user, organization_slug=kwargs["org_slug"]
        )
        request.organization = self.access.organization
        request.access = self.access
        request.user_organizations = organizations  # the switcher's list, without a query of its own
        # Written when the organization changes and once a day (which keeps an active member's session
        # from expiring), not on every page: an unchanged session is not saved again.
        seen = (self.access.organization.slug, timezone.now().date().isoformat())
        if (request.session.get(SESSION_ORG_KEY), request.session.get(SESSION_SEEN_KEY)) != seen:
            request.session[SESSION_ORG_KEY], request.session[SESSION_SEEN_KEY] = seen
        activate_organization_timezone(self.access.organization)
        if not self.access.can(self.required_permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @property
    def organization(self):
        return self.access.organization

    def get_queryset(self):
        """The generic view's queryset (`model` / `queryset`), limited to the organization."""
        parent = getattr(super(), "get_queryset", None)
        if parent is None:
            raise ImproperlyConfigured(f"{type(self).__qualname__} has no queryset to scope.")
        queryset = parent()
        scope = {"organization": self.organization}
        return self.safely_get_queryset(queryset.filter(**scope)).filter(**scope)

    def get_object(self, queryset=None):
        parent = getattr(super(), "get_object", None)
        if parent is None:
            raise ImproperlyConfigured(f"{type(self).__qualname__} has no object to look up.")
        # A queryset passed in is scoped here as well: only organization rows can be returned.
        return parent(queryset.filter(organization=self.organization) if queryset is not None else None)

    def safely_get_queryset(self, queryset):
        """Refine the already scoped queryset; the result is scoped again."""
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["organization"] = self.organization
        context["access"] = self.access
        return context
