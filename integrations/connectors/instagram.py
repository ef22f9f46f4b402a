"""Instagram professional account via the Instagram Graph API v25.0 (Facebook Login flavour,
graph.facebook.com). ``external_id`` is the IG user id (e.g. 17841463210987654).

Error mapping: see graph.py (190 → AuthExpired; 4/17/32/613/80002 → RateLimited using
``X-Business-Use-Case-Usage``; 10/200 → PermissionDenied; 100 → InvalidRequest; 9007 →
MediaNotReady). Instagram-specific rules, all decided on codes plus request context:

* Media insights with an empty ``data`` list mean "not available (yet)": every metric is None.
* Story insights answered with code 10 mean "fewer than 5 viewers": metrics None, not an
  account-level permission problem.
* A publishing container in status ERROR/EXPIRED raises MediaRejected (not retried); one still
  IN_PROGRESS after ``publish_max_wait`` raises MediaNotReady (retry later).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit

from integrations.connectors.base import (
    AccountDay,
    AccountProfile,
    Capability,
    InvalidRequest,
    NotSupported,
    PermissionDenied,
    PostMetrics,
    PublishResult,
    RateLimited,
    RemoteComment,
    RemotePost,
    ReplyResult,
    day_range,
    opt_int,
    parse_iso,
    require_aware,
)
from integrations.connectors.graph import (
    GraphConnector,
    MediaNotReady,
    day_window,
    end_time_to_day,
    insight_values,
    range_window,
    require_success,
)
from integrations.connectors.instagram_parsing import (
    _account_day,
    _media_metrics,
    _parse_media,
)

MEDIA_FIELDS = (
    "id,caption,media_type,media_product_type,media_url,thumbnail_url,permalink,shortcode,"
    "timestamp,username,like_count,comments_count"
)
REPLY_FIELDS = "id,text,timestamp,username,from"
COMMENT_FIELDS = f"id,text,timestamp,username,like_count,from,replies{{{REPLY_FIELDS}}}"
USER_FIELDS = "id,username,name,followers_count,follows_count,media_count,biography,profile_picture_url"

# Account insights (period=day, metric_type=total_value). "impressions" is gone since v22.0.
ACCOUNT_METRICS = "reach,views,accounts_engaged,total_interactions,likes,comments,shares,saves,profile_links_taps"

# Media insights differ by product type; asking for a metric a type lacks fails the whole call.
_COMMON_MEDIA_METRICS = ("reach", "views", "likes", "comments", "saved", "shares", "total_interactions")
MEDIA_METRICS: Mapping[str, tuple[str, ...]] = {
    "FEED": (*_COMMON_MEDIA_METRICS, "follows", "profile_visits"),
    "REELS": (*_COMMON_MEDIA_METRICS, "ig_reels_avg_watch_time", "ig_reels_video_view_total_time"),
    "STORY": ("reach", "views", "shares", "total_interactions", "follows", "profile_visits", "replies"),
}
_VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v")


class MediaRejected(InvalidRequest):
    """Instagram could not process the media (container status ERROR/EXPIRED)."""

    default_user_message = "the image or video was rejected — check its format, size and aspect ratio"


class InstagramConnector(GraphConnector):
    platform: ClassVar[str] = "instagram"
    capabilities: ClassVar[frozenset[str]] = frozenset(
        {
            Capability.PROFILE,
            Capability.ACCOUNT_METRICS,
            Capability.POSTS,
            Capability.POST_METRICS,
            Capability.COMMENTS,
            Capability.REPLY,
            Capability.HIDE_COMMENTS,
            Capability.PUBLISH,
            Capability.FIND_PUBLISHED,
        }
    )
    unsupported_messages: ClassVar[Mapping[str, str]] = {
        Capability.MENTIONS: "Instagram's API has no brand-mention search; @mentions only arrive by webhook",
        Capability.DELETE_COMMENTS: "Deleting comments is disabled for Instagram: hide negative comments instead",
        Capability.CAMPAIGNS: "Instagram ads are managed through the Meta Ads connection",
        Capability.AD_STATS: "Instagram ads are managed through the Meta Ads connection",
        Capability.CAMPAIGN_CONTROL: "Instagram ads are managed through the Meta Ads connection",
    }

    def __init__(
        self,
        access_token: str,
        external_id: str,
        *,
        username: str | None = None,
        comments_lookback_days: int = 14,
        publish_poll_interval: float = 5.0,
        publish_max_wait: float = 300.0,
        sleep: Callable[[float], None] = time.sleep,
        **kwargs: Any,
    ) -> None:
        super().__init__(access_token, external_id, **kwargs)
        self.username = username
        self.comments_lookback = timedelta(days=comments_lookback_days)
        self.publish_poll_interval = publish_poll_interval
        self.publish_max_wait = publish_max_wait
        self._sleep = sleep

    # ------------------------------------------------------------------ account

    def fetch_profile(self) -> AccountProfile:
        body = self._get(self.external_id, {"fields": USER_FIELDS})
        profile = self.parse_one(
            "ig user",
            lambda: AccountProfile(
                external_id=str(body["id"]),
                name=body.get("name") or body.get("username") or "",
                username=body.get("username"),
                followers=opt_int(body.get("followers_count")),
                url=f"https://www.instagram.com/{body['username']}/" if body.get("username") else None,
                extra={
                    "follows_count": opt_int(body.get("follows_count")),
                    "media_count": opt_int(body.get("media_count")),
                },
            ),
        )
        self.username = profile.username or self.username
        return profile

    def fetch_account_metrics(self, since: date, until: date) -> list[AccountDay]:
        """One total_value call per day (Meta sums total_value over the requested window, so a
        day is only a day if we ask for exactly one), one breakdown call per day for unfollows,
        and one follower_count time series for the whole range. Days are UTC days.

        ``followers`` (the total) is not reported per day: take it from fetch_profile().
        """
        gained = self._follower_series(since, until)
        days = []
        for day in day_range(since, until):
            window = day_window(day)
            totals = insight_values(
                self._get(
                    f"{self.external_id}/insights",
                    {"metric": ACCOUNT_METRICS, "period": "day", "metric_type": "total_value", **window},
                )
            )
            breakdowns = self._get(
                f"{self.external_id}/insights",
                {
                    "metric": "follows_and_unfollows",
                    "period": "day",
                    "metric_type": "total_value",
                    "breakdown": "follow_type",
                    **window,
                },
            )
            days.extend(
                self.parse_each(
                    "account_day",
                    [day],
                    functools.partial(_account_day, totals=totals, breakdowns=breakdowns, gained=gained),
                )
            )
        return days

    def _follower_series(self, since: date, until: date) -> dict[date, int]:
        """follower_count: new followers per day (accounts with ≥100 followers, last 30 days).

        Not paged: its ``paging.next`` is the following time window, not more of this one.
        """
        body = self._get(
            f"{self.external_id}/insights",
            {"metric": "follower_count", "period": "day", **range_window(since, until)},
        )
        result: dict[date, int] = {}

        def read_point(point: Mapping[str, Any]) -> None:
            day, value = end_time_to_day(point["end_time"]), opt_int(point.get("value"))
            if since <= day <= until and value is not None:
                result[day] = value

        data = body.get("data") if isinstance(body, Mapping) else None
        for metric in data if isinstance(data, list) else []:
            if isinstance(metric, Mapping) and metric.get("name") == "follower_count":
                self.parse_each("follower_count", metric.get("values"), read_point)
        return result

    # ------------------------------------------------------------------ posts

    def fetch_posts(self, since: datetime) -> list[RemotePost]:
        require_aware(since)
        posts: list[RemotePost] = []
        for page in self._pages(f"{self.external_id}/media", {"fields": MEDIA_FIELDS, "limit": 50}):
            parsed = self.parse_each("post", page, _parse_media)
            posts.extend(p for p in parsed if p.published_at >= since)
            # Page-level stop (not item-level) so a pinned older post cannot end the scan early.
            if any(p.published_at < since for p in parsed):
                break
        return posts

    def fetch_post_metrics(self, posts: Sequence[str]) -> list[PostMetrics]:
        """Lifetime insights per media. Costs two calls per media: the product type decides
        which metrics may be asked for."""
        return [self._media_metrics(media_id) for media_id in posts]

    def _media_metrics(self, media_id: str) -> PostMetrics:
        info = self._get(media_id, {"fields": "media_type,media_product_type"})
        info = info if isinstance(info, Mapping) else {}
        product = info.get("media_product_type") or "FEED"
        product = product if isinstance(product, str) else "FEED"
        metrics = MEDIA_METRICS.get(product, MEDIA_METRICS["FEED"])
        try:
            body = self._get(f"{media_id}/insights", {"metric": ",".join(metrics)})
        except PermissionDenied as exc:
            if product == "STORY" and exc.code == 10:
                return PostMetrics(external_id=media_id)  # < 5 viewers: Meta withholds story metrics
            raise
        values = insight_values(body)
        if not values:
            return PostMetrics(external_id=media_id)  # not computed yet: unknown, not zero
        parsed = self.parse_each("post_metrics", [values], lambda v: _media_metrics(media_id, info, product, v))
        return parsed[0] if parsed else PostMetrics(external_id=media_id)

    # ------------------------------------------------------------------ comments

    def fetch_comments(self, since: datetime) -> list[RemoteComment]:
        """Comments (and replies) created at/after ``since`` on media of the last
        ``comments_lookback_days`` before ``since`` — older media are not rescanned."""
        require_aware(since)
        comments: list[RemoteComment] = []
        for post in self.fetch_posts(since - self.comments_lookback):
            if not post.comments:
                continue
            comments.extend(c for c in self._media_comments(post.external_id) if c.created_at >= since)
        return comments

    def _media_comments(self, media_id: str) -> Iterator[RemoteComment]:
        for item in self._paged(f"{media_id}/comments", {"fields": COMMENT_FIELDS, "limit": 50}):
            yield from self.parse_each("comment", [item], lambda i: self._parse_comment(i, media_id, parent=None))
            replies = item.get("replies")
            if not isinstance(replies, Mapping):
                replies = {}
            if not isinstance(item.get("id"), str | int):
                continue  # replies need their parent's id
            parent = str(item["id"])
            paging = replies.get("paging")
            if not isinstance(paging, Mapping):
                paging = {}
            if paging.get("next"):
                yield from self.fetch_comment_replies(parent, post_external_id=media_id)
            else:
                yield from self.parse_each(
                    "comment",
                    replies.get("data"),
                    functools.partial(self._parse_comment, media_id=media_id, parent=parent),
                )

    def fetch_comment_replies(self, comment_id: str, *, post_external_id: str | None = None) -> list[RemoteComment]:
        items = list(self._paged(f"{comment_id}/replies", {"fields": REPLY_FIELDS, "limit": 50}))
        return self.parse_each(
            "comment", items, lambda item: self._parse_comment(item, post_external_id, parent=comment_id)
        )

    def _parse_comment(self, item: Mapping[str, Any], media_id: str | None, *, parent: str | None) -> RemoteComment:
        author = item.get("from")
        if not isinstance(author, Mapping):
            author = {}
        username = item.get("username") or author.get("username")
        author_id = str(author["id"]) if author.get("id") is not None else None
        own = author_id == self.external_id or (self.username is not None and username == self.username)
        return RemoteComment(
            external_id=str(item["id"]),
            post_external_id=media_id,
            parent_external_id=parent,
            author_name=username,
            author_external_id=author_id,
            text=item.get("text") or "",
            created_at=parse_iso(item["timestamp"]),
            like_count=opt_int(item.get("like_count")),
            is_from_account=own,
        )

    def reply(self, comment_external_id: str | None, text: str, *, post_external_id: str | None = None) -> ReplyResult:
        """Reply to a comment, or (comment None) comment on the media ``post_external_id``."""
        if comment_external_id:
            body = self._post(f"{comment_external_id}/replies", {"message": text})
            return ReplyResult(external_id=self.created_id(body, "reply"), parent_external_id=comment_external_id)
        if not post_external_id:
            raise ValueError("reply needs comment_external_id or post_external_id")
        body = self._post(f"{post_external_id}/comments", {"message": text})
        return ReplyResult(external_id=self.created_id(body, "comment"))

    def hide_comment(self, comment_external_id: str, *, hidden: bool = True) -> None:
        body = self._post(comment_external_id, {"hide": "true" if hidden else "false"})
        require_success(self.platform, body)

    # ------------------------------------------------------------------ publishing

    def publishing_quota(self) -> tuple[int, int]:
        """(used, total) posts in the rolling 24 h window (API-published posts only)."""
        body = self._get(f"{self.external_id}/content_publishing_limit", {"fields": "config,quota_usage"})
        entry = (body.get("data") or [{}])[0]
        total = int((entry.get("config") or {}).get("quota_total", 100))
        return int(entry.get("quota_usage", 0)), total

    def publish(
        self,
        text: str,
        *,
        media_urls: Sequence[str] = (),
        link: str | None = None,
        idempotency_key: str | None = None,
    ) -> PublishResult:
        """Create container(s) → wait until FINISHED → media_publish.

        Media must be public URLs Instagram can fetch. Links in captions are not clickable on
        Instagram; ``link`` is appended as plain text so the post still carries the CTA.
        """
        if not media_urls:
            raise NotSupported(self.platform, "Instagram posts need at least one image or video")
        caption = f"{text}\n\n{link}" if link and link not in text else text
        used, total = self.publishing_quota()
        if used >= total:
            raise RateLimited(
                self.platform,
                "publishing_limit",
                f"content publishing limit reached ({used}/{total} in 24 h)",
                retry_after=3600.0,
                user_message=f"Instagram allows {total} API posts per 24 hours; the limit is reached",
            )
        if len(media_urls) == 1:
            container = self._create_container(media_urls[0], caption=caption)
            self._wait_for_container(container)
        else:
            children = [self._create_container(url, carousel_item=True) for url in media_urls]
            for child in children:
                self._wait_for_container(child)
            carousel = self._post(
                f"{self.external_id}/media",
                {"media_type": "CAROUSEL", "children": ",".join(children), "caption": caption},
            )
            container = self.created_id(carousel, "container")
            self._wait_for_container(container)
        body = self._post(f"{self.external_id}/media_publish", {"creation_id": container})
        return PublishResult(external_id=self.created_id(body, "media_publish"))

    def find_published(self, text: str, since: datetime, *, idempotency_key: str | None = None) -> PublishResult | None:
        """Our post among the account's own posts since ``since``, matched by its text (caption)."""
        return self.find_in_own_posts(text, since)

    def _create_container(self, url: str, *, caption: str | None = None, carousel_item: bool = False) -> str:
        params: dict[str, Any] = {"caption": caption}
        if urlsplit(url).path.lower().endswith(_VIDEO_SUFFIXES):
            # Feed videos are published as reels since 2023; inside a carousel it is VIDEO.
            params.update(media_type="VIDEO" if carousel_item else "REELS", video_url=url)
        else:
            params["image_url"] = url
        if carousel_item:
            params["is_carousel_item"] = "true"
        return self.created_id(self._post(f"{self.external_id}/media", params), "container")

    def _wait_for_container(self, container_id: str) -> None:
        waited = 0.0
        while True:
            body = self._get(container_id, {"fields": "status_code,status"})
            status = body.get("status_code")
            if status in ("FINISHED", "PUBLISHED"):
                return
            if status in ("ERROR", "EXPIRED"):
                raise MediaRejected(self.platform, status, str(body.get("status") or status))
            if waited >= self.publish_max_wait:
                raise MediaNotReady(
                    self.platform,
                    status,
                    f"container {container_id} still {status} after {waited:.0f} s",
                    retry_after=60.0,
                )
            self._sleep(self.publish_poll_interval)
            waited += self.publish_poll_interval
