"""Analysis: the business profile, audience segments, competitors and the presence audit."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.vocabulary import SocialPlatform
from tenancy.models import CURRENCY_CHOICES, TenantModel

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
    # Automatic tracking of public data (docs/competitors.md): the last attempt, the last success
    # and, when the last attempt failed, why (an error category worded on the sync-health page).
    tracking_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    tracked_at = models.DateTimeField(null=True, blank=True, editable=False)
    tracking_error_kind = models.CharField(max_length=20, blank=True, editable=False)
    tracking_error = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="competitor_org_name_uniq")]

    def __str__(self) -> str:
        return self.name


class SnapshotSource(models.TextChoices):
    MANUAL = "manual", _("Typed in")
    VK_PUBLIC = "vk_public", _("VK public data")


class CompetitorSnapshot(TenantModel):
    """Followers/engagement of a competitor on a date: typed in, or read from public data daily."""

    competitor = models.ForeignKey(Competitor, on_delete=models.CASCADE, related_name="snapshots")
    platform = models.CharField(_("platform"), max_length=16, choices=SocialPlatform.choices)
    date = models.DateField(_("date"))
    followers = models.PositiveIntegerField(_("followers"), null=True, blank=True)
    engagement_rate = models.DecimalField(
        _("engagement rate, %"), max_digits=6, decimal_places=2, null=True, blank=True, validators=PERCENT_VALIDATORS
    )
    posts_per_week = models.DecimalField(
        _("posts per week"), max_digits=6, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    average_reactions = models.DecimalField(
        _("average reactions per post"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    source = models.CharField(_("source"), max_length=16, choices=SnapshotSource.choices, default=SnapshotSource.MANUAL)

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
