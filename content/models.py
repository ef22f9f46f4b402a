"""Posts of the content plan and their publications.

A post serves a goal through a pillar of the current approved strategy (the launch gate). It goes
to one or more connected accounts; each account gets its own ``Publication`` with its own status,
attempts and external id (the pipeline is described in docs/publishing.md)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.vocabulary import PostFormat, SocialPlatform
from integrations.models import SocialAccount
from strategy.models import ContentPillar, Goal, Strategy
from tenancy.models import TenantModel


class PostObjective(models.TextChoices):
    """What the post is for: every post serves one business objective of the strategy."""

    ENGAGEMENT = "engagement", _("Engagement / awareness")
    LEAD_GENERATION = "lead_generation", _("Lead generation")
    SALES = "sales", _("Sales")
    LOYALTY = "loyalty", _("Loyalty / support")


class FunnelStage(models.TextChoices):
    AWARENESS = "awareness", _("Awareness")
    CONSIDERATION = "consideration", _("Consideration")
    CONVERSION = "conversion", _("Conversion")
    LOYALTY = "loyalty", _("Loyalty")


class CallToAction(models.TextChoices):
    LEARN_MORE = "learn_more", _("Learn more")
    SIGN_UP = "sign_up", _("Sign up")
    BUY = "buy", _("Buy")
    BOOK = "book", _("Book")
    CONTACT = "contact", _("Contact us")
    SUBSCRIBE = "subscribe", _("Subscribe")


class Post(TenantModel):
    class Status(models.TextChoices):
        # idea → draft → in_review → approved are the editor's; from scheduled on the status is
        # derived from the post's publications (content.publishing.post_status_of).
        IDEA = "idea", _("Idea")
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHING = "publishing", _("Publishing")
        PUBLISHED = "published", _("Published")
        FAILED = "failed", _("Failed")

    strategy = models.ForeignKey(
        Strategy, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("strategy")
    )
    goal = models.ForeignKey(
        Goal, null=True, blank=True, on_delete=models.PROTECT, related_name="posts", verbose_name=_("goal")
    )
    pillar = models.ForeignKey(
        ContentPillar,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="posts",
        verbose_name=_("content pillar"),
    )
    platform = models.CharField(_("platform"), max_length=16, choices=SocialPlatform.choices)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    objective = models.CharField(_("objective"), max_length=16, choices=PostObjective.choices)
    format = models.CharField(_("format"), max_length=16, choices=PostFormat.choices, default=PostFormat.TEXT)
    funnel_stage = models.CharField(_("funnel stage"), max_length=16, choices=FunnelStage.choices, blank=True)
    # Platform → its own text where it differs from `text` (limits in content.rules).
    texts = models.JSONField(_("text per platform"), default=dict, blank=True)
    # The accounts the post goes to (ids of this organization's SocialAccount); empty = every
    # connected account of the platform. Each gets its own Publication when scheduled.
    target_accounts = models.JSONField(_("target accounts"), default=list, blank=True)
    cta_type = models.CharField(_("call to action"), max_length=16, choices=CallToAction.choices, blank=True)
    cta_url = models.URLField(_("call to action link"), max_length=2000, blank=True)
    # The tracked short link (with UTM tags) published instead of `cta_url`; filled by the links app.
    cta_short_url = models.CharField(_("tracked short link"), max_length=300, blank=True, editable=False)
    contest_rules = models.TextField(_("contest rules"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    scheduled_at = models.DateTimeField(_("scheduled at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "status", "scheduled_at"], name="post_org_status_sched_idx"),
            models.Index(fields=["organization", "-created_at"], name="post_org_created_idx"),
        ]
        constraints = [
            # The database's own fence for the launch gate's "a scheduled post serves a goal and a pillar".
            models.CheckConstraint(
                condition=~models.Q(status="scheduled")
                | (
                    models.Q(goal__isnull=False)
                    & models.Q(pillar__isnull=False)
                    & models.Q(strategy__isnull=False)
                    & models.Q(scheduled_at__isnull=False)
                ),
                name="post_scheduled_has_goal_pillar",
            ),
        ]

    def __str__(self) -> str:
        return self.title


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


class ErrorKind(models.TextChoices):
    """What a failed attempt means for the next one (docs/publishing.md, "Errors")."""

    TRANSIENT = "transient", _("Temporary: retried automatically")
    PERMANENT = "permanent", _("Permanent: needs a change before retrying")
    NEEDS_ACTION = "needs_action", _("Needs a check on the platform")


class Publication(TenantModel):
    """One post on one account: claimed once per attempt by the publisher (status + claim token)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHING = "publishing", _("Publishing")
        PUBLISHED = "published", _("Published")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="publications", verbose_name=_("post"))
    account = models.ForeignKey(
        SocialAccount, on_delete=models.PROTECT, related_name="publications", verbose_name=_("account")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    scheduled_at = models.DateTimeField(_("scheduled at"))
    # When the publisher may take it next: the scheduled time, then the backoff of a retry.
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    # Set together with status "publishing": only the task holding this token may finish it, and
    # the watchdog takes the publication back once the lease is over.
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # Sent with the post where the platform accepts one (VK's guid) and used to find the post again.
    idempotency_key = models.CharField(max_length=64, default=new_idempotency_key, editable=False)
    external_id = models.CharField(_("platform post id"), max_length=100, blank=True)
    external_url = models.URLField(_("link"), max_length=500, blank=True)
    error_kind = models.CharField(_("error kind"), max_length=16, choices=ErrorKind.choices, blank=True)
    error_code = models.CharField(_("error code"), max_length=64, blank=True)
    error_message = models.TextField(_("error"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Attempts started up to this time need no check on the platform: the author saw that the post
    # is not there and chose to retry (see content.publishing, "unknown outcome").
    verified_through = models.DateTimeField(null=True, blank=True, editable=False)
    # Set once the watchdog has raised the alert for a late publication (alerts once, not every run).
    overdue_flagged_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["scheduled_at", "id"]
        indexes = [
            models.Index(fields=["organization", "status", "next_attempt_at"], name="pub_org_status_next_idx"),
            models.Index(fields=["organization", "post"], name="pub_org_post_idx"),
            # The publisher's and the watchdog's scans cross organizations: by status and time.
            models.Index(fields=["status", "next_attempt_at"], name="pub_status_next_idx"),
            models.Index(fields=["status", "claimed_until"], name="pub_status_claim_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["organization", "idempotency_key"], name="pub_org_idempotency_key_uniq"),
            models.UniqueConstraint(
                fields=["organization", "post", "account"],
                condition=~models.Q(status="cancelled"),
                name="pub_one_live_per_post_account",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="publishing")
                | (models.Q(claim_token__isnull=False) & models.Q(claimed_until__isnull=False)),
                name="pub_publishing_is_claimed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post} → {self.account}"


class PublishAttempt(TenantModel):
    """One call to the platform. "started" is written before the call, so a worker that dies
    mid-call leaves the evidence that the outcome must be checked before sending again."""

    class Result(models.TextChoices):
        STARTED = "started", _("Started")
        SUCCESS = "success", _("Published")
        FOUND = "found", _("Found already published")
        TRANSIENT = "transient", _("Temporary error")
        UNKNOWN = "unknown", _("Outcome unknown")
        PERMANENT = "permanent", _("Permanent error")

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="attempts_made")
    started_at = models.DateTimeField(_("time"))
    result = models.CharField(_("result"), max_length=16, choices=Result.choices, default=Result.STARTED)
    error_code = models.CharField(_("platform error code"), max_length=64, blank=True)
    message = models.TextField(_("message"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration, ms"), null=True, blank=True)

    class Meta:
        verbose_name = _("publish attempt")
        verbose_name_plural = _("publish attempts")
        ordering = ["started_at", "id"]
        indexes = [models.Index(fields=["organization", "publication", "started_at"], name="pubattempt_org_pub_idx")]

    def __str__(self) -> str:
        return f"{self.publication_id} {self.result}"


class Notification(TenantModel):
    """An in-app message to one member (a failed publication tells its author why)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    publication = models.ForeignKey(
        Publication, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "user", "read_at"], name="notif_org_user_read_idx")]

    def __str__(self) -> str:
        return self.title


class PostMedia(TenantModel):
    """A photo or video of a post, stored through Django's default storage (MEDIA_ROOT, or S3 when
    configured); its kind, size and count are checked per platform (content.rules)."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        VIDEO = "video", _("Video")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="media", verbose_name=_("post"))
    file = models.FileField(_("file"), upload_to="posts/%Y/%m/")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    size = models.PositiveBigIntegerField(_("size, bytes"))
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("post media")
        verbose_name_plural = _("post media")
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["organization", "post"], name="postmedia_org_post_idx")]

    def __str__(self) -> str:
        return self.file.name or ""


class PostEvent(TenantModel):
    """The post's history: every status change and every review comment, with who and when."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        EDITED = "edited", _("Edited")
        SUBMITTED = "submitted", _("Submitted for review")
        APPROVED = "approved", _("Approved")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        SCHEDULED = "scheduled", _("Scheduled")
        UNSCHEDULED = "unscheduled", _("Unscheduled")
        MOVED = "moved", _("Moved")
        COMMENTED = "commented", _("Commented")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="events", verbose_name=_("post"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("post event")
        verbose_name_plural = _("post events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["organization", "post", "created_at"], name="postevent_org_post_idx")]

    def __str__(self) -> str:
        return f"{self.post_id} {self.action}"


# The plan around the posts (slots, feed, dates) lives in its own module; registered here.
from .plan_models import CalendarDate, CalendarFeed, HiddenDate, PlannedSlot  # noqa: E402, F401
