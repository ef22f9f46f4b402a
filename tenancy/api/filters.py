"""Filters of organization endpoints choose only among the request organization's rows.

A foreign id in `?goal=<id>` is then "not a valid choice", exactly like a missing id (no existence
oracle), and the browsable API's filter form lists only the organization's own rows. The API base
refuses at class creation a `filterset_class` that does not derive from `OrganizationFilterSet`.

Every single-valued filter on an id (a `ModelChoiceFilter`, a `NumberFilter` on a primary or foreign
key) takes a whole number from 1 to the largest bigint: anything else (`0`, `-1`, `1.5`) is a 400
naming the parameter, and the schema declares it (`integer`, `minimum: 1`), without each filterset
spelling it out.

A parameter is a value or absent: an empty date, number, id or boolean (`?until=`) and a boolean other
than `true`/`false` (`?fired=null`) are a 400 naming it, as are two values of a single-valued filter
(`?fired=true&fired=false`); the schema's formats admit none of these. An empty enum or text filter
stays "any".
"""

import copy

from django import forms
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

# `set_override` is what `extend_schema_field` does; drf_spectacular.utils cannot be imported while
# DRF loads this module as its filter backend (a circular import through rest_framework.generics).
from drf_spectacular.drainage import set_override

from core.types import StrOrPromise

from ..models import TenantModel

MAX_ID = 2**63 - 1  # bigint primary keys

_MODEL_FILTERS = (filters.ModelChoiceFilter, filters.ModelMultipleChoiceFilter)
# Filters whose schema type (date, date-time, number, integer, boolean) admits no empty string.
_TYPED_FILTERS = (
    filters.DateFilter,
    filters.DateTimeFilter,
    filters.IsoDateTimeFilter,
    filters.NumberFilter,
    filters.BooleanFilter,
    filters.ModelChoiceFilter,
)
_MULTIPLE_FILTERS = (filters.MultipleChoiceFilter, filters.ModelMultipleChoiceFilter, filters.BaseCSVFilter)
_BOOLEANS = {"true", "false", "1", "0"}


class OrganizationFilterSet(filters.FilterSet):
    @classmethod
    def get_filters(cls):
        found = super().get_filters()
        return {name: as_id_filter(flt) if is_id_filter(cls._meta.model, flt) else flt for name, flt in found.items()}

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        organization = getattr(request, "organization", None)
        for name, flt in self.filters.items():
            if isinstance(flt, _MODEL_FILTERS):
                flt.queryset = scoped_choices(flt.get_queryset(request), name, organization)

    def is_valid(self):
        valid = super().is_valid()
        for name, message in self.shape_errors().items():
            self.form.add_error(name if name in self.form.fields else None, message)
            valid = False
        return valid

    def shape_errors(self) -> dict[str, StrOrPromise]:
        """Parameters given empty, twice or (a boolean) as neither true nor false."""
        found: dict[str, StrOrPromise] = {}
        if not self.is_bound or not hasattr(self.data, "getlist"):
            return found
        for name, flt in self.filters.items():
            key = self.form.add_prefix(name)
            values = self.data.getlist(key)
            if not values or isinstance(flt, _MULTIPLE_FILTERS):
                continue
            if len(values) > 1:
                found[name] = _("Give this parameter once.")
            elif isinstance(flt, _TYPED_FILTERS) and values[0] == "":
                found[name] = _("Give a value or leave the parameter out.")
            elif isinstance(flt, filters.BooleanFilter) and values[0].lower() not in _BOOLEANS:
                found[name] = _("Must be true or false.")
        return found


def scoped_choices(queryset, name: str, organization):
    model = getattr(queryset, "model", None)
    if model is None or not issubclass(model, TenantModel):
        raise ImproperlyConfigured(
            f"Filter {name!r} chooses among {model}, which is not a tenant model: use a NumberFilter on the id."
        )
    if organization is None:  # fail closed: no organization, no choices
        return model._default_manager.none()
    return model._default_manager.for_organization(organization)


def is_id_filter(model, flt) -> bool:
    if isinstance(flt, filters.ModelMultipleChoiceFilter) or flt.lookup_expr != "exact":
        return False
    if isinstance(flt, filters.ModelChoiceFilter):
        return True
    if not isinstance(flt, filters.NumberFilter) or model is None or "__" in flt.field_name:
        return False
    try:
        field = model._meta.get_field(flt.field_name)  # a name or an attname (`account_id`)
    except FieldDoesNotExist:
        return False
    return bool(field.primary_key) or isinstance(field, models.ForeignKey)


def as_id_filter(flt):
    flt = copy.deepcopy(flt)  # declared filters are shared with the class attribute
    if isinstance(flt, filters.NumberFilter):
        flt.field_class = forms.IntegerField  # whole numbers: the default decimal field takes `1.5`
        flt.extra.setdefault("min_value", 1)
        flt.extra.setdefault("max_value", MAX_ID)
    # A model choice is refused unless it is one of the organization's rows, so 0 and negatives are
    # already "not a valid choice"; the schema says so with `minimum`.
    minimum = flt.extra.get("min_value", 1)
    return set_override(flt, "field", {"type": "integer", "minimum": minimum, "maximum": MAX_ID})


class OrganizationFilterBackend(filters.DjangoFilterBackend):
    """`filterset_fields` shortcuts are built on `OrganizationFilterSet` too."""

    filterset_base = OrganizationFilterSet
