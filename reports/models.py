"""Report settings of an organization and its reports: frozen snapshots of a closed period.

A report's figures are computed once, when it is generated, and stored in `snapshot` (JSON);
pages, downloads and emails read only the snapshot, so a later sync never changes a report that
was already read or sent (docs/reports.md).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tenancy.models import TenantModel


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    WEEKLY = "weekly", _("Weekly")


class ReportStatus(models.TextChoices):
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class PdfStatus(models.TextChoices):
    PENDING = "pending", _("Being prepared")
    READY = "ready", _("Ready")
    UNAVAILABLE = "unavailable", _("Unavailable")


class ReportSettings(TenantModel):
    """How often the organization gets a report, who receives it and which KPIs were agreed."""

    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices, default=Frequency.MONTHLY)
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    # Catalog keys; empty means "the approved strategy's goals' KPIs".
    kpis = models.JSONField(_("agreed KPIs"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("report settings")
        verbose_name_plural = _("report settings")
        constraints = [models.UniqueConstraint(fields=["organization"], name="reportsettings_one_per_org")]


class Report(TenantModel):
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(_("status"), max_length=8, choices=ReportStatus.choices, default=ReportStatus.READY)
    generated_at = models.DateTimeField(_("generated at"))
    snapshot = models.JSONField(default=dict)
    pdf = models.BinaryField(null=True, blank=True)
    pdf_status = models.CharField(max_length=12, choices=PdfStatus.choices, default=PdfStatus.PENDING)
    pdf_error = models.CharField(max_length=500, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    emailed_to = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-period_end", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "period_start", "period_end"], name="report_one_per_org_period"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="report_period_valid"
            ),
        ]
        indexes = [models.Index(fields=["organization", "-period_end"], name="report_org_period_idx")]

    def __str__(self) -> str:
        return f"{self.period_start}–{self.period_end}"
