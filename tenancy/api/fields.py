"""Related fields of organization serializers look ids up only within the request's organization."""

from rest_framework import serializers


class OrganizationRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key of the request organization's rows; another tenant's id reads "does not exist",
    like a missing one. Without an organization in the context there are no valid choices."""

    def get_queryset(self):
        queryset = super().get_queryset()
        organization = self.context.get("organization")
        if organization is None:
            return queryset.none()
        return queryset.filter(organization=organization)


class TenantModelSerializer(serializers.ModelSerializer):
    """ModelSerializer whose generated foreign-key fields are `OrganizationRelatedField`s."""

    serializer_related_field = OrganizationRelatedField
