"""The inbox: comments, private messages and brand mentions synced from the platforms.

``sentiment`` stays NULL until the tone classifier (or a person) labels it; ``tone_source`` says
which, and a person's label is never overwritten by the model (it is also training data for the
organization, see docs/tone.md). ``status`` is the team's workflow
state; the sync never overwrites it (only platform-side fields are upserted).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from integrations.models import SocialAccount
from tenancy.models import TenantModel


class InboxKind(models.TextChoices):
    COMMENT = "comment", _("Comment")
    MESSAGE = "message", _("Message")
    MENTION = "mention", _("Mention")


class Sentiment(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")


class ToneSource(models.TextChoices):
    MODEL = "model", _("Model")
    PERSON = "person", _("Person")


class InboxStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    ANSWERED = "answered", _("Answered")
    RESOLVED = "resolved", _("Resolved")


class InboxItem(TenantModel):
    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=InboxKind.choices)
    external_id = models.CharField(max_length=150)
    # The platform post the comment sits under (SocialPost.external_id of the same account).
    post_external_id = models.CharField(max_length=100, blank=True)
    parent_external_id = models.CharField(max_length=150, blank=True)
    author_name = models.CharField(_("author"), max_length=200, blank=True)
    author_external_id = models.CharField(max_length=100, blank=True)
    text = models.TextField(_("text"), blank=True)
    url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(_("written at"))
    like_count = models.IntegerField(null=True, blank=True)
    # Written by the connected account itself (our reply) — not something to answer.
    is_from_account = models.BooleanField(default=False)
    sentiment = models.CharField(_("tone"), max_length=16, choices=Sentiment.choices, null=True, blank=True)
    tone_confidence = models.FloatField(_("tone confidence"), null=True, blank=True)
    tone_source = models.CharField(_("tone set by"), max_length=8, choices=ToneSource.choices, blank=True)
    tone_model_version = models.CharField(_("tone model version"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=InboxStatus.choices, default=InboxStatus.NEW)
    answered_at = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("inbox item")
        verbose_name_plural = _("inbox items")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "account", "kind", "external_id"], name="inboxitem_natural_key"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "-created_at"], name="inbox_org_status_idx"),
            models.Index(fields=["organization", "account", "-created_at"], name="inbox_org_account_idx"),
            # The tone batch: audience items without a label yet (a small, shrinking set).
            models.Index(
                fields=["organization", "id"],
                name="inbox_tone_pending_idx",
                condition=models.Q(sentiment__isnull=True, is_from_account=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.external_id}"
