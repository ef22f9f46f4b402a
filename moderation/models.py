"""The inbox: comments, private messages and brand mentions synced from the platforms.

``sentiment`` stays NULL until the tone classifier (or a person) labels it; ``tone_source`` says
which, and a person's label is never overwritten by the model (it is also training data for the
organization, see docs/tone.md). ``status`` is the team's workflow
state; the sync never overwrites it (only platform-side fields are upserted).
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import facts
from integrations.models import SocialAccount
from tenancy.models import TenantModel, TenantQuerySet


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
    ASSIGNED = "assigned", _("Assigned")
    WAITING = "waiting", _("Waiting for the customer")
    REPLIED = "replied", _("Replied")
    ESCALATED = "escalated", _("Escalated")
    RESOLVED = "resolved", _("Resolved")


# Statuses still waiting for the brand's first answer (the reply service level counts them).
OPEN_STATUSES = (InboxStatus.NEW, InboxStatus.ASSIGNED, InboxStatus.ESCALATED)


class InboxTag(models.TextChoices):
    QUESTION = "question", _("Question")
    COMPLAINT = "complaint", _("Complaint")
    ORDER = "order", _("Order")
    PRAISE = "praise", _("Praise")
    SPAM = "spam", _("Spam")


def _weekdays() -> list[int]:
    return [1, 2, 3, 4, 5]


class InboxItemQuerySet(TenantQuerySet["InboxItem"]):
    def delete(self) -> tuple[int, dict[str, int]]:
        facts.rows_deleting(self)  # the daily rollups re-sum these days
        return super().delete()


InboxItemManager = models.Manager.from_queryset(InboxItemQuerySet)


class InboxItem(TenantModel):
    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=InboxKind.choices)
    external_id = models.CharField(max_length=150)
    # The platform post the comment sits under (SocialPost.external_id of the same account; the
    # post lives in analytics, a layer above, so pages join it by this key).
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
    # The team's work on the item (never touched by a re-sync).
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assignee"),
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    thread_parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="thread_replies"
    )
    # Set by "waiting for the customer"; a newer customer message in the thread clears the wait.
    waiting_since = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    # Seconds counted in the organization's business hours when it has them (reply service level).
    first_response_seconds = models.PositiveIntegerField(null=True, blank=True)
    resolution_seconds = models.PositiveIntegerField(null=True, blank=True)
    is_hidden = models.BooleanField(_("hidden on the platform"), default=False)
    sla_alerted_at = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InboxItemManager()  # type: ignore[misc]  # its querysets' delete() reports the rows' days

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
            # The inbox list: newest first within one organization, keyset-stable.
            models.Index(fields=["organization", "-created_at", "-id"], name="inbox_org_created_idx"),
            # The tone batch: audience items without a label yet (a small, shrinking set).
            models.Index(
                fields=["organization", "id"],
                name="inbox_tone_pending_idx",
                condition=models.Q(sentiment__isnull=True, is_from_account=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.external_id}"

    def delete(self, *args, **kwargs):
        facts.facts_changed(InboxItem, self.organization_id, [self.created_at])  # the daily rollups
        return super().delete(*args, **kwargs)


class InboxNote(TenantModel):
    """An internal note on an item: seen by the team only, never sent to the platform."""

    item = models.ForeignKey(InboxItem, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["organization", "item"], name="inboxnote_org_item_idx")]


class ReplyStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class InboxReply(TenantModel):
    """A reply written in the product. ``idempotency_key`` makes a repeated submit one reply; the
    sender moves ``queued → sending`` under a row lock, so a retry never sends twice."""

    item = models.ForeignKey(InboxItem, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("reply"))
    idempotency_key = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=ReplyStatus.choices, default=ReplyStatus.QUEUED)
    external_id = models.CharField(max_length=150, blank=True)
    error = models.TextField(_("why it failed"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the sender last took it ("sending" since then): a stale claim means a dead worker.
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "idempotency_key"], name="inboxreply_idempotency_key")
        ]
        indexes = [models.Index(fields=["organization", "item"], name="inboxreply_org_item_idx")]


class ActionKind(models.TextChoices):
    ASSIGN = "assign", _("Assigned")
    ESCALATE = "escalate", _("Escalated")
    HIDE = "hide", _("Hidden on the platform")
    RESOLVE = "resolve", _("Resolved")
    TESTIMONIAL = "testimonial", _("Marked as a testimonial")
    WAIT = "wait", _("Waiting for the customer")


class InboxAction(TenantModel):
    """The log of what the team did to an item and why (escalations, hiding, resolutions)."""

    item = models.ForeignKey(InboxItem, on_delete=models.CASCADE, related_name="actions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=16, choices=ActionKind.choices)
    reason = models.TextField(_("reason"), blank=True)
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["organization", "item"], name="inboxaction_org_item_idx")]


class SavedReply(TenantModel):
    """A prepared answer; ``{author}`` and ``{brand}`` are filled in when it is used."""

    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["organization", "title"], name="savedreply_org_title_idx")]

    def __str__(self) -> str:
        return self.title


class ReplyServiceLevel(TenantModel):
    """The organization's first-response target and optional business hours (its timezone)."""

    organization = models.OneToOneField("tenancy.Organization", on_delete=models.CASCADE, related_name="+")
    first_response_minutes = models.PositiveIntegerField(_("first response target, minutes"), default=60)
    business_hours = models.BooleanField(_("count business hours only"), default=False)
    day_start = models.TimeField(_("working day starts"), default=dt.time(9))
    day_end = models.TimeField(_("working day ends"), default=dt.time(18))
    # ISO weekdays (1 = Monday).
    workdays = models.JSONField(_("working days"), default=_weekdays)
    skip_holidays = models.BooleanField(_("skip Russian public holidays"), default=True)
    alert_email = models.EmailField(_("alert email"), blank=True)


class BrandKeyword(TenantModel):
    """A phrase the mention search looks for on the platforms; a found post whose text contains one
    of ``exclusions`` (case-insensitive) is not the brand's (e.g. "зерно" the grain) and is skipped."""

    phrase = models.CharField(_("phrase"), max_length=100)
    exclusions = models.JSONField(_("exclude posts containing"), default=list, blank=True)
    is_active = models.BooleanField(_("search for it"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("brand keyword")
        verbose_name_plural = _("brand keywords")
        ordering = ["phrase", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "phrase"], name="brandkeyword_org_phrase")]

    def __str__(self) -> str:
        return self.phrase
