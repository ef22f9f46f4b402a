"""Outbound webhooks under /api/v1/orgs/<org_slug>/webhooks/: endpoints (CRUD, rotate the secret,
send a test) and their deliveries (list, one, re-send). Reading needs `read`, changing `write`."""

from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from tenancy.api.base import OrganizationViewSet
from tenancy.api.filters import OrganizationFilterSet

from .. import services
from ..models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from . import serializers as s


class WebhookEndpointViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, OrganizationViewSet
):
    """Endpoints the organization's events are sent to, signed per Standard Webhooks
    (`webhook-id`, `webhook-timestamp`, `webhook-signature`; see the integrator docs)."""

    queryset = WebhookEndpoint.objects.all()
    serializer_class = s.WebhookEndpointSerializer
    ordering = ["id"]

    @extend_schema(request=s.WebhookEndpointSerializer, responses={201: s.WebhookEndpointCreatedSerializer})
    def create(self, request, *args, **kwargs):
        body = s.WebhookEndpointSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        created = services.endpoint_create(access=self.access, **body.validated_data)
        payload = s.WebhookEndpointSerializer(created.endpoint).data | {"secret": created.secret}
        return Response(payload, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.WebhookEndpointSerializer, responses=s.WebhookEndpointSerializer)
    def partial_update(self, request, *args, **kwargs):
        endpoint = self.get_object()
        body = s.WebhookEndpointSerializer(endpoint, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        endpoint = services.endpoint_update(access=self.access, endpoint=endpoint, **body.validated_data)
        return Response(s.WebhookEndpointSerializer(endpoint).data)

    def destroy(self, request, *args, **kwargs):
        services.endpoint_delete(access=self.access, endpoint=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: s.WebhookSecretSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, *args, **kwargs):
        """A new signing secret (shown once); the previous one keeps signing for 24 hours."""
        secret = services.endpoint_rotate_secret(access=self.access, endpoint=self.get_object())
        endpoint = self.get_object()
        return Response({"secret": secret, "previous_secret_expires_at": endpoint.previous_secret_expires_at})

    @extend_schema(request=None, responses={202: s.WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def ping(self, request, *args, **kwargs):
        """Queues a test message (event `ping`) to the endpoint; sent once, not retried."""
        delivery = services.endpoint_ping(access=self.access, endpoint=self.get_object())
        return Response(s.WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class WebhookDeliveryFilter(OrganizationFilterSet):
    endpoint = filters.ModelChoiceFilter(queryset=WebhookEndpoint.objects.all())
    status = filters.ChoiceFilter(choices=DeliveryStatus.choices)
    event = filters.CharFilter(max_length=40)

    class Meta:
        model = WebhookDelivery
        fields = ["endpoint", "status", "event"]


class WebhookDeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    """Messages sent (or to be sent) to the endpoints, newest first, each with its attempts."""

    queryset = WebhookDelivery.objects.all()
    serializer_class = s.WebhookDeliverySerializer
    filterset_class = WebhookDeliveryFilter
    ordering = ["-created_at", "-id"]

    def safely_get_queryset(self, queryset):
        attempts = WebhookAttempt.objects.for_organization(self.organization).order_by("attempted_at", "id")
        return queryset.prefetch_related(Prefetch("attempts", queryset=attempts))

    @extend_schema(request=None, responses={202: s.WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def resend(self, request, *args, **kwargs):
        """Sends the message again (same `webhook-id` and body) with a fresh series of retries."""
        delivery = services.delivery_resend(access=self.access, delivery=self.get_object())
        return Response(s.WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
