"""Ad campaigns and their daily statistics, synced from ad accounts (Meta Ads, VK Ads, demo).

Money is ``Decimal`` in MAJOR units (roubles, dollars) with ``currency`` on every row (the ad
account's currency). Cost per lead (CPL) for a period = SUM(spend) / SUM(leads) over the
campaign-days where ``leads`` is not NULL; ROI = (SUM(revenue) - SUM(spend)) / SUM(spend).
``leads``/``conversions``/``revenue`` are NULL where the platform does not report them and 0
where it reports none.
"""

from django.conf import settings
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


# --------------------------------------------------------------------------- planning (targets, budgets)
# Kept in this module (Django loads models from it) but apart from the sync tables above: what the
# marketer plans — the campaign's goal and target, its ad sets and creatives, monthly budgets and
# the log of budget changes. See docs/ads.md.


class CampaignPlan(TenantModel):
    """What a campaign is for and how it is judged: a strategy goal, a target CPL or target ROMI
    (CRM figures, see docs/ads.md), and a monthly budget (major units of the organization's
    currency). One per campaign; absent = nothing planned."""

    campaign = models.OneToOneField(AdCampaign, on_delete=models.CASCADE, related_name="plan")
    goal = models.ForeignKey(
        "strategy.Goal", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("goal")
    )
    target_cpl = models.DecimalField(_("target CPL"), max_digits=14, decimal_places=2, null=True, blank=True)
    target_romi = models.DecimalField(_("target ROMI, %"), max_digits=9, decimal_places=2, null=True, blank=True)
    monthly_budget = models.DecimalField(_("monthly budget"), max_digits=14, decimal_places=2, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("campaign plan")
        verbose_name_plural = _("campaign plans")
        indexes = [models.Index(fields=["organization", "campaign"], name="campaignplan_org_campaign_idx")]

    def __str__(self) -> str:
        return f"plan {self.campaign_id}"


class AdBudget(TenantModel):
    """The organization's monthly ad budget (all campaigns), one row per month (its first day)."""

    month = models.DateField(_("month"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("monthly ad budget")
        verbose_name_plural = _("monthly ad budgets")
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["organization", "month"], name="adbudget_org_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.amount}"


class AdSet(TenantModel):
    """An ad set (Meta) / ad group (VK): the audience as structured fields plus the raw spec."""

    class Gender(models.TextChoices):
        ALL = "all", _("All")
        FEMALE = "female", _("Women")
        MALE = "male", _("Men")

    campaign = models.ForeignKey(AdCampaign, on_delete=models.CASCADE, related_name="ad_sets")
    external_id = models.CharField(max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=300)
    status = models.CharField(_("status"), max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.PAUSED)
    geo = models.JSONField(_("geography"), default=list, blank=True, help_text="Country/region/city codes or names")
    age_min = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, default=Gender.ALL)
    interests = models.JSONField(_("interests"), default=list, blank=True)
    custom_audiences = models.JSONField(_("custom audiences"), default=list, blank=True)
    raw_spec = models.JSONField(_("platform targeting spec"), default=dict, blank=True)
    daily_budget = models.DecimalField(_("daily budget"), max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("ad set")
        verbose_name_plural = _("ad sets")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["organization", "campaign"], name="adset_org_campaign_idx")]
        constraints = [
            # The sync's upsert key: the platform's ad set (Meta) / ad (VK, whose targeting is per ad).
            models.UniqueConstraint(fields=["organization", "campaign", "external_id"], name="adset_natural_key"),
            models.CheckConstraint(
                condition=models.Q(age_min__isnull=True)
                | models.Q(age_max__isnull=True)
                | models.Q(age_min__lte=models.F("age_max")),
                name="adset_age_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AdCreative(TenantModel):
    """A creative of an ad set: text, media, call to action with UTM tags and its tracked link."""

    ad_set = models.ForeignKey(AdSet, on_delete=models.CASCADE, related_name="creatives")
    external_id = models.CharField(max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=300)
    status = models.CharField(_("status"), max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.PAUSED)
    title = models.CharField(_("title"), max_length=200, blank=True)
    text = models.TextField(_("text"), blank=True)
    media_url = models.URLField(_("media"), max_length=1000, blank=True)
    cta = models.CharField(_("call to action"), max_length=60, blank=True)
    destination_url = models.URLField(_("destination"), max_length=1000, blank=True)
    utm = models.JSONField(_("UTM tags"), default=dict, blank=True)
    tracked_url = models.URLField(_("tracked link"), max_length=1000, blank=True)
    # What a CRM lead brings back from this creative (docs/ads.md, "CRM leads of an ad set and a
    # creative"): the tracked link's code, else the ``utm_content`` tag; "" = none.
    lead_code = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("ad creative")
        verbose_name_plural = _("ad creatives")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["organization", "ad_set"], name="adcreative_org_adset_idx"),
            models.Index(fields=["organization", "lead_code"], name="adcreative_org_code_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["organization", "ad_set", "external_id"], name="adcreative_natural_key"),
        ]

    def __str__(self) -> str:
        return self.name


class BudgetChange(TenantModel):
    """Every budget change sent to a platform: who or what asked, before/after, the outcome."""

    class Source(models.TextChoices):
        USER = "user", _("A person")
        RULE = "rule", _("An optimization rule")

    campaign = models.ForeignKey(AdCampaign, on_delete=models.CASCADE, related_name="budget_changes")
    previous = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    new = models.DecimalField(max_digits=14, decimal_places=2)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.USER)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ok = models.BooleanField(default=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("budget change")
        verbose_name_plural = _("budget changes")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "campaign", "created_at"], name="budgetchange_org_camp_idx")]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.previous} → {self.new}"


# --------------------------------------------------------------------------- ad-set and ad level facts
# Daily rows below the campaign (Meta insights level=adset / level=ad; VK ads.getStatistics with
# ids_type=ad). Kept apart from ``AdStatDaily`` so campaign totals never double count: the campaign
# level stays the platforms' own campaign rows. Reach is not additive, so an ad set's reach comes
# from its own rows, never from its ads'.


class AdUnitStatBase(FactModel):
    account = fact_foreign_key(SocialAccount)
    campaign = fact_foreign_key(AdCampaign)
    day = models.DateField()
    spend = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    impressions = models.IntegerField(null=True, blank=True)
    clicks = models.IntegerField(null=True, blank=True)
    reach = models.IntegerField(null=True, blank=True)
    leads = models.IntegerField(null=True, blank=True)
    conversions = models.IntegerField(null=True, blank=True)
    revenue = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["day"]


class AdSetStatDaily(AdUnitStatBase):
    """One ad set, one day (NULL metric = not reported)."""

    ad_set = fact_foreign_key(AdSet, related_name="stats")

    class Meta(AdUnitStatBase.Meta):
        verbose_name = _("daily ad set statistics")
        verbose_name_plural = _("daily ad set statistics")
        constraints = [
            models.UniqueConstraint(fields=["organization", "ad_set", "day"], name="adsetstat_natural_key"),
        ]
        indexes = [models.Index(fields=["organization", "campaign", "day"], name="adsetstat_org_camp_day_idx")]

    def __str__(self) -> str:
        return f"{self.ad_set_id} {self.day}"


class AdCreativeStatDaily(AdUnitStatBase):
    """One ad (its creative), one day (NULL metric = not reported)."""

    ad_set = fact_foreign_key(AdSet)
    creative = fact_foreign_key(AdCreative, related_name="stats")

    class Meta(AdUnitStatBase.Meta):
        verbose_name = _("daily creative statistics")
        verbose_name_plural = _("daily creative statistics")
        constraints = [
            models.UniqueConstraint(fields=["organization", "creative", "day"], name="adcreativestat_natural_key"),
        ]
        indexes = [models.Index(fields=["organization", "campaign", "day"], name="adcrstat_org_camp_day_idx")]

    def __str__(self) -> str:
        return f"{self.creative_id} {self.day}"
