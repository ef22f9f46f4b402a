"""Related fields of organization serializers look ids up only within the request's organization."""

from django.db import models
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


class StrictCharField(serializers.CharField):
    """Text is a JSON string: a number is a 400 (DRF's CharField turns `0` into "0"), as the schema's
    `type: string` says."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class TenantModelSerializer(serializers.ModelSerializer):
    """ModelSerializer whose generated foreign-key fields are `OrganizationRelatedField`s and whose
    text fields take only strings."""

    serializer_related_field = OrganizationRelatedField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
    }
