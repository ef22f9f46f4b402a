"""Tracked short links (`/l/<code>`) and their clicks, counted per hour (docs/links.md).

A link may belong to a post or to an ad campaign (or to neither); attribution resolves a lead's
`link_code` / `utm_content` to the post or campaign through `TrackedLink.code`.
"""

import secrets
import string

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ads.models import AdCampaign
from content.models import Post
from tenancy.models import FactModel, TenantModel, fact_foreign_key

from .utm import UTM_FIELDS, UTM_MAX_LENGTH, tagged_url

CODE_ALPHABET = string.ascii_letters + string.digits  # base62: URL-safe, no escaping
CODE_LENGTH = 7  # 62**7 ≈ 3.5e12 codes: guessing a live one is impractical
CODE_PATTERN = rf"[A-Za-z0-9]{{{CODE_LENGTH}}}"


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


validate_target_url = URLValidator(schemes=["http", "https"], message=_("Enter an http:// or https:// address."))


class TrackedLink(TenantModel):
    # Unique across organizations: /l/<code> carries no organization (like ApiToken.prefix).
    code = models.CharField(_("code"), max_length=16, unique=True, editable=False)
    target_url = models.CharField(_("target address"), max_length=2000, validators=[validate_target_url])
    utm_source = models.CharField("utm_source", max_length=UTM_MAX_LENGTH, blank=True)
    utm_medium = models.CharField("utm_medium", max_length=UTM_MAX_LENGTH, blank=True)
    utm_campaign = models.CharField("utm_campaign", max_length=UTM_MAX_LENGTH, blank=True)
    utm_content = models.CharField("utm_content", max_length=UTM_MAX_LENGTH, blank=True)
    utm_term = models.CharField("utm_term", max_length=UTM_MAX_LENGTH, blank=True)
    # SET_NULL: a short link already printed or posted keeps working when its draft is deleted.
    post = models.ForeignKey(
        Post,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tracked_links",
        db_index=False,
        verbose_name=_("post"),
    )
    campaign = models.ForeignKey(
        AdCampaign,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tracked_links",
        db_index=False,
        verbose_name=_("ad campaign"),
    )
    clicks = models.PositiveBigIntegerField(_("clicks"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tracked link")
        verbose_name_plural = _("tracked links")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(post__isnull=True) | models.Q(campaign__isnull=True),
                name="trackedlink_post_or_campaign",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="trackedlink_org_created_idx"),
            models.Index(fields=["organization", "post"], name="trackedlink_org_post_idx"),
            models.Index(fields=["organization", "campaign"], name="trackedlink_org_campaign_idx"),
        ]

    def __str__(self) -> str:
        return f"/l/{self.code}"

    @property
    def utm(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in UTM_FIELDS}

    @property
    def tagged_url(self) -> str:
        return tagged_url(self.target_url, self.utm)


class LinkClickHourly(FactModel):
    """Counted clicks of one link in one UTC hour (bots and repeats of a visitor within the hour
    are not counted). The source of the "site clicks" series."""

    link = fact_foreign_key(TrackedLink, related_name="hourly_clicks")
    hour = models.DateTimeField()
    clicks = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("link clicks per hour")
        verbose_name_plural = _("link clicks per hour")
        ordering = ["hour"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "link", "hour"], name="linkclickhourly_natural_key"),
        ]
        indexes = [models.Index(fields=["organization", "hour"], name="linkclick_org_hour_idx")]

    def __str__(self) -> str:
        return f"{self.link_id} {self.hour:%Y-%m-%d %H}:00 {self.clicks}"
