"""The strategy document: versions and approval, goals, key platforms and content pillars.

Invariants that span rows (share sums, at most two key platforms, one approved strategy per
period) are enforced in the services; the constraints here are the database's second fence."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.formatting import format_kpi
from core.kpis import KPI_CHOICES, OBJECTIVE_CHOICES, UNIT_LABELS, Unit, kpi_get
from core.vocabulary import PostFormat, SocialPlatform
from tenancy.models import TenantModel

from .analysis import Competitor


class FunnelStage(models.TextChoices):
    AWARENESS = "awareness", _("Awareness")
    CONSIDERATION = "consideration", _("Consideration")
    CONVERSION = "conversion", _("Conversion")
    LOYALTY = "loyalty", _("Loyalty")


class Strategy(TenantModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved")
        ARCHIVED = "archived", _("Archived")

    title = models.CharField(_("title"), max_length=200)
    version = models.PositiveIntegerField(_("version"), default=1)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("previous version")
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    positioning_statement = models.TextField(_("positioning statement"), blank=True)
    differentiators = models.TextField(
        _("differentiators"), blank=True, help_text=_("How the brand differs from the named competitors.")
    )
    competitors = models.ManyToManyField(
        Competitor, through="StrategyCompetitor", blank=True, related_name="+", verbose_name=_("competitors")
    )
    tone_guidelines = models.TextField(_("tone of voice"), blank=True)
    words_to_use = models.TextField(_("words to use"), blank=True)
    words_to_avoid = models.TextField(_("words to avoid"), blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("strategy")
        verbose_name_plural = _("strategies")
        ordering = ["-period_start", "-version"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="strategy_period_valid",
                violation_error_message=_("The period must end after it starts."),
            ),
            # Exact-period duplicates on every database; overlapping periods are refused by the service under
            # a lock and, on PostgreSQL, by the exclusion constraint added in migration 0002.
            models.UniqueConstraint(
                fields=["organization", "period_start"],
                condition=Q(status="approved"),
                name="strategy_one_approved_per_start",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status", "period_start"], name="strategy_org_status_idx")]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    def covers(self, day) -> bool:
        return self.period_start <= day <= self.period_end


class StrategyCompetitor(TenantModel):
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="+")
    competitor = models.ForeignKey(Competitor, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "strategy", "competitor"], name="strategycompetitor_uniq")
        ]


class Goal(TenantModel):
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("title"), max_length=200, blank=True)
    objective = models.CharField(_("business objective"), max_length=16, choices=OBJECTIVE_CHOICES)
    kpi = models.CharField(_("KPI"), max_length=32, choices=KPI_CHOICES)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=32, blank=True)
    deadline = models.DateField(_("deadline"))
    platform = models.CharField(
        _("platform scope"),
        max_length=16,
        choices=SocialPlatform.choices,
        blank=True,
        help_text=_("Empty = all platforms."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["strategy_id", "id"]
        indexes = [models.Index(fields=["organization", "strategy"], name="goal_org_strategy_idx")]

    def __str__(self) -> str:
        return self.title or f"{self.get_kpi_display()} → {format_kpi(self.kpi, self.target, self.unit or None)}"

    @property
    def kpi_def(self):
        return kpi_get(self.kpi)

    @property
    def label(self) -> str:
        return str(self)

    @property
    def unit_label(self) -> str:
        """Short unit for display: %, min or a currency code; plain counts show none."""
        try:
            return str(UNIT_LABELS[Unit(self.unit)])
        except ValueError:
            return self.unit  # a currency code or a custom unit typed by the user


class PlatformChoice(TenantModel):
    class Role(models.TextChoices):
        KEY = "key", _("Key")
        SECONDARY = "secondary", _("Secondary")

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="platforms")
    platform = models.CharField(_("platform"), max_length=16, choices=SocialPlatform.choices)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.KEY)
    rationale = models.TextField(_("rationale"))

    class Meta:
        verbose_name = _("platform choice")
        verbose_name_plural = _("platform choices")
        ordering = ["strategy_id", "role", "platform"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "strategy", "platform"], name="platformchoice_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} ({self.get_role_display()})"


class ContentPillar(TenantModel):
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="pillars")
    name = models.CharField(_("theme"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    objective = models.CharField(_("objective"), max_length=16, choices=OBJECTIVE_CHOICES)
    funnel_stage = models.CharField(_("funnel stage"), max_length=16, choices=FunnelStage.choices)
    target_share = models.PositiveSmallIntegerField(
        _("target share of posts, %"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    formats = models.JSONField(_("formats"), default=list, blank=True)
    goals = models.ManyToManyField(Goal, through="PillarGoal", blank=True, related_name="pillars")

    class Meta:
        verbose_name = _("content pillar")
        verbose_name_plural = _("content pillars")
        ordering = ["strategy_id", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "strategy", "name"], name="pillar_uniq")]

    def __str__(self) -> str:
        return self.name

    @property
    def format_labels(self) -> list[str]:
        return [str(PostFormat(f).label) for f in self.formats if f in PostFormat.values]


class PillarGoal(TenantModel):
    """Which goals a pillar serves (a through table so it carries `organization` too)."""

    pillar = models.ForeignKey(ContentPillar, on_delete=models.CASCADE, related_name="+")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "pillar", "goal"], name="pillargoal_uniq")]


# --- Trends and experiments -------------------------------------------------------------------
