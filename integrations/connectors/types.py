"""The connector vocabulary and return values: enums and frozen dataclasses, no behaviour.

Connectors return only these; the sync layer stores them. Split out of ``base.py``, which still
re-exports every name here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

# The shared terms (defined once in core.vocabulary), re-exported for the connectors.
from core.vocabulary import CampaignStatus, PostFormat

__all__ = [
    "AccountDay",
    "AccountProfile",
    "AdStatDay",
    "AdUnitStatDay",
    "CampaignStatus",
    "Capability",
    "CommentKind",
    "PostFormat",
    "PostMetrics",
    "PublishResult",
    "RemoteAd",
    "RemoteAdSet",
    "RemoteCampaign",
    "RemoteComment",
    "RemoteMention",
    "RemotePost",
    "ReplyResult",
    "SkippedItem",
]


# --------------------------------------------------------------------------- vocabulary


class Capability(StrEnum):
    """Names used in ``Connector.capabilities``; one per group of protocol methods."""

    PROFILE = "profile"  # fetch_profile
    ACCOUNT_METRICS = "account_metrics"  # fetch_account_metrics
    POSTS = "posts"  # fetch_posts
    POST_METRICS = "post_metrics"  # fetch_post_metrics
    COMMENTS = "comments"  # fetch_comments
    REPLY = "reply"  # reply
    HIDE_COMMENTS = "hide_comments"  # hide_comment
    DELETE_COMMENTS = "delete_comments"  # delete_comment
    PUBLISH = "publish"  # publish
    FIND_PUBLISHED = "find_published"  # find_published (was a post already published?)
    MENTIONS = "mentions"  # search_mentions
    CAMPAIGNS = "campaigns"  # fetch_campaigns
    AD_STATS = "ad_stats"  # fetch_ad_stats
    CAMPAIGN_CONTROL = "campaign_control"  # set_campaign_status, set_campaign_budget
    AD_UNITS = "ad_units"  # fetch_ad_sets, fetch_ads, fetch_ad_unit_stats


class CommentKind(StrEnum):
    COMMENT = "comment"  # public comment under a post
    MESSAGE = "message"  # private message to the account
    MENTION = "mention"  # the account was tagged somewhere


# --------------------------------------------------------------------------- return values
# Counters are ``int | None``: None means "the platform did not report it" (unknown), which a
# dashboard must show differently from a reported zero.


@dataclass(frozen=True, slots=True)
class AccountProfile:
    """A snapshot of the account right now (followers total is only ever "now" on most APIs)."""

    external_id: str
    name: str
    username: str | None = None
    followers: int | None = None
    url: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AccountDay:
    """One calendar day of account-level metrics, in the platform's reporting day.

    ``followers`` is the total at the end of the day; ``followers_gained``/``followers_lost``
    are gross new follows / unfollows that day. ``engaged`` counts unique engaged accounts,
    ``interactions`` counts actions (likes + comments + shares + saves ...).
    """

    day: date
    followers: int | None = None
    followers_gained: int | None = None
    followers_lost: int | None = None
    reach: int | None = None
    views: int | None = None
    engaged: int | None = None
    interactions: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None
    link_clicks: int | None = None
    profile_visits: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RemotePost:
    """A published post as listed by the platform; counters are lifetime values."""

    external_id: str
    published_at: datetime
    text: str
    format: str  # a PostFormat value
    permalink: str | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    views: int | None = None
    media_urls: tuple[str, ...] = ()
    is_pinned: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PostMetrics:
    """Lifetime insights of one post. All-None means "not available (yet)", not zero."""

    external_id: str
    reach: int | None = None
    views: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None
    link_clicks: int | None = None
    video_views: int | None = None
    followers_gained: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RemoteComment:
    external_id: str
    post_external_id: str | None
    parent_external_id: str | None  # the comment this one answers; None = top level
    author_name: str | None
    author_external_id: str | None
    text: str
    created_at: datetime
    kind: str = CommentKind.COMMENT
    like_count: int | None = None
    is_from_account: bool = False  # written by the connected account itself (our reply)


@dataclass(frozen=True, slots=True)
class RemoteMention:
    """A public post elsewhere that mentions the brand (reputation monitoring)."""

    external_id: str
    url: str | None
    author_name: str | None
    author_external_id: str | None
    text: str
    created_at: datetime
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    views: int | None = None


@dataclass(frozen=True, slots=True)
class RemoteCampaign:
    """An ad campaign. Budgets are Decimal in MAJOR units of ``currency`` (None = not set)."""

    external_id: str
    name: str
    status: str  # a CampaignStatus value
    objective: str | None = None
    daily_budget: Decimal | None = None
    lifetime_budget: Decimal | None = None
    currency: str | None = None
    start: datetime | None = None
    stop: datetime | None = None
    effective_status: str | None = None  # the platform's own delivery status, verbatim


@dataclass(frozen=True, slots=True)
class AdStatDay:
    """One campaign-day of ad statistics (optionally one breakdown slice of it).

    Every metric is None where the platform did not report it ("not reported"), and 0 where it
    reports "none happened"; a connector never fills a missing metric with 0.
    """

    campaign_external_id: str
    day: date
    spend: Decimal | None
    impressions: int | None
    clicks: int | None
    leads: int | None
    conversions: int | None
    revenue: Decimal | None
    currency: str | None
    reach: int | None = None
    breakdown: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RemoteAdSet:
    """An ad set (Meta) / the targeting of one ad (VK Ads, whose audience is set per ad).

    The audience as structured fields — ``geo`` (country/region/city codes or names), age range,
    ``gender`` ("all", "female", "male"), interests and custom audiences (names, else ids) — plus
    the platform's own spec verbatim in ``raw_spec``. Budget in MAJOR units (None = not set)."""

    external_id: str
    campaign_external_id: str
    name: str
    status: str  # a CampaignStatus value
    daily_budget: Decimal | None = None
    geo: tuple[str, ...] = ()
    age_min: int | None = None
    age_max: int | None = None
    gender: str = "all"
    interests: tuple[str, ...] = ()
    custom_audiences: tuple[str, ...] = ()
    raw_spec: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RemoteAd:
    """An ad and its creative: text, media, call to action, destination and UTM tags."""

    external_id: str
    ad_set_external_id: str
    campaign_external_id: str
    name: str
    status: str  # a CampaignStatus value
    creative_id: str | None = None
    title: str = ""
    text: str = ""
    media_url: str = ""
    cta: str = ""
    destination_url: str = ""
    utm: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AdUnitStatDay:
    """One ad set-day (``level`` "ad_set", ``ad_external_id`` None) or ad-day (``level`` "ad").
    Metrics follow ``AdStatDay``'s rule: None = not reported, never filled with 0."""

    level: str  # "ad_set" | "ad"
    campaign_external_id: str
    ad_set_external_id: str
    ad_external_id: str | None
    day: date
    spend: Decimal | None
    impressions: int | None
    clicks: int | None
    reach: int | None
    leads: int | None
    conversions: int | None
    revenue: Decimal | None
    currency: str | None


@dataclass(frozen=True, slots=True)
class SkippedItem:
    """An item of a platform answer the connector could not fully read (so did not return)."""

    kind: str  # "comment", "post", "ad_stat" ...
    item_id: str | None
    reason: str  # the exception type and the missing key; never item content or a token


@dataclass(frozen=True, slots=True)
class PublishResult:
    external_id: str
    permalink: str | None = None


@dataclass(frozen=True, slots=True)
class ReplyResult:
    external_id: str
    parent_external_id: str | None = None
