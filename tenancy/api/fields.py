"""Related fields of organization serializers look ids up only within the request's organization."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS


class StrictManyRelatedField(serializers.ManyRelatedField):
    """A list of ids is a JSON array: an object (`{}`, iterable in Python) is a 400 (`not_a_list`),
    as the schema's `type: array` says."""

    def to_internal_value(self, data):
        if not isinstance(data, list | tuple):
            self.fail("not_a_list", input_type=type(data).__name__)
        return super().to_internal_value(data)


class OrganizationRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key of the request organization's rows; another tenant's id reads "does not exist",
    like a missing one. Without an organization in the context there are no valid choices."""

    def get_queryset(self):
        queryset = super().get_queryset()
        organization = self.context.get("organization")
        if organization is None:
            return queryset.none()
        return queryset.filter(organization=organization)

    @classmethod
    def many_init(cls, *args, **kwargs):  # DRF's, with the strict list
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        list_kwargs.update({key: value for key, value in kwargs.items() if key in MANY_RELATION_KWARGS})
        return StrictManyRelatedField(**list_kwargs)


class StringOnlyMixin:
    """Text is a JSON string: a number is a 400 (DRF's CharField turns `0` into "0"), as the schema's
    `type: string` says."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")  # type: ignore[attr-defined]
        return super().to_internal_value(data)  # type: ignore[misc]


class StrictCharField(StringOnlyMixin, serializers.CharField):
    pass


class StrictDecimalField(serializers.DecimalField):
    """A decimal is a JSON string ("1500.00"), as the schema's `type: string` says: a JSON number is a
    400 (it is a binary float to most clients, so digits may already be lost)."""

    default_error_messages = {"number": _('Send the number as a string, e.g. "1500.00".')}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("number")
        return super().to_internal_value(data)


class StrictURLField(StringOnlyMixin, serializers.URLField):
    """A URL taken as sent: white space around it is refused, not trimmed, as the schema's URL pattern
    (core/patterns.py) says."""

    def __init__(self, **kwargs):
        kwargs["trim_whitespace"] = False
        super().__init__(**kwargs)


class TenantModelSerializer(serializers.ModelSerializer):
    """ModelSerializer whose generated foreign-key fields are `OrganizationRelatedField`s and whose
    text and decimal fields take only strings (URLs untrimmed)."""

    serializer_related_field = OrganizationRelatedField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.URLField: StrictURLField,
        models.DecimalField: StrictDecimalField,
    }
