from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from tenancy.api.base import OrganizationViewSet
from tenancy.api.filters import OrganizationFilterSet

from .. import services
from ..models import TrackedLink
from .serializers import TrackedLinkSerializer

# Ids from query strings are range-checked: an out-of-range number is a 400, not a DB error.
BIGINT_MAX = 2**63 - 1


class TrackedLinkFilter(OrganizationFilterSet):
    post = filters.NumberFilter(field_name="post_id", min_value=1, max_value=BIGINT_MAX)
    campaign = filters.NumberFilter(field_name="campaign_id", min_value=1, max_value=BIGINT_MAX)
    code = filters.CharFilter(field_name="code")

    class Meta:
        model = TrackedLink
        fields = ["post", "campaign", "code"]


class TrackedLinkViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    """Tracked short links `/l/<code>` with UTM tags. `POST` returns the existing link of the same
    post or campaign and target (200) or creates one with the default tags (201); UTM values
    given replace the defaults. `PATCH` changes the target and the tags."""

    queryset = TrackedLink.objects.all()
    serializer_class = TrackedLinkSerializer
    filterset_class = TrackedLinkFilter
    ordering_fields = ["created_at", "clicks"]
    ordering = ["-created_at", "-id"]

    @extend_schema(responses={200: TrackedLinkSerializer, 201: TrackedLinkSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        link, created = services.link_create(access=self.access, **serializer.validated_data)
        body = self.get_serializer(link).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def partial_update(self, request, *args, **kwargs):
        link = self.get_object()
        serializer = self.get_serializer(link, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        link = services.link_update(access=self.access, link=link, **serializer.validated_data)
        return Response(self.get_serializer(link).data)
