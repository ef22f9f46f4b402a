"""Outbound webhooks: an organization's endpoints, the deliveries of events to them and every
attempt (docs/webhooks.md)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tenancy.models import TenantModel

PING = "ping"  # the test event sent by the "Send a test" button; not a subscribable event


class WebhookEndpoint(TenantModel):
    """An HTTPS URL subscribed to some events. The signing secrets are stored encrypted
    (`integrations.crypto`); after a rotation the previous secret still signs until
    `previous_secret_expires_at`."""

    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    secret_ciphertext = models.TextField(editable=False)
    secret_prefix = models.CharField(max_length=16, editable=False)
    previous_secret_ciphertext = models.TextField(blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["id"]
        indexes = [models.Index(fields=["organization", "is_active"], name="whendpoint_org_active_idx")]

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(TenantModel):
    """One event for one endpoint: the exact body sent (re-sent unchanged, with the same
    `webhook-id`) and where its retries stand."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    message_id = models.CharField(_("message id"), max_length=40)
    event = models.CharField(_("event"), max_length=40)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempt_count = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last response code"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["organization", "message_id"], name="whdelivery_org_message_id")]
        indexes = [
            models.Index(fields=["organization", "endpoint", "-created_at"], name="whdelivery_org_endpoint_idx"),
            models.Index(fields=["organization", "status", "next_attempt_at"], name="whdelivery_org_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.message_id}"


class WebhookAttempt(TenantModel):
    """One HTTP request of a delivery: the response code (none when the request did not get an
    answer), how long it took and what went wrong."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    attempted_at = models.DateTimeField(_("time"))
    status_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration, ms"))
    succeeded = models.BooleanField(_("succeeded"), default=False)
    error = models.CharField(_("error"), max_length=300, blank=True)
    response_excerpt = models.CharField(_("response"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["attempted_at", "id"]
        indexes = [models.Index(fields=["organization", "delivery", "attempted_at"], name="whattempt_org_delivery_idx")]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.status_code}"
