"""Fact tables filled by the platform sync (connectors → Celery → here).

Conventions every reader can rely on:

* Every row has ``organization``; natural keys and indexes start with it.
* Counters are ``int | None``: ``None`` = "the platform did not report this metric",
  which dashboards must show as "—", never as 0. Sums should skip NULLs (SQL ``SUM`` does).
* ``AccountMetricDaily`` holds per-DAY values of one account (reach of that day, likes of
  that day...). Sum over days for a period; ``followers`` is the total at the end of the day.
  Note: ``reach`` summed over days over-counts unique people; it is still the number
  platforms show as "reach per day".
* ``PostMetricDaily`` holds LIFETIME totals of one post AS OBSERVED on ``day`` (platforms
  report post insights as lifetime numbers and revise them for ~48 h). A post's current
  totals are its row with the latest ``day``; the gain on a day is the difference to the
  previous day's row.
* Engagement rate (ER) of a post = (likes + comments + shares + saves) / reach, with NULLs
  counted as 0 in the numerator and the post skipped when reach is NULL or 0.

Written ONLY through ``integrations.bulk.bulk_upsert`` (idempotent, keyed by natural keys).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from content.models import Post, Publication
from core.vocabulary import PostFormat
from integrations.models import SocialAccount
from tenancy.models import FactModel, TenantModel, fact_foreign_key


class SocialPost(TenantModel):
    """A post as published on a platform (whether or not it was created in our content plan)."""

    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField(max_length=100)
    published_at = models.DateTimeField()
    text = models.TextField(blank=True)
    format = models.CharField(max_length=16, choices=PostFormat.choices, default=PostFormat.TEXT)
    permalink = models.URLField(max_length=500, blank=True)
    is_pinned = models.BooleanField(default=False)
    media_urls = models.JSONField(default=list, blank=True)
    # Platform-specific details that do not deserve a column (e.g. demo objective, VK post type).
    extra = models.JSONField(default=dict, blank=True)
    # The planned post (and its publication) this platform post is, set after ingestion by
    # analytics.plan_links: by the publication's external id, or by account + time + text. None:
    # "published outside the plan".
    planned_post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="social_posts", db_index=False
    )
    publication = models.OneToOneField(
        Publication, null=True, blank=True, on_delete=models.SET_NULL, related_name="social_post"
    )
    plan_match = models.CharField(max_length=16, blank=True)  # "external_id" or "text"
    first_seen_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("platform post")
        verbose_name_plural = _("platform posts")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "account", "external_id"], name="socialpost_natural_key"),
        ]
        indexes = [
            models.Index(fields=["organization", "published_at"], name="socialpost_org_published_idx"),
            models.Index(fields=["organization", "account", "published_at"], name="socialpost_org_acc_pub_idx"),
            models.Index(fields=["organization", "planned_post"], name="socialpost_org_planned_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}:{self.external_id}"


class AccountMetricDaily(FactModel):
    """One account, one day (the platform's reporting day)."""

    account = fact_foreign_key(SocialAccount)
    day = models.DateField()
    followers = models.IntegerField(null=True, blank=True, help_text="Total followers at the end of the day")
    followers_gained = models.IntegerField(null=True, blank=True)
    followers_lost = models.IntegerField(null=True, blank=True)
    reach = models.IntegerField(null=True, blank=True, help_text="Unique accounts reached that day")
    views = models.IntegerField(null=True, blank=True, help_text="Views / impressions that day")
    engaged = models.IntegerField(null=True, blank=True, help_text="Unique accounts that interacted")
    interactions = models.IntegerField(null=True, blank=True, help_text="likes + comments + shares + saves ...")
    likes = models.IntegerField(null=True, blank=True)
    comments = models.IntegerField(null=True, blank=True)
    shares = models.IntegerField(null=True, blank=True)
    saves = models.IntegerField(null=True, blank=True)
    link_clicks = models.IntegerField(null=True, blank=True, help_text="Clicks on links to the website")
    profile_visits = models.IntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("daily account metrics")
        verbose_name_plural = _("daily account metrics")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "account", "day"], name="accountmetricdaily_natural_key"),
        ]
        # (day, id): the API's keyset pages (metrics/accounts/) and every day-range read.
        indexes = [models.Index(fields=["organization", "day", "id"], name="accountmetric_org_day_id_idx")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.day}"


class PostMetricDaily(FactModel):
    """Lifetime totals of one post as observed on ``day`` (see the module docstring)."""

    account = fact_foreign_key(SocialAccount)
    post = fact_foreign_key(SocialPost, related_name="metrics")
    day = models.DateField()
    reach = models.IntegerField(null=True, blank=True)
    views = models.IntegerField(null=True, blank=True, help_text="Views / impressions")
    likes = models.IntegerField(null=True, blank=True, help_text="Likes / reactions")
    comments = models.IntegerField(null=True, blank=True)
    shares = models.IntegerField(null=True, blank=True, help_text="Shares / reposts")
    saves = models.IntegerField(null=True, blank=True)
    link_clicks = models.IntegerField(null=True, blank=True)
    video_views = models.IntegerField(null=True, blank=True)
    followers_gained = models.IntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("daily post metrics")
        verbose_name_plural = _("daily post metrics")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "post", "day"], name="postmetricdaily_natural_key"),
        ]
        indexes = [
            # (day, id): the API's keyset pages (metrics/posts/) and every day-range read.
            models.Index(fields=["organization", "day", "id"], name="postmetric_org_day_id_idx"),
            models.Index(fields=["organization", "account", "day"], name="postmetric_org_acc_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.post_id} {self.day}"

    @property
    def interactions(self) -> int:
        return sum(v or 0 for v in (self.likes, self.comments, self.shares, self.saves))

    @property
    def engagement_rate(self):
        """(likes + comments + shares + saves) / reach, or None when reach is unknown/zero."""
        if not self.reach:
            return None
        return self.interactions / self.reach


# --------------------------------------------------------------------------- daily rollups
# Sums of the fact tables above (and of ads, inbox and CRM rows) per organization, day and the
# group columns the KPI engine splits by; refreshed for the (organization, day) pairs a write
# touched and rebuilt by `manage.py rebuild_rollups` (analytics/rollups.py, decision 0008).
# Written ONLY by analytics/rollups.py; plain ids, no foreign keys (they are derived data).


class AccountRollupDaily(FactModel):
    """Account metrics per day and platform (`AccountMetricDaily` summed over accounts)."""

    day = models.DateField()
    platform = models.CharField(max_length=16)
    rows = models.IntegerField()
    reach = models.BigIntegerField(null=True)
    views = models.BigIntegerField(null=True)
    link_clicks = models.BigIntegerField(null=True)
    er_interactions = models.BigIntegerField(null=True)  # interactions of the days that report ER parts
    er_reach = models.BigIntegerField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "day", "platform"], name="accountrollup_natural_key")
        ]


class AdRollupDaily(FactModel):
    """Ad statistics per day, ad account platform and campaign (`ads.AdStatDaily`)."""

    day = models.DateField()
    platform = models.CharField(max_length=16)
    campaign_id = models.BigIntegerField(null=True)
    rows = models.IntegerField()
    spend = models.DecimalField(max_digits=16, decimal_places=2, null=True)
    clicks = models.BigIntegerField(null=True)
    cpc_spend = models.DecimalField(max_digits=16, decimal_places=2, null=True)
    cpc_clicks = models.BigIntegerField(null=True)
    leads = models.BigIntegerField(null=True)
    conversions = models.BigIntegerField(null=True)
    revenue = models.DecimalField(max_digits=16, decimal_places=2, null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "day", "platform", "campaign_id"],
                name="adrollup_natural_key",
                nulls_distinct=False,
            )
        ]


class InboxRollupDaily(FactModel):
    """Incoming inbox items per day (of the organization's time zone) and platform."""

    day = models.DateField()
    platform = models.CharField(max_length=16)
    items = models.IntegerField()
    resolved = models.IntegerField()
    rated = models.IntegerField()
    positive = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "day", "platform"], name="inboxrollup_natural_key")
        ]


class CrmRollupDaily(FactModel):
    """Leads (by the day created) and non-refunded sales (by the day sold, in their currency) per
    day of the organization's time zone and the lead's attributed platform, campaign and goal."""

    class Kind(models.TextChoices):
        LEAD = "lead"
        SALE = "sale"

    day = models.DateField()
    kind = models.CharField(max_length=4, choices=Kind.choices)
    platform = models.CharField(max_length=16)  # attributed, else the one the CRM sent; "" none
    campaign_id = models.BigIntegerField(null=True)
    goal_id = models.BigIntegerField(null=True)
    currency = models.CharField(max_length=3)  # "" for leads
    count = models.IntegerField()
    amount = models.DecimalField(max_digits=16, decimal_places=2, null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "day", "kind", "platform", "campaign_id", "goal_id", "currency"],
                name="crmrollup_natural_key",
                nulls_distinct=False,
            )
        ]


class PostRollup(FactModel):
    """One row per platform post: its keys and its latest lifetime observation (the
    `PostMetricDaily` row of its greatest day), so the analytics pages read one row per post of
    the window instead of ranking every snapshot (decision 0008, point 6). `day`, `weekday` and
    `hour` are of the publication in the organization's time zone (weekday 0 = Monday)."""

    post_id = models.BigIntegerField()
    account_id = models.BigIntegerField()
    platform = models.CharField(max_length=16)
    day = models.DateField()
    published_at = models.DateTimeField()
    weekday = models.SmallIntegerField()
    hour = models.SmallIntegerField()
    format = models.CharField(max_length=16)
    objective = models.TextField(null=True)  # the sync's extra["objective"]
    planned_post_id = models.BigIntegerField(null=True)
    permalink = models.CharField(max_length=500)
    metric_day = models.DateField(null=True)  # None: no observation yet
    reach = models.IntegerField(null=True)
    views = models.IntegerField(null=True)
    likes = models.IntegerField(null=True)
    comments = models.IntegerField(null=True)
    shares = models.IntegerField(null=True)
    saves = models.IntegerField(null=True)
    link_clicks = models.IntegerField(null=True)
    engagements = models.BigIntegerField(null=True)  # likes + comments + shares + saves where reach is reported

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "post_id"], name="postrollup_natural_key")]
        indexes = [models.Index(fields=["organization", "day"], name="postrollup_org_day_idx")]
