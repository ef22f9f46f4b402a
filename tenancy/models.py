import datetime as dt
import zoneinfo
from typing import Self, TypeVar

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit_actions import action_label
from .roles import Role, Scope

TIMEZONE_CHOICES = [(tz, tz) for tz in sorted(zoneinfo.available_timezones()) if "/" in tz]
CURRENCY_CHOICES = [("RUB", "RUB"), ("USD", "USD"), ("EUR", "EUR"), ("KZT", "KZT"), ("BYN", "BYN")]


class Organization(models.Model):
    """The tenant. Every tenant-owned row points here."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("address"),
        max_length=60,
        unique=True,
        validators=[RegexValidator(r"^[a-z0-9][a-z0-9-]*$", _("Use lowercase letters, digits and dashes."))],
        help_text=_("Used in links: /o/<address>/"),
    )
    timezone = models.CharField(_("timezone"), max_length=64, choices=TIMEZONE_CHOICES, default="Europe/Moscow")
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="RUB")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="ru")
    # When on, a post is scheduled only once a reviewer approved it (status "approved").
    posts_require_approval = models.BooleanField(_("posts need approval before scheduling"), default=False)
    # The time zone the daily rollups were last fully built in ("" = not built): the KPI engine reads
    # them only while it is the organization's time zone (analytics/rollups.py, decision 0008).
    rollups_timezone = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def today(self) -> dt.date:
        """The organization's calendar day now: the clock every "today", window and plan uses."""
        return timezone.localtime(timezone.now(), self.tzinfo).date()


def organization_id_of(organization: "Organization | int") -> int:
    return organization if isinstance(organization, int) else organization.pk


_M = TypeVar("_M", bound=models.Model)


class TenantQuerySet(models.QuerySet[_M]):
    """Querysets of tenant rows. Code names the scope at the entry point:
    `Model.objects.for_organization(org)` for one tenant, `Model.objects.unscoped()` where crossing
    organizations is the point (fan-out, admin, migrations). A test (tests/tenancy/test_scope_lint.py)
    fails on any other entry into a tenant table outside tests and migrations."""

    def for_organization(self, organization: "Organization | int") -> Self:
        return self.filter(organization_id=organization_id_of(organization))

    def unscoped(self) -> Self:
        return self.all()


TenantManager = models.Manager.from_queryset(TenantQuerySet)


class TenantModel(models.Model):
    """Base for every tenant-owned table: a non-null organization, indexed via composites."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("organization")
    )

    objects = TenantManager()

    class Meta:
        abstract = True


def fact_foreign_key(to, **kwargs) -> models.ForeignKey:
    """A foreign key for high-volume daily fact tables: no database constraint, no own index.

    Why: checking two or three FK constraints per row more than halved the ingestion rate (measured
    in bench/ingest_bench.py: 34k → 77k inserted rows/s), the natural-key index (organization, ...)
    already serves the lookups, and under Citus an FK between distributed tables must include
    organization_id anyway. Rows are only written by the sync services, which resolve every parent
    within the organization; Django still cascades deletes (on_delete works without the constraint).
    """
    kwargs.setdefault("related_name", "+")
    return models.ForeignKey(to, on_delete=models.CASCADE, db_constraint=False, db_index=False, **kwargs)


class FactModel(TenantModel):
    """Base for daily fact tables (see `fact_foreign_key`)."""

    organization = fact_foreign_key(Organization, verbose_name=_("organization"))

    class Meta:
        abstract = True


class Membership(TenantModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MARKETER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="membership_org_user_uniq"),
        ]
        indexes = [models.Index(fields=["user", "organization"], name="membership_user_org_idx")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization_id} ({self.role})"


class Invitation(TenantModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MARKETER)
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    expires_at = models.DateTimeField()
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [models.Index(fields=["organization", "status", "email"], name="invitation_org_status_idx")]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization_id}"

    @property
    def is_usable(self) -> bool:
        return self.status == self.Status.PENDING and self.expires_at > timezone.now()


class ApiToken(TenantModel):
    """Only a SHA-256 hash of the secret is stored; `prefix` identifies the token in lists."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    token_hash = models.CharField(max_length=64)
    scopes = models.JSONField(_("scopes"), default=list)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [models.Index(fields=["organization", "created_at"], name="apitoken_org_created_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes or (scope == Scope.READ and Scope.WRITE in self.scopes)


class AuditLog(TenantModel):
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="auditlog_org_created_idx"),
            models.Index(fields=["organization", "object_type", "object_id"], name="auditlog_org_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.action} {self.object_type}#{self.object_id}"

    @property
    def action_label(self) -> str:
        return action_label(self.action)
