"""Ad campaigns and their daily statistics, synced from ad accounts (Meta Ads, VK Ads, demo).

Money is ``Decimal`` in MAJOR units (roubles, dollars) with ``currency`` on every row (the ad
account's currency). Cost per lead (CPL) for a period = SUM(spend) / SUM(leads) over the
campaign-days where ``leads`` is not NULL; ROI = (SUM(revenue) - SUM(spend)) / SUM(spend).
``leads``/``conversions``/``revenue`` are NULL where the platform does not report them and 0
where it reports none.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.vocabulary import CampaignStatus
from integrations.models import SocialAccount
from tenancy.models import FactModel, TenantModel, fact_foreign_key

# Campaign objectives as the platforms name them (Meta's ODAX "OUTCOME_*" and legacy names, VK Ads
# campaign types), in words for people. An unknown code is shown de-capitalised, never raw.
OBJECTIVE_LABELS = {
    "OUTCOME_AWARENESS": _("Awareness"),
    "OUTCOME_TRAFFIC": _("Traffic"),
    "OUTCOME_ENGAGEMENT": _("Engagement"),
    "OUTCOME_LEADS": _("Leads"),
    "OUTCOME_APP_PROMOTION": _("App promotion"),
    "OUTCOME_SALES": _("Sales"),
    "BRAND_AWARENESS": _("Awareness"),
    "REACH": _("Reach"),
    "LINK_CLICKS": _("Traffic"),
    "POST_ENGAGEMENT": _("Engagement"),
    "VIDEO_VIEWS": _("Video views"),
    "LEAD_GENERATION": _("Leads"),
    "MESSAGES": _("Messages"),
    "CONVERSIONS": _("Conversions"),
    "normal": _("Ads in the feed"),
    "promoted_posts": _("Promoted posts"),
    "adaptive_ads": _("Adaptive ads"),
    "stories": _("Stories"),
    "mobile_apps": _("App promotion"),
    "vk_apps_managed": _("VK mini apps"),
}


def objective_label(code: str) -> str:
    if not code:
        return ""
    label = OBJECTIVE_LABELS.get(code) or OBJECTIVE_LABELS.get(code.upper())
    return str(label) if label else code.replace("_", " ").strip().capitalize()


class AdCampaign(TenantModel):
    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField(max_length=100)
    name = models.CharField(_("name"), max_length=300)
    status = models.CharField(_("status"), max_length=16, choices=CampaignStatus.choices)
    # The platform's own delivery status verbatim (e.g. Meta "CAMPAIGN_PAUSED", "WITH_ISSUES").
    effective_status = models.CharField(max_length=40, blank=True)
    objective = models.CharField(_("objective"), max_length=60, blank=True)
    daily_budget = models.DecimalField(_("daily budget"), max_digits=14, decimal_places=2, null=True, blank=True)
    lifetime_budget = models.DecimalField(_("lifetime budget"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    start_at = models.DateTimeField(null=True, blank=True)
    stop_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ad campaign")
        verbose_name_plural = _("ad campaigns")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "account", "external_id"], name="adcampaign_natural_key"),
        ]
        indexes = [models.Index(fields=["organization", "status"], name="adcampaign_org_status_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def objective_label(self) -> str:
        return objective_label(self.objective)


class AdStatDaily(FactModel):
    """One campaign, one day (in the ad account's time zone), totals without breakdowns."""

    account = fact_foreign_key(SocialAccount)
    campaign = fact_foreign_key(AdCampaign, related_name="stats")
    day = models.DateField()
    # NULL = the platform did not report the metric ("not reported", shown as "—"); never 0.
    spend = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    impressions = models.IntegerField(null=True, blank=True)
    clicks = models.IntegerField(
        null=True, blank=True, help_text="Link clicks where the platform separates them, else all clicks"
    )
    reach = models.IntegerField(null=True, blank=True)
    leads = models.IntegerField(null=True, blank=True)
    conversions = models.IntegerField(null=True, blank=True)
    revenue = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("daily ad statistics")
        verbose_name_plural = _("daily ad statistics")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "campaign", "day"], name="adstatdaily_natural_key"),
        ]
        indexes = [
            models.Index(fields=["organization", "day"], name="adstat_org_day_idx"),
            models.Index(fields=["organization", "account", "day"], name="adstat_org_acc_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.day}"
