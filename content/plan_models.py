"""The plan around the posts: where an unscheduled post sits on the calendar, the calendar's secret
iCal feed, and the organization's own dates (holidays it adds, news hooks, shipped dates it hides).

Kept apart from ``models.py`` (imported at its end) so the post model evolves on its own."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from tenancy.models import TenantModel

from .models import Post


def new_feed_secret() -> str:
    return secrets.token_urlsafe(24)


class PlannedSlot(TenantModel):
    """When an unscheduled post (idea, draft, in review) is planned to go out: its place on the
    calendar. Scheduling takes the post's own ``scheduled_at`` from then on."""

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="planned_slot")
    planned_at = models.DateTimeField(_("planned for"))

    class Meta:
        verbose_name = _("planned slot")
        verbose_name_plural = _("planned slots")
        indexes = [models.Index(fields=["organization", "planned_at"], name="slot_org_planned_idx")]

    def __str__(self) -> str:
        return f"{self.post_id} @ {self.planned_at:%Y-%m-%d %H:%M}"


class CalendarFeed(TenantModel):
    """The organization's iCal feed: whoever knows the secret reads the plan (regenerate to revoke)."""

    secret = models.CharField(max_length=64, unique=True, default=new_feed_secret, editable=False)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [models.UniqueConstraint(fields=["organization"], name="calfeed_one_per_org")]

    def __str__(self) -> str:
        return str(self.organization_id)


class DateKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday")
    RETAIL = "retail", _("Retail date")
    NEWS_HOOK = "news_hook", _("News hook")


class CalendarDate(TenantModel):
    """A date the organization added: its own holiday, a retail date or a news hook."""

    day = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=DateKind.choices, default=DateKind.NEWS_HOOK)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar date")
        verbose_name_plural = _("calendar dates")
        ordering = ["day", "id"]
        indexes = [models.Index(fields=["organization", "day"], name="caldate_org_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.title}"


class HiddenDate(TenantModel):
    """A shipped date (content/data/holidays_ru.json, by its key) the organization does not want shown."""

    key = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("hidden date")
        verbose_name_plural = _("hidden dates")
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="hiddendate_org_key_uniq")]

    def __str__(self) -> str:
        return self.key
