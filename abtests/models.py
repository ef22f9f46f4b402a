"""A/B tests: a planned comparison of variants on one primary metric decided up front.

Separate from the strategy's experiments (``strategy.Experiment``: a pilot of a new format,
platform or feature judged against one threshold, no control group); an A/B test splits traffic
between a control and challengers and is judged by statistics (``abtests/stats.py``). Both end with
the same decision vocabulary (adopt | drop | extend) so reports read them alike. See docs/ab-tests.md.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ads.models import AdCampaign
from analytics.models import SocialPost
from strategy.models import Experiment
from tenancy.models import CURRENCY_CHOICES, TenantModel


class Varies(models.TextChoices):
    CREATIVE = "creative", _("Creative")
    AUDIENCE = "audience", _("Audience")
    OBJECTIVE = "objective", _("Objective")
    POST = "post", _("Organic post variant")


class Metric(models.TextChoices):
    # Values equal abtests.stats.Metric.
    CTR = "ctr", _("CTR (clicks / impressions)")
    LEAD_CONVERSION = "lead_conversion", _("Lead conversion (leads / clicks)")
    CPL = "cpl", _("Cost per lead (CPL)")


class ABTest(TenantModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        RUNNING = "running", _("Running")
        CONCLUDED = "concluded", _("Concluded")

    class Verdict(models.TextChoices):
        WINNER = "winner", _("Winner")
        INCONCLUSIVE = "inconclusive", _("Inconclusive")

    Decision = Experiment.Decision

    title = models.CharField(_("title"), max_length=200)
    hypothesis = models.TextField(_("hypothesis"))
    varies = models.CharField(_("what varies"), max_length=16, choices=Varies.choices)
    metric = models.CharField(_("primary metric"), max_length=16, choices=Metric.choices)
    mde_percent = models.DecimalField(
        _("minimum detectable effect, %"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal(500))],
        help_text=_("The smallest relative change worth detecting, e.g. 20 % more clicks or a 20 % cheaper lead."),
    )
    alpha = models.DecimalField(
        _("significance level"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.050"),
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("0.200"))],
    )
    power = models.DecimalField(
        _("power"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.800"),
        validators=[MinValueValidator(Decimal("0.500")), MaxValueValidator(Decimal("0.990"))],
    )
    baseline_percent = models.DecimalField(
        _("current rate, %"),
        max_digits=7,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.0001")), MaxValueValidator(Decimal("99.9999"))],
        help_text=_("The control's current CTR or lead conversion; taken from the linked campaign when empty."),
    )
    daily_traffic = models.PositiveIntegerField(
        _("traffic per day"),
        null=True,
        blank=True,
        help_text=_("Impressions (CTR), clicks (lead conversion) or leads (CPL) a day across all variants."),
    )
    required_per_variant = models.PositiveIntegerField(_("planned sample per variant"), default=0)
    planned_days = models.PositiveIntegerField(_("planned duration, days"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    verdict = models.CharField(_("verdict"), max_length=16, choices=Verdict.choices, blank=True)
    # The winning variant by position (0 = the control) and its name, frozen at conclusion. Not a
    # foreign key: test → variant → test would be a cycle, and the organization purge deletes
    # children before parents (portability/tables.py).
    winner_position = models.PositiveSmallIntegerField(_("winner"), null=True, blank=True)
    winner_name = models.CharField(_("winner"), max_length=120, blank=True)
    decision = models.CharField(_("decision"), max_length=8, choices=Experiment.Decision.choices, blank=True)
    decision_notes = models.TextField(_("decision notes"), blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)  # the evaluation frozen at conclusion
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="RUB")
    concluded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("A/B test")
        verbose_name_plural = _("A/B tests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="abtest_period_valid",
                violation_error_message=_("The test must end after it starts."),
            )
        ]
        indexes = [
            models.Index(fields=["organization", "status", "-created_at"], name="abtest_org_status_idx"),
            models.Index(fields=["organization", "concluded_at"], name="abtest_org_concluded_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_cpl(self) -> bool:
        return self.metric == Metric.CPL


class ABVariant(TenantModel):
    """One arm of a test; position 0 is the control. Counts come from the linked campaign or post
    over the test's dates, or are entered by hand where nothing is linked."""

    test = models.ForeignKey(ABTest, on_delete=models.CASCADE, related_name="variants")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(_("variant"), max_length=120)
    campaign = models.ForeignKey(
        AdCampaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("ad campaign")
    )
    post = models.ForeignKey(
        SocialPost, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("post")
    )
    units = models.BigIntegerField(
        _("impressions or clicks"), default=0, validators=[MinValueValidator(0)], help_text=_("The denominator.")
    )
    conversions = models.BigIntegerField(
        _("clicks or leads"), default=0, validators=[MinValueValidator(0)], help_text=_("The numerator.")
    )
    spend = models.DecimalField(
        _("spend"), max_digits=14, decimal_places=2, default=Decimal(0), validators=[MinValueValidator(0)]
    )
    counts_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("A/B variant")
        verbose_name_plural = _("A/B variants")
        ordering = ["test_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "test", "position"], name="abvariant_position_unique"),
            models.CheckConstraint(
                condition=Q(units__gte=0) & Q(conversions__gte=0) & Q(spend__gte=0), name="abvariant_counts_nonneg"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_control(self) -> bool:
        return self.position == 0

    @property
    def linked(self) -> bool:
        return self.campaign_id is not None or self.post_id is not None
