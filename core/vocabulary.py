"""The product's shared terms, each defined once: platforms, post formats, campaign statuses.

Plain `TextChoices` and no model imports, so connectors (which must not import models), models,
forms, serializers and the API schema all use the same values and labels. The API schema names
each term through `SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]`; tests/test_vocabulary.py checks
that the schema shows every term once.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Platform(models.TextChoices):
    """Every platform an account can be connected on; also the connector registry's keys."""

    VK = "vk", _("VK")
    TELEGRAM = "telegram", _("Telegram")
    INSTAGRAM = "instagram", _("Instagram")
    FACEBOOK = "facebook", _("Facebook")
    META_ADS = "meta_ads", _("Meta Ads")
    VK_ADS = "vk_ads", _("VK Ads")
    DEMO = "demo", _("Demo platform")


class SocialPlatform(models.TextChoices):
    """The social networks a strategy plans presence on and posts are written for: `Platform`
    without the ad cabinets and the demo platform. Members copy `Platform`'s value and label, so
    the two cannot drift."""

    VK = Platform.VK.value, Platform.VK.label
    TELEGRAM = Platform.TELEGRAM.value, Platform.TELEGRAM.label
    INSTAGRAM = Platform.INSTAGRAM.value, Platform.INSTAGRAM.label
    FACEBOOK = Platform.FACEBOOK.value, Platform.FACEBOOK.label


# Platforms whose accounts are ad accounts (campaigns, ad stats) rather than pages/channels.
AD_PLATFORMS = frozenset({Platform.META_ADS, Platform.VK_ADS})
# The social network an ad account's ads run on: its visitors arrive from that network, so tracked
# links tag them with it and attribution reports ad spend under it.
AD_PLATFORM_NETWORKS: dict[str, str] = {Platform.VK_ADS: Platform.VK, Platform.META_ADS: Platform.FACEBOOK}


def network_of(platform: str) -> str:
    """The social network a platform's visitors come from (an ad account → its network)."""
    return AD_PLATFORM_NETWORKS.get(platform, platform or "")


class PostFormat(models.TextChoices):
    """The format of a post: planned in a content pillar or a post, or reported by a platform.

    Connectors report the first eight; `live`, `article` and `contest` are only planned so far."""

    TEXT = "text", _("Text post")
    PHOTO = "photo", _("Photo")
    VIDEO = "video", _("Video")
    REEL = "reel", _("Reel / short video")
    CAROUSEL = "carousel", _("Carousel")
    STORY = "story", _("Story")
    LINK = "link", _("Link")
    POLL = "poll", _("Poll")
    LIVE = "live", _("Live stream")
    ARTICLE = "article", _("Article / long read")
    CONTEST = "contest", _("Contest / giveaway")


class CampaignStatus(models.TextChoices):
    """An ad campaign's status as we store and set it (the platform's own wording is kept apart,
    in `AdCampaign.effective_status`)."""

    ACTIVE = "active", _("Running")
    PAUSED = "paused", _("Paused")
    ARCHIVED = "archived", _("Archived")
    DELETED = "deleted", _("Deleted")
