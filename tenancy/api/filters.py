"""Filters of organization endpoints choose only among the request organization's rows.

A foreign id in `?goal=<id>` is then "not a valid choice", exactly like a missing id (no existence
oracle), and the browsable API's filter form lists only the organization's own rows. The API base
refuses at class creation a `filterset_class` that does not derive from `OrganizationFilterSet`.
"""

from django.core.exceptions import ImproperlyConfigured
from django_filters import rest_framework as filters

from ..models import TenantModel

_MODEL_FILTERS = (filters.ModelChoiceFilter, filters.ModelMultipleChoiceFilter)


class OrganizationFilterSet(filters.FilterSet):
    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        organization = getattr(request, "organization", None)
        for name, flt in self.filters.items():
            if isinstance(flt, _MODEL_FILTERS):
                flt.queryset = scoped_choices(flt.get_queryset(request), name, organization)


def scoped_choices(queryset, name: str, organization):
    model = getattr(queryset, "model", None)
    if model is None or not issubclass(model, TenantModel):
        raise ImproperlyConfigured(
            f"Filter {name!r} chooses among {model}, which is not a tenant model: use a NumberFilter on the id."
        )
    if organization is None:  # fail closed: no organization, no choices
        return model._default_manager.none()
    return model._default_manager.for_organization(organization)


class OrganizationFilterBackend(filters.DjangoFilterBackend):
    """`filterset_fields` shortcuts are built on `OrganizationFilterSet` too."""

    filterset_base = OrganizationFilterSet
