import json

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.events import Event
from tenancy.api.fields import TenantModelSerializer

from ..models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint

# What `webhooks.safety.check_url` accepts (outside development's loopback setting): https, a host, no
# user name, password or port. That the host resolves to a public address the schema cannot state.
HTTPS_URL = r"^https://[^\s/?#@:\[\]\x00]+([/?#][^\s\x00]*)?$"


@extend_schema_field({"type": "string", "maxLength": 500, "pattern": HTTPS_URL})
class HttpsUrlField(serializers.CharField):
    pass


class WebhookEndpointSerializer(TenantModelSerializer):
    url = HttpsUrlField(max_length=500, help_text=_("An https:// URL on a public address; redirects are not followed."))
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=Event.choices), min_length=1, max_length=len(Event.values)
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    previous_secret_expires_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text=_("Until then the previous secret signs too (after a rotation).")
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "events",
            "is_active",
            "secret_prefix",
            "previous_secret_expires_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "secret_prefix", "previous_secret_expires_at", "created_at", "updated_at"]


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        read_only=True, help_text=_("The signing secret (whsec_…). Shown only once: store it now.")
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookSecretSerializer(serializers.Serializer):
    secret = serializers.CharField(read_only=True, help_text=_("The new signing secret. Shown only once."))
    previous_secret_expires_at = serializers.DateTimeField(read_only=True)


class WebhookAttemptSerializer(TenantModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["id", "attempted_at", "status_code", "duration_ms", "succeeded", "error"]
        read_only_fields = fields


class WebhookDeliverySerializer(TenantModelSerializer):
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, read_only=True)
    attempts = WebhookAttemptSerializer(many=True, read_only=True)
    payload = serializers.SerializerMethodField(help_text=_("The JSON body sent."))

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "endpoint",
            "message_id",
            "event",
            "status",
            "attempt_count",
            "next_attempt_at",
            "last_status_code",
            "delivered_at",
            "created_at",
            "payload",
            "attempts",
        ]
        read_only_fields = fields

    def get_payload(self, obj: WebhookDelivery) -> dict:
        return json.loads(obj.body)
