"""Facebook Page via the Graph API v25.0 with a Page access token. ``external_id`` = Page id.

Error mapping: see graph.py; Pages specifics: 80001 (Pages BUC) and 17/4/32 → RateLimited,
10/200 (e.g. missing pages_read_engagement) → PermissionDenied, 100 (deprecated/unknown
insights metric — the whole request fails) → InvalidRequest, 190 → AuthExpired.

Metric choice (v25.0): Page ``impressions``/``page_fans`` style metrics are deprecated; we use
the media-view family (page_media_view, page_total_media_view_unique) and page_follows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any, ClassVar

from integrations.connectors.base import (
    AccountDay,
    AccountProfile,
    Capability,
    NotSupported,
    PostFormat,
    PostMetrics,
    PublishResult,
    RemoteComment,
    RemotePost,
    ReplyResult,
    opt_int,
    parse_iso,
    require_aware,
)
from integrations.connectors.graph import (
    GraphConnector,
    end_time_to_day,
    insight_values,
    range_window,
    require_success,
)

POST_FIELDS = (
    "id,message,created_time,permalink_url,full_picture,status_type,shares,"
    "reactions.summary(total_count).limit(0),comments.summary(true).limit(0)"
)
COMMENT_FIELDS = "id,message,created_time,from,like_count,comment_count"
PAGE_METRICS = (
    "page_media_view,page_total_media_view_unique,page_post_engagements,page_daily_follows_unique,page_follows"
)
POST_METRICS = "post_media_view,post_total_media_view_unique,post_clicks,post_reactions_by_type_total"

_STATUS_TYPE_FORMATS = {
    "added_video": PostFormat.VIDEO,
    "added_photos": PostFormat.PHOTO,
    "shared_story": PostFormat.LINK,
    "mobile_status_update": PostFormat.TEXT,
    "created_note": PostFormat.TEXT,
}


class FacebookConnector(GraphConnector):
    platform: ClassVar[str] = "facebook"
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
        Capability.MENTIONS: "Facebook's API has no public post search; Page mentions only arrive by webhook",
        Capability.DELETE_COMMENTS: "Deleting comments is disabled for Facebook: hide negative comments instead",
        Capability.CAMPAIGNS: "Facebook ads are managed through the Meta Ads connection",
        Capability.AD_STATS: "Facebook ads are managed through the Meta Ads connection",
        Capability.CAMPAIGN_CONTROL: "Facebook ads are managed through the Meta Ads connection",
    }

    def __init__(self, access_token: str, external_id: str, *, comments_lookback_days: int = 14, **kwargs: Any):
        super().__init__(access_token, external_id, **kwargs)
        self.comments_lookback = timedelta(days=comments_lookback_days)

    # ------------------------------------------------------------------ account

    def fetch_profile(self) -> AccountProfile:
        body = self._get(self.external_id, {"fields": "id,name,username,link,followers_count,fan_count"})
        return self.parse_one(
            "page",
            lambda: AccountProfile(
                external_id=str(body["id"]),
                name=body.get("name") or "",
                username=body.get("username"),
                followers=opt_int(body.get("followers_count")),
                url=body.get("link"),
                extra={"fan_count": opt_int(body.get("fan_count"))},
            ),
        )

    def fetch_account_metrics(self, since: date, until: date) -> list[AccountDay]:
        """Daily Page insights. One call: period=day returns one value per day in the window.

        Not paged: ``paging.next`` of insights is the following time window.
        """
        body = self._get(
            f"{self.external_id}/insights",
            {"metric": PAGE_METRICS, "period": "day", **range_window(since, until)},
        )
        by_day: dict[date, dict[str, int]] = {}

        def read_point(name: str, point: Mapping[str, Any]) -> None:
            day = end_time_to_day(point["end_time"])
            value = opt_int(point.get("value"))
            if since <= day <= until and value is not None:  # a null value is not reported
                by_day.setdefault(day, {})[name] = value

        for metric in body.get("data") or [] if isinstance(body, Mapping) else []:
            if not isinstance(metric, Mapping) or not isinstance(metric.get("name"), str):
                continue
            self.parse_each("insight_value", metric.get("values"), partial(read_point, metric["name"]))
        return [
            AccountDay(
                day=day,
                followers=values.get("page_follows"),
                followers_gained=values.get("page_daily_follows_unique"),
                reach=values.get("page_total_media_view_unique"),
                views=values.get("page_media_view"),
                interactions=values.get("page_post_engagements"),
            )
            for day, values in sorted(by_day.items())
        ]

    # ------------------------------------------------------------------ posts

    def fetch_posts(self, since: datetime) -> list[RemotePost]:
        require_aware(since)
        posts: list[RemotePost] = []
        params = {"fields": POST_FIELDS, "limit": 50, "since": int(since.timestamp())}
        for page in self._pages(f"{self.external_id}/posts", params):
            parsed = self.parse_each("post", page, _parse_post)
            posts.extend(p for p in parsed if p.published_at >= since)
            if any(p.published_at < since for p in parsed):
                break
        return posts

    def fetch_post_metrics(self, posts: Sequence[str]) -> list[PostMetrics]:
        result: list[PostMetrics] = []
        for post_id in posts:
            body = self._get(f"{post_id}/insights", {"metric": POST_METRICS})
            result.extend(self.parse_each("post_metrics", [body], partial(_post_metrics, post_id)))
        return result

    # ------------------------------------------------------------------ comments

    def fetch_comments(self, since: datetime) -> list[RemoteComment]:
        """Comments created at/after ``since`` on posts of the ``comments_lookback_days`` before
        it. Top-level first (filter=toplevel); replies fetched for comments that have them."""
        require_aware(since)
        result: list[RemoteComment] = []
        for post in self.fetch_posts(since - self.comments_lookback):
            if not post.comments:
                continue
            result.extend(c for c in self._post_comments(post.external_id) if c.created_at >= since)
        return result

    def _post_comments(self, post_id: str) -> Iterator[RemoteComment]:
        params = {"fields": COMMENT_FIELDS, "filter": "toplevel", "limit": 100}
        for page in self._pages(f"{post_id}/comments", params):
            for item in page:
                yield from self.parse_each("comment", [item], lambda i: self._parse_comment(i, post_id, parent=None))
                if not isinstance(item.get("id"), str | int) or not _safe_count(item.get("comment_count")):
                    continue
                # Facebook threads are two levels deep: replies have no replies of their own.
                parent = str(item["id"])
                for replies in self._pages(f"{parent}/comments", {"fields": COMMENT_FIELDS, "limit": 100}):
                    yield from self.parse_each(
                        "comment", replies, partial(self._parse_comment, post_id=post_id, parent=parent)
                    )

    def _parse_comment(self, item: Mapping[str, Any], post_id: str, *, parent: str | None) -> RemoteComment:
        raw_author = item.get("from")
        author = raw_author if isinstance(raw_author, Mapping) else {}  # omitted when not authorised
        return RemoteComment(
            external_id=str(item["id"]),
            post_external_id=post_id,
            parent_external_id=parent,
            author_name=author.get("name"),
            author_external_id=str(author["id"]) if author.get("id") is not None else None,
            text=item.get("message") or "",
            created_at=parse_iso(item["created_time"]),
            like_count=opt_int(item.get("like_count")),
            is_from_account=author.get("id") is not None and str(author["id"]) == self.external_id,
        )

    def reply(self, comment_external_id: str | None, text: str, *, post_external_id: str | None = None) -> ReplyResult:
        """Answer as the Page: on a comment, or (comment None) on the post itself."""
        target = comment_external_id or post_external_id
        if not target:
            raise ValueError("reply needs comment_external_id or post_external_id")
        body = self._post(f"{target}/comments", {"message": text})
        return ReplyResult(external_id=self.created_id(body, "comment"), parent_external_id=comment_external_id)

    def hide_comment(self, comment_external_id: str, *, hidden: bool = True) -> None:
        body = self._post(comment_external_id, {"is_hidden": "true" if hidden else "false"})
        require_success(self.platform, body)

    # ------------------------------------------------------------------ publishing

    def publish(
        self,
        text: str,
        *,
        media_urls: Sequence[str] = (),
        link: str | None = None,
        idempotency_key: str | None = None,
    ) -> PublishResult:
        """Text/link post via /feed, one photo via /photos, several photos as unpublished
        uploads attached to one /feed post. Video needs the resumable upload flow: unsupported."""
        if any(_is_video(url) for url in media_urls):
            raise NotSupported(self.platform, "Publishing video to a Facebook Page is not supported yet")
        if not media_urls:
            body = self._post(f"{self.external_id}/feed", {"message": text, "link": link})
            post_id = self.created_id(body, "post")
        elif len(media_urls) == 1:
            caption = f"{text}\n\n{link}" if link and link not in text else text
            body = self._post(f"{self.external_id}/photos", {"url": media_urls[0], "caption": caption})
            post_id = self.created_id(body, "photo", ("post_id", "id"))
        else:
            photo_ids = [
                self.created_id(self._post(f"{self.external_id}/photos", {"url": url, "published": "false"}), "photo")
                for url in media_urls
            ]
            data: dict[str, Any] = {"message": f"{text}\n\n{link}" if link and link not in text else text}
            for index, photo_id in enumerate(photo_ids):
                data[f"attached_media[{index}]"] = f'{{"media_fbid":"{photo_id}"}}'
            post_id = self.created_id(self._post(f"{self.external_id}/feed", data), "post")
        return PublishResult(external_id=post_id, permalink=f"https://www.facebook.com/{post_id}")

    def find_published(self, text: str, since: datetime, *, idempotency_key: str | None = None) -> PublishResult | None:
        """Our post among the account's own posts since ``since``, matched by its text (caption)."""
        return self.find_in_own_posts(text, since)


def _post_metrics(post_id: str, body: Any) -> PostMetrics:
    values = insight_values(body)
    if not values:
        return PostMetrics(external_id=post_id)
    reactions = values.get("post_reactions_by_type_total")
    extra: dict[str, Any] = {}
    if "post_clicks" in values:
        extra["clicks"] = values["post_clicks"]  # all clicks on the post, not only link clicks
    if isinstance(reactions, dict):
        extra["reactions"] = dict(reactions)
    return PostMetrics(
        external_id=post_id,
        reach=opt_int(values.get("post_total_media_view_unique")),
        views=opt_int(values.get("post_media_view")),
        # Every reaction type counts as a "like" for cross-platform engagement.
        likes=sum(int(v) for v in reactions.values()) if isinstance(reactions, dict) else None,
        extra=extra,
    )


def _parse_post(item: Mapping[str, Any]) -> RemotePost:
    return RemotePost(
        external_id=str(item["id"]),
        published_at=parse_iso(item["created_time"]),
        text=item.get("message") or "",
        format=_STATUS_TYPE_FORMATS.get(item.get("status_type") or "", PostFormat.TEXT),
        permalink=item.get("permalink_url"),
        likes=opt_int(((item.get("reactions") or {}).get("summary") or {}).get("total_count")),
        comments=opt_int(((item.get("comments") or {}).get("summary") or {}).get("total_count")),
        # Graph omits "shares" when a post has none (the field was requested), so absent = 0.
        shares=opt_int((item.get("shares") or {}).get("count")) or 0,
        media_urls=tuple(u for u in (item.get("full_picture"),) if u),
        extra={"status_type": item.get("status_type")},
    )


def _safe_count(value: Any) -> int:
    try:
        return opt_int(value) or 0
    except (TypeError, ValueError, ArithmeticError):
        return 0


def _is_video(url: str) -> bool:
    return url.lower().split("?", 1)[0].endswith((".mp4", ".mov", ".m4v"))
