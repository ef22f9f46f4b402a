"""Strategy: analysis (profile, audience, competitors, presence audit), the strategy document with
goals, key platforms, positioning and content pillars, plus trend notes and experiments.

Invariants that span rows (share sums, at most two key platforms, one approved strategy per
period, FKs within one organization) are enforced in `services.py`; the constraints here are the
database's second fence. Every child row carries `organization` on purpose (docs/ARCHITECTURE.md, Tenancy).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.kpis import KPI_CHOICES, OBJECTIVE_CHOICES, UNIT_LABELS, Unit, kpi_get
from core.vocabulary import PostFormat, SocialPlatform
from tenancy.models import CURRENCY_CHOICES, TenantModel


class FunnelStage(models.TextChoices):
    AWARENESS = "awareness", _("Awareness")
    CONSIDERATION = "consideration", _("Consideration")
    CONVERSION = "conversion", _("Conversion")
    LOYALTY = "loyalty", _("Loyalty")


PERCENT_VALIDATORS = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


# --- Analysis ---------------------------------------------------------------------------------


class BusinessProfile(TenantModel):
    class PriceSegment(models.TextChoices):
        ECONOMY = "economy", _("Economy")
        MIDDLE = "middle", _("Middle")
        PREMIUM = "premium", _("Premium")
        LUXURY = "luxury", _("Luxury")

    product = models.TextField(_("product or service"))
    value_proposition = models.TextField(_("value proposition"), blank=True)
    price_segment = models.CharField(
        _("price segment"), max_length=16, choices=PriceSegment.choices, default=PriceSegment.MIDDLE
    )
    geography = models.CharField(_("geography"), max_length=300, blank=True)
    sales_channels = models.TextField(_("sales channels"), blank=True)
    average_order_value = models.DecimalField(
        _("average order value"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    gross_margin_percent = models.DecimalField(
        _("gross margin, %"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT_VALIDATORS,
        help_text=_("Used to compute ad ROI."),
    )
    support_contact_cost = models.DecimalField(
        _("cost of one support contact"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("Used to compute savings when questions are resolved in social media."),
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="RUB")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("business profile")
        verbose_name_plural = _("business profiles")
        constraints = [models.UniqueConstraint(fields=["organization"], name="businessprofile_org_uniq")]

    def __str__(self) -> str:
        return self.product[:60]


class AudienceSegment(TenantModel):
    name = models.CharField(_("name"), max_length=120)
    demographics = models.TextField(_("demographics"), blank=True)
    needs = models.TextField(_("needs"), blank=True)
    pains = models.TextField(_("pains"), blank=True)
    objections = models.TextField(_("objections"), blank=True)
    platforms = models.JSONField(_("where they spend time"), default=list, blank=True)
    buying_triggers = models.TextField(_("buying triggers"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("audience segment")
        verbose_name_plural = _("audience segments")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="audiencesegment_org_name_uniq")]

    def __str__(self) -> str:
        return self.name


class Competitor(TenantModel):
    name = models.CharField(_("name"), max_length=120)
    links = models.JSONField(_("links per platform"), default=dict, blank=True)
    positioning_notes = models.TextField(_("positioning notes"), blank=True)
    strengths = models.TextField(_("strengths"), blank=True)
    weaknesses = models.TextField(_("weaknesses"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="competitor_org_name_uniq")]

    def __str__(self) -> str:
        return self.name


class CompetitorSnapshot(TenantModel):
    """Followers/engagement of a competitor on a date: typed in now, filled by connectors later."""

    competitor = models.ForeignKey(Competitor, on_delete=models.CASCADE, related_name="snapshots")
    platform = models.CharField(_("platform"), max_length=16, choices=SocialPlatform.choices)
    date = models.DateField(_("date"))
    followers = models.PositiveIntegerField(_("followers"), null=True, blank=True)
    engagement_rate = models.DecimalField(
        _("engagement rate, %"), max_digits=6, decimal_places=2, null=True, blank=True, validators=PERCENT_VALIDATORS
    )

    class Meta:
        verbose_name = _("competitor snapshot")
        verbose_name_plural = _("competitor snapshots")
        ordering = ["-date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "competitor", "platform", "date"], name="competitorsnapshot_natural_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.competitor_id} {self.platform} {self.date}"


class PresenceAudit(TenantModel):
    """The brand's own starting point on a platform at a date; goals are measured from it."""

    platform = models.CharField(_("platform"), max_length=16, choices=SocialPlatform.choices)
    date = models.DateField(_("date"))
    followers = models.PositiveIntegerField(_("followers"), default=0)
    average_reach = models.PositiveIntegerField(_("average reach per post"), default=0)
    engagement_rate = models.DecimalField(
        _("engagement rate, %"), max_digits=6, decimal_places=2, default=Decimal(0), validators=PERCENT_VALIDATORS
    )
    posts_per_week = models.DecimalField(
        _("posts per week"), max_digits=5, decimal_places=1, default=Decimal(0), validators=[MinValueValidator(0)]
    )
    response_time_minutes = models.PositiveIntegerField(_("response time, minutes"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("presence audit")
        verbose_name_plural = _("presence audits")
        ordering = ["-date", "platform"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "platform", "date"], name="presenceaudit_natural_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.date}"


# --- Strategy document ------------------------------------------------------------------------


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
        return self.title or f"{self.get_kpi_display()} → {self.target}"

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


class TrendNote(TenantModel):
    class Kind(models.TextChoices):
        ALGORITHM = "algorithm", _("Algorithm change")
        FEATURE = "feature", _("New feature")
        AUDIENCE = "audience", _("Audience behaviour")
        NICHE = "niche", _("Niche trend")

    class Impact(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    platform = models.CharField(_("platform"), max_length=16, choices=SocialPlatform.choices, blank=True)
    description = models.TextField(_("what changed"), blank=True)
    source_url = models.URLField(_("source link"), blank=True)
    noted_on = models.DateField(_("date"))
    impact = models.CharField(_("expected impact"), max_length=8, choices=Impact.choices, default=Impact.MEDIUM)
    expected_impact = models.TextField(_("impact details"), blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("trend note")
        verbose_name_plural = _("trend notes")
        ordering = ["-noted_on", "-id"]
        indexes = [models.Index(fields=["organization", "-noted_on"], name="trendnote_org_date_idx")]

    def __str__(self) -> str:
        return self.title


class Experiment(TenantModel):
    class Kind(models.TextChoices):
        FORMAT = "format", _("New format")
        PLATFORM = "platform", _("New platform")
        FEATURE = "feature", _("New feature")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        RUNNING = "running", _("Running")
        CONCLUDED = "concluded", _("Concluded")

    class Decision(models.TextChoices):
        ADOPT = "adopt", _("Adopt")
        DROP = "drop", _("Drop")
        EXTEND = "extend", _("Extend")

    title = models.CharField(_("title"), max_length=200)
    hypothesis = models.TextField(_("hypothesis"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    platform = models.CharField(_("platform"), max_length=16, choices=SocialPlatform.choices, blank=True)
    trend = models.ForeignKey(
        TrendNote,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="experiments",
        verbose_name=_("trend note"),
    )
    budget_cap = models.DecimalField(
        _("budget cap"), max_digits=12, decimal_places=2, default=Decimal(0), validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="RUB")
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    success_metric = models.CharField(_("success metric"), max_length=200)
    success_threshold = models.DecimalField(_("success threshold"), max_digits=14, decimal_places=2)
    higher_is_better = models.BooleanField(
        _("higher is better"),
        default=True,
        help_text=_("Success means the result reaches the threshold from this side."),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    result_value = models.DecimalField(_("result"), max_digits=14, decimal_places=2, null=True, blank=True)
    result_notes = models.TextField(_("result figures and notes"), blank=True)
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices, blank=True)
    recommendation = models.TextField(_("recommendation"), blank=True)
    concluded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("experiment")
        verbose_name_plural = _("experiments")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="experiment_period_valid",
                violation_error_message=_("The experiment must end after it starts."),
            )
        ]
        indexes = [models.Index(fields=["organization", "status", "-start_date"], name="experiment_org_status_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def succeeded(self) -> bool | None:
        if self.result_value is None:
            return None
        if self.higher_is_better:
            return self.result_value >= self.success_threshold
        return self.result_value <= self.success_threshold
