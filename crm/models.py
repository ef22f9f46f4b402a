"""Leads and sales as the business's CRM records them, and the secret URLs CRMs post changes to.

Rows are written only by `crm.services` (the API, the CRM webhooks and the CSV import share one
upsert keyed by the CRM's `external_id`). The attribution fields of a lead are filled later by the
attribution step; until then they are empty ("unattributed").
"""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ads.models import AdCampaign
from content.models import Post
from core import facts
from core.vocabulary import Platform
from strategy.models import Goal
from tenancy.models import TenantModel, TenantQuerySet


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    QUALIFIED = "qualified", _("Qualified")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class AttributionModel(models.TextChoices):
    """How a lead's touches (docs/attribution.md) pick the one that gets the credit."""

    LAST_TOUCH = "last_touch", _("Last touch")
    FIRST_TOUCH = "first_touch", _("First touch")


class LeadQuerySet(TenantQuerySet["Lead"]):
    def delete(self) -> tuple[int, dict[str, int]]:
        # The daily rollups hear the leads' days and their sales' days (a sale is summed under its
        # lead's attribution, which goes with the lead) before the rows are gone.
        facts.rows_deleting(self)
        facts.rows_deleting(Sale.objects.filter(organization_id__in=self.values("organization_id"), lead__in=self))
        return super().delete()


LeadManager = models.Manager.from_queryset(LeadQuerySet)


class SaleQuerySet(TenantQuerySet["Sale"]):
    def delete(self) -> tuple[int, dict[str, int]]:
        facts.rows_deleting(self)  # the daily rollups re-sum these days
        return super().delete()


SaleManager = models.Manager.from_queryset(SaleQuerySet)


class Lead(TenantModel):
    external_id = models.CharField(_("CRM id"), max_length=100)
    created = models.DateTimeField(_("created in the CRM"), default=timezone.now)
    status = models.CharField(_("status"), max_length=16, choices=LeadStatus.choices, default=LeadStatus.NEW)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    utm_source = models.CharField(max_length=200, blank=True)
    utm_medium = models.CharField(max_length=200, blank=True)
    utm_campaign = models.CharField(max_length=200, blank=True)
    utm_content = models.CharField(max_length=200, blank=True)
    utm_term = models.CharField(max_length=200, blank=True)
    link_code = models.CharField(_("link code"), max_length=40, blank=True)
    landing_url = models.URLField(_("landing page"), max_length=2000, blank=True)
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices, blank=True)
    # HMAC-SHA256 of the CRM's contact reference with a server key: repeat contacts can be told
    # apart without storing personal data.
    contact_hash = models.CharField(max_length=64, blank=True)
    # Earlier visits the CRM knows of, oldest first: [{"utm_source", ..., "link_code", "at"}]; the
    # lead's own UTM fields are its last touch (crm/attribution.py).
    touches = models.JSONField(_("touches"), default=list, blank=True)
    # The attribution result, filled by the attribution step (empty = unattributed).
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    campaign = models.ForeignKey(AdCampaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    goal = models.ForeignKey(Goal, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    attributed_platform = models.CharField(max_length=16, choices=Platform.choices, blank=True)
    attribution_model = models.CharField(max_length=32, choices=AttributionModel.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LeadManager()  # type: ignore[misc]  # its querysets' delete() reports the rows' days

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "external_id"], name="lead_natural_key"),
        ]
        indexes = [
            models.Index(fields=["organization", "created"], name="lead_org_created_idx"),
            models.Index(fields=["organization", "status"], name="lead_org_status_idx"),
            # The leads re-attribution looks at (crm.attribution.reattribute_pending).
            models.Index(
                fields=["organization", "id"],
                condition=models.Q(post__isnull=True, campaign__isnull=True, goal__isnull=True),
                name="lead_org_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.external_id

    def delete(self, *args, **kwargs):
        # Its day and its sales' days (they lose the lead's attribution) for the daily rollups.
        facts.facts_changed(Lead, self.organization_id, [self.created])
        facts.rows_deleting(self.sales.all())
        return super().delete(*args, **kwargs)


class LeadStatusChange(TenantModel):
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=LeadStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=LeadStatus.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["organization", "lead", "at"], name="leadstatus_org_lead_idx")]


class Sale(TenantModel):
    external_id = models.CharField(_("CRM id"), max_length=100)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3)
    sold_at = models.DateTimeField(_("sold at"))
    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.SET_NULL, related_name="sales")
    refunded = models.BooleanField(_("refunded"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SaleManager()  # type: ignore[misc]  # its querysets' delete() reports the rows' days

    class Meta:
        verbose_name = _("sale")
        verbose_name_plural = _("sales")
        ordering = ["-sold_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "external_id"], name="sale_natural_key"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="sale_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["organization", "sold_at"], name="sale_org_sold_idx")]

    def __str__(self) -> str:
        return self.external_id

    def delete(self, *args, **kwargs):
        facts.facts_changed(Sale, self.organization_id, [self.sold_at])
        return super().delete(*args, **kwargs)


class CrmKind(models.TextChoices):
    AMOCRM = "amocrm", "amoCRM"
    BITRIX24 = "bitrix24", "Bitrix24"


class CrmWebhook(TenantModel):
    """A secret URL a CRM posts its changes to. Only a SHA-256 hash of the secret is stored."""

    kind = models.CharField(max_length=16, choices=CrmKind.choices)
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)
    last_received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "kind"], name="crmwebhook_org_kind")]

    def __str__(self) -> str:
        return self.get_kind_display()


class CrmSettings(TenantModel):
    """The organization's CRM choices; one row per organization, created when first changed."""

    attribution_model = models.CharField(
        _("attribution model"), max_length=32, choices=AttributionModel.choices, default=AttributionModel.LAST_TOUCH
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("CRM settings")
        verbose_name_plural = _("CRM settings")
        constraints = [models.UniqueConstraint(fields=["organization"], name="crmsettings_one_per_org")]

    def __str__(self) -> str:
        return self.get_attribution_model_display()
