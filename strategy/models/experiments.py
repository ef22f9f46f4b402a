"""Trend notes and the experiments planned from them."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.vocabulary import SocialPlatform
from tenancy.models import CURRENCY_CHOICES, TenantModel


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
