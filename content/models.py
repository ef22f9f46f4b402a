"""Posts of the content plan. Minimal for now: enough for the launch gate (every scheduled post
serves a goal through a pillar of the current approved strategy)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.vocabulary import PostFormat, SocialPlatform
from strategy.models import ContentPillar, Goal, Strategy
from tenancy.models import TenantModel


class PostObjective(models.TextChoices):
    """What the post is for: every post serves one business objective of the strategy."""

    ENGAGEMENT = "engagement", _("Engagement / awareness")
    LEADS = "leads", _("Lead generation")
    SALES = "sales", _("Sales")
    LOYALTY = "loyalty", _("Loyalty / support")


class Post(TenantModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
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
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    scheduled_at = models.DateTimeField(_("scheduled at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
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
