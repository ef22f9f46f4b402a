"""VK community (group/public page) via VK API 5.199. ``external_id`` = community id (positive,
e.g. "218450731"); wall methods address it as ``owner_id=-218450731``.

Every call is ``POST https://api.vk.com/method/<method>?v=5.199`` with the parameters and the
``access_token`` in the form body (keeps the token out of URLs and logs; VK accepts GET or POST).

VK reports errors with HTTP 200 and ``{"error": {"error_code": ...}}``. Mapping (codes only):

===================  ==================  ==================================================
error_code           error               note
===================  ==================  ==================================================
6                    RateLimited 1 s     per-second limit (3 rps user, 20 rps community)
9                    RateLimited 1 h     flood control: the same action too often
29, 601              RateLimited         daily quota: until the next 00:00 Moscow time
14                   CaptchaRequired     a RateLimited (60 s): a server cannot solve
                                         captchas, slowing down is the only remedy
5, 17, 28, 1117      AuthExpired         invalid/expired token, validation required
7, 15, 27, 30, 200,  PermissionDenied    missing scope, not an admin, closed wall/comments,
203, 212, 214, 600                       no access to the ad cabinet
1, 10, 13            TransientError      unknown/internal server error
anything else        InvalidRequest      e.g. 100 invalid parameter
===================  ==================  ==================================================

Within fetch_comments a 212 (comments closed on that post) skips the post instead of failing.
Items are read one by one (``parse_each``): a comment deleted by its author (``deleted: 1``,
no ``from_id``) or any item missing a required field is skipped and recorded, its replies and
the rest of the page are still returned.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any, ClassVar

from integrations.connectors.base import (
    PARSE_ERRORS,
    AccountDay,
    AccountProfile,
    AuthExpired,
    BaseConnector,
    Capability,
    ConnectorError,
    InvalidRequest,
    NotSupported,
    PermissionDenied,
    PostFormat,
    PostMetrics,
    PublishResult,
    RateLimited,
    RemoteComment,
    RemoteMention,
    RemotePost,
    ReplyResult,
    TransientError,
    from_unix,
    opt_int,
    paginate_pages,
    platform_label,
    require_aware,
)

VK_API_VERSION = "5.199"
VK_BASE_URL = "https://api.vk.com/method"
# VK's reporting day is the Moscow day; Moscow has had no DST since 2014, so a fixed offset.
MSK = timezone(timedelta(hours=3), "MSK")

RATE_PER_SECOND = 6
FLOOD_CONTROL = 9
CAPTCHA = 14
DAILY_QUOTA_CODES = frozenset({29, 601})
AUTH_CODES = frozenset({5, 17, 28, 1117})
PERMISSION_CODES = frozenset({7, 15, 27, 30, 200, 203, 212, 214, 600})
TRANSIENT_CODES = frozenset({1, 10, 13})
COMMENTS_CLOSED = 212

POST_REACH_BATCH = 30  # stats.getPostReach accepts at most 30 post ids
_ATTACHMENT_ID = re.compile(r"^(photo|video|audio|doc|poll|market|clip|article)-?\d+_\d+(_[0-9a-f]+)?$")


class CaptchaRequired(RateLimited):
    """VK wants a captcha (error 14). Treated as a rate limit: back off and retry later."""

    default_user_message = "VK asked for a captcha because of too many actions — we will retry later"

    def __init__(self, platform: str, message: str, *, captcha_sid: str | None, captcha_img: str | None) -> None:
        super().__init__(platform, CAPTCHA, message, retry_after=60.0)
        self.captcha_sid = captcha_sid
        self.captcha_img = captcha_img


def vk_error(platform: str, error: Mapping[str, Any], now: datetime) -> ConnectorError:
    code = error.get("error_code")
    message = str(error.get("error_msg", ""))
    label = platform_label(platform)
    if code == RATE_PER_SECOND:
        return RateLimited(platform, code, message, retry_after=1.0)
    if code == FLOOD_CONTROL:
        return RateLimited(
            platform,
            code,
            message,
            retry_after=3600.0,
            user_message=f"{label}: the same action was repeated too often (flood control) — retrying in an hour",
        )
    if code in DAILY_QUOTA_CODES:
        return RateLimited(
            platform,
            code,
            message,
            retry_after=seconds_until_msk_midnight(now),
            user_message=f"{label}: the daily API quota is used up — sync resumes after midnight Moscow time",
        )
    if code == CAPTCHA:
        return CaptchaRequired(
            platform,
            message,
            captcha_sid=str(error["captcha_sid"]) if error.get("captcha_sid") else None,
            captcha_img=error.get("captcha_img"),
        )
    if code in AUTH_CODES:
        return AuthExpired(platform, code, message, user_message=f"{label} token expired — reconnect the account")
    if code in PERMISSION_CODES:
        return PermissionDenied(platform, code, message, user_message=_permission_message(label, code, message))
    if code in TRANSIENT_CODES:
        return TransientError(platform, code, message)
    return InvalidRequest(platform, code, message)


def _permission_message(label: str, code: int, message: str) -> str:
    if code == 15:
        return f"{label}: access denied — the connected user must be an administrator of the community"
    if code == 600:
        return f"{label}: no access to this ad account — check the cabinet's access rights"
    if code == COMMENTS_CLOSED:
        return f"{label}: comments are closed for this post"
    return f"{label}: the token lacks a permission for this action ({message}) — reconnect and grant access"


def seconds_until_msk_midnight(now: datetime) -> float:
    local = now.astimezone(MSK)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tzinfo=MSK)
    return max(60.0, (midnight - local).total_seconds())


def _form_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return value


class VKApiConnector(BaseConnector):
    """Transport shared by the community and the ads connectors."""

    default_base_url: ClassVar[str] = VK_BASE_URL

    def _call(self, method: str, **params: Any) -> Any:
        data = {k: _form_value(v) for k, v in params.items()}
        data["access_token"] = self._access_token
        response = self._http.request("POST", method, params={"v": VK_API_VERSION}, data=data)
        body = self._http.json_body(response)
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            error = vk_error(self.platform, body["error"], self.now())
            error.redact(self._http.secrets)
            raise error
        if response.status_code >= 400 or not isinstance(body, dict) or "response" not in body:
            raise InvalidRequest(self.platform, response.status_code, f"unexpected VK answer to {method}")
        return body["response"]


class VKConnector(VKApiConnector):
    platform: ClassVar[str] = "vk"
    capabilities: ClassVar[frozenset[str]] = frozenset(
        {
            Capability.PROFILE,
            Capability.ACCOUNT_METRICS,
            Capability.POSTS,
            Capability.POST_METRICS,
            Capability.COMMENTS,
            Capability.REPLY,
            Capability.PUBLISH,
            Capability.MENTIONS,
        }
    )
    unsupported_messages: ClassVar[Mapping[str, str]] = {
        Capability.HIDE_COMMENTS: "VK cannot hide a comment, only delete it; answer negative comments instead",
        Capability.DELETE_COMMENTS: "Deleting VK comments is disabled: answer negative comments instead",
        Capability.CAMPAIGNS: "VK ads are managed through the VK Ads connection",
        Capability.AD_STATS: "VK ads are managed through the VK Ads connection",
        Capability.CAMPAIGN_CONTROL: "VK ads are managed through the VK Ads connection",
    }

    def __init__(
        self,
        access_token: str,
        external_id: str,
        *,
        page_size: int = 100,
        comments_page_size: int = 100,
        comments_lookback_days: int = 14,
        **kwargs: Any,
    ) -> None:
        super().__init__(access_token, str(external_id).lstrip("-"), **kwargs)
        self.page_size = page_size
        self.comments_page_size = comments_page_size
        self.comments_lookback = timedelta(days=comments_lookback_days)

    @property
    def owner_id(self) -> int:
        return -int(self.external_id)

    def permalink(self, post_id: int | str) -> str:
        return f"https://vk.com/wall{self.owner_id}_{post_id}"

    # ------------------------------------------------------------------ account

    def fetch_profile(self) -> AccountProfile:
        response = self._call(
            "groups.getById", group_id=self.external_id, fields="members_count,activity,description,verified"
        )

        def parse() -> AccountProfile:
            group = response["groups"][0]  # an object {groups, profiles} since 5.194
            return AccountProfile(
                external_id=str(group["id"]),
                name=group.get("name") or "",
                username=group.get("screen_name"),
                followers=opt_int(group.get("members_count")),
                url=f"https://vk.com/{group['screen_name']}" if group.get("screen_name") else None,
                extra={"activity": group.get("activity"), "verified": bool(group.get("verified"))},
            )

        return self.parse_one("groups.getById", parse)

    def fetch_account_metrics(self, since: date, until: date) -> list[AccountDay]:
        """stats.get by Moscow day. VK counts community page visits (``visitors.views``, here
        profile_visits) but not content views per day, so ``views`` stays None."""
        start = datetime.combine(since, datetime.min.time(), tzinfo=MSK)
        end = datetime.combine(until + timedelta(days=1), datetime.min.time(), tzinfo=MSK)
        periods = self._call(
            "stats.get",
            group_id=self.external_id,
            timestamp_from=int(start.timestamp()),
            timestamp_to=int(end.timestamp()),
            interval="day",
            intervals_count=(until - since).days + 1,
            stats_groups="visitors,reach,activity",
        )
        days = self.parse_each("account_day", periods, _parse_stats_day)
        return sorted((d for d in days if since <= d.day <= until), key=lambda d: d.day)

    # ------------------------------------------------------------------ posts

    def fetch_posts(self, since: datetime) -> list[RemotePost]:
        require_aware(since)
        posts: list[RemotePost] = []
        for page in self._wall_pages():
            parsed = self.parse_each("post", page, self._parse_post)
            posts.extend(p for p in parsed if p.published_at >= since)
            # The pinned post comes first whatever its age, so only unpinned ones end the scan.
            if any(p.published_at < since and not p.is_pinned for p in parsed):
                break
        return posts

    def _wall_pages(self) -> Iterator[list[dict[str, Any]]]:
        def fetch(offset: int | None) -> tuple[list[dict[str, Any]], int | None]:
            offset = offset or 0
            response = self._call(
                "wall.get", owner_id=self.owner_id, offset=offset, count=self.page_size, filter="owner"
            )
            items = _items(response)
            next_offset = offset + len(items)
            return items, next_offset if next_offset < _safe_int(_get(response, "count")) else None

        return paginate_pages(fetch)

    def _parse_post(self, item: Mapping[str, Any]) -> RemotePost:
        attachments = [a for a in item.get("attachments") or [] if isinstance(a, Mapping)]
        return RemotePost(
            external_id=str(item["id"]),
            published_at=from_unix(item["date"]),
            text=item.get("text") or "",
            format=_post_format(attachments),
            permalink=self.permalink(item["id"]),
            likes=_count(item, "likes"),
            comments=_count(item, "comments"),
            shares=_count(item, "reposts"),
            views=_count(item, "views"),
            media_urls=tuple(_photo_urls(attachments)),
            is_pinned=bool(item.get("is_pinned")),
        )

    def fetch_post_metrics(self, posts: Sequence[str]) -> list[PostMetrics]:
        """stats.getPostReach (reach, link clicks, joins). Likes/comments/shares/views are the
        lifetime counters already on RemotePost, so they are not repeated here."""
        result: list[PostMetrics] = []
        for start in range(0, len(posts), POST_REACH_BATCH):
            batch = list(posts[start : start + POST_REACH_BATCH])
            rows = self._call("stats.getPostReach", owner_id=self.owner_id, post_ids=batch)
            result.extend(self.parse_each("post_metrics", rows, _parse_post_reach))
        return result

    # ------------------------------------------------------------------ comments

    def fetch_comments(self, since: datetime) -> list[RemoteComment]:
        """Comments and replies created at/after ``since`` on posts published up to
        ``comments_lookback_days`` before it."""
        require_aware(since)
        result: list[RemoteComment] = []
        for post in self.fetch_posts(since - self.comments_lookback):
            if not post.comments:
                continue
            try:
                comments = list(self._post_comments(post.external_id))
            except PermissionDenied as exc:
                if exc.code == COMMENTS_CLOSED:
                    continue  # comments closed on this post: nothing to read, not an account problem
                raise
            result.extend(c for c in comments if c.created_at >= since)
        return result

    def _post_comments(self, post_id: str, comment_id: str | None = None) -> Iterator[RemoteComment]:
        page_size = self.comments_page_size

        def fetch(offset: int | None) -> tuple[list[RemoteComment], int | None]:
            offset = offset or 0
            response = self._call(
                "wall.getComments",
                owner_id=self.owner_id,
                post_id=post_id,
                comment_id=comment_id,
                offset=offset,
                count=page_size,
                sort="asc",
                need_likes=1,
                extended=1,
                fields="screen_name",
                thread_items_count=10 if comment_id is None else None,
            )
            names = _author_names(response)
            items = _items(response)
            parsed = [c for item in items for c in self._parse_comment_tree(item, post_id, names)]
            # "count" includes replies; "current_level_count" is the number of items at this level.
            total = _safe_int(_get(response, "current_level_count", _get(response, "count")))
            next_offset = offset + len(items)
            return parsed, next_offset if next_offset < total and len(items) >= page_size else None

        for page in paginate_pages(fetch):
            yield from page

    def _parse_comment_tree(self, item: Any, post_id: str, names: Mapping[int, str]) -> Iterator[RemoteComment]:
        def parse(one: Any) -> RemoteComment:
            return self._parse_comment(one, post_id, names)

        if isinstance(item, Mapping) and item.get("deleted"):
            # Deleted by its author: no text and no from_id; its replies are still real.
            self.skip("comment", item, "deleted by its author")
        else:
            yield from self.parse_each("comment", [item], parse)
        thread = item.get("thread") if isinstance(item, Mapping) else None
        if not isinstance(thread, Mapping):
            return
        replies = thread.get("items") if isinstance(thread.get("items"), list) else []
        if _safe_int(thread.get("count")) > len(replies) and isinstance(item.get("id"), int | str):
            # Only the first thread items come inline; fetch the full thread.
            yield from self._post_comments(post_id, comment_id=str(item["id"]))
        else:
            for reply in replies:
                if isinstance(reply, Mapping) and reply.get("deleted"):
                    self.skip("comment", reply, "deleted by its author")
                else:
                    yield from self.parse_each("comment", [reply], parse)

    def _parse_comment(self, item: Mapping[str, Any], post_id: str, names: Mapping[int, str]) -> RemoteComment:
        parents = item.get("parents_stack") or []
        parent = item.get("reply_to_comment") or (parents[-1] if isinstance(parents, list) and parents else None)
        from_id = int(item["from_id"])
        return RemoteComment(
            external_id=str(item["id"]),
            post_external_id=post_id,
            parent_external_id=str(parent) if parent else None,
            author_name=names.get(from_id),
            author_external_id=str(from_id),
            text=item.get("text") or "",
            created_at=from_unix(item["date"]),
            like_count=_count(item, "likes"),
            is_from_account=from_id == self.owner_id,
        )

    def reply(self, comment_external_id: str | None, text: str, *, post_external_id: str | None = None) -> ReplyResult:
        """Answer as the community. VK needs the post id even when replying to a comment."""
        if not post_external_id:
            raise ValueError("VK replies need post_external_id")
        response = self._call(
            "wall.createComment",
            owner_id=self.owner_id,
            post_id=post_external_id,
            from_group=self.external_id,
            reply_to_comment=comment_external_id,
            message=text,
        )
        comment_id = self.parse_one("wall.createComment", lambda: str(response["comment_id"]))
        return ReplyResult(external_id=comment_id, parent_external_id=comment_external_id)

    # ------------------------------------------------------------------ publishing

    def publish(self, text: str, *, media_urls: Sequence[str] = (), link: str | None = None) -> PublishResult:
        """wall.post as the community. Media must already be VK objects ("photo-1_2"): VK does
        not fetch images from URLs, it needs its own upload flow, which is not implemented."""
        foreign = [m for m in media_urls if not _ATTACHMENT_ID.match(m)]
        if foreign:
            raise NotSupported(
                self.platform, "VK needs images uploaded to VK first; publishing from a URL is not supported yet"
            )
        attachments = [*media_urls, *([link] if link else [])]  # a URL attachment becomes a link snippet
        response = self._call(
            "wall.post",
            owner_id=self.owner_id,
            from_group=1,
            message=text,
            attachments=attachments or None,
        )
        post_id = self.parse_one("wall.post", lambda: str(response["post_id"]))
        return PublishResult(external_id=str(post_id), permalink=self.permalink(post_id))

    # ------------------------------------------------------------------ mentions

    def search_mentions(self, query: str, since: datetime) -> list[RemoteMention]:
        """newsfeed.search over public posts; the community's own posts are not mentions.
        Stop condition: no ``next_from``."""
        require_aware(since)

        def fetch(start_from: str | None) -> tuple[list[RemoteMention], str | None]:
            response = self._call(
                "newsfeed.search",
                q=query,
                extended=1,
                count=200,
                start_time=int(since.timestamp()),
                start_from=start_from,
            )
            names = _author_names(response)
            items = _items(response)
            parsed = self.parse_each("mention", items, lambda item: _parse_mention(item, names, self.owner_id))
            return [m for m in parsed if m is not None], _get(response, "next_from") or None

        return [m for page in paginate_pages(fetch) for m in page if m.created_at >= since]


# ---------------------------------------------------------------------- parsing helpers


def _items(response: Any) -> list[Any]:
    """``response["items"]`` when it is a list; anything else reads as no items."""
    items = response.get("items") if isinstance(response, Mapping) else None
    return items if isinstance(items, list) else []


def _get(response: Any, key: str, default: Any = None) -> Any:
    return response.get(key, default) if isinstance(response, Mapping) else default


def _safe_int(value: Any) -> int:
    """A count used only to decide on paging: unreadable counts as 0 (stop paging)."""
    try:
        return opt_int(value) or 0
    except (TypeError, ValueError, ArithmeticError):
        return 0


def _count(item: Mapping[str, Any], key: str) -> int | None:
    value = item.get(key)
    return opt_int(value.get("count")) if isinstance(value, dict) else None


def _post_format(attachments: Sequence[Mapping[str, Any]]) -> str:
    kinds = [a.get("type") for a in attachments if isinstance(a, Mapping)]
    media = [k for k in kinds if k in ("photo", "video", "clip")]
    if len(media) > 1:
        return PostFormat.CAROUSEL
    if "clip" in kinds or any(_is_short_video(a) for a in attachments):
        return PostFormat.REEL
    if "video" in kinds:
        return PostFormat.VIDEO
    if "photo" in kinds:
        return PostFormat.PHOTO
    if "poll" in kinds:
        return PostFormat.POLL
    if "link" in kinds:
        return PostFormat.LINK
    return PostFormat.TEXT


def _is_short_video(attachment: Mapping[str, Any]) -> bool:
    # VK Clips arrive as video attachments whose video.type is "short_video".
    return attachment.get("type") == "video" and (attachment.get("video") or {}).get("type") == "short_video"


def _photo_urls(attachments: Sequence[Mapping[str, Any]]) -> Iterator[str]:
    for attachment in attachments:
        photo = attachment.get("photo")
        sizes = photo.get("sizes") if isinstance(photo, Mapping) else None
        usable = [s for s in sizes or [] if isinstance(s, Mapping) and isinstance(s.get("url"), str)]
        if usable:
            largest = max(usable, key=lambda s: _safe_int(s.get("width")) * _safe_int(s.get("height")))
            yield largest["url"]


def _author_names(response: Mapping[str, Any]) -> dict[int, str]:
    """from_id → display name from the ``profiles``/``groups`` of an extended=1 answer."""
    names: dict[int, str] = {}
    if not isinstance(response, Mapping):
        return names
    # Names are decoration: a profile that cannot be read only leaves its author unnamed.
    for profile in response.get("profiles") or []:
        try:
            names[int(profile["id"])] = " ".join(
                str(p) for p in (profile.get("first_name"), profile.get("last_name")) if p
            )
        except PARSE_ERRORS:
            continue
    for group in response.get("groups") or []:
        try:
            names[-int(group["id"])] = str(group.get("name") or "")
        except PARSE_ERRORS:
            continue
    return names


def _parse_stats_day(period: Mapping[str, Any]) -> AccountDay:
    visitors = period.get("visitors") or {}
    reach = period.get("reach") or {}
    activity = period.get("activity") or {}
    extra = {
        key: value
        for key, value in (
            ("unique_visitors", visitors.get("visitors")),
            ("reach_subscribers", reach.get("reach_subscribers")),
            ("mobile_reach", reach.get("mobile_reach")),
            ("hidden", activity.get("hidden")),
        )
        if value is not None
    }
    return AccountDay(
        day=from_unix(period["period_from"]).astimezone(MSK).date(),
        followers_gained=opt_int(activity.get("subscribed")),
        followers_lost=opt_int(activity.get("unsubscribed")),
        reach=opt_int(reach.get("reach")),
        likes=opt_int(activity.get("likes")),
        comments=opt_int(activity.get("comments")),
        shares=opt_int(activity.get("copies")),
        profile_visits=opt_int(visitors.get("views")),
        extra=extra,
    )


_POST_REACH_EXTRA = ("reach_subscribers", "reach_viral", "reach_ads", "to_group", "hide", "unsubscribe", "report")


def _parse_post_reach(row: Mapping[str, Any]) -> PostMetrics:
    return PostMetrics(
        external_id=str(row["post_id"]),
        reach=opt_int(row.get("reach_total")),
        link_clicks=opt_int(row.get("links")),
        followers_gained=opt_int(row.get("join_group")),
        extra={key: row[key] for key in _POST_REACH_EXTRA if key in row},
    )


def _parse_mention(item: Mapping[str, Any], names: Mapping[int, str], own_id: int) -> RemoteMention | None:
    """None for the community's own posts (not mentions)."""
    owner_id, post_id = int(item["owner_id"]), int(item["id"])
    if owner_id == own_id:
        return None
    from_id = int(item.get("from_id") or owner_id)
    return RemoteMention(
        external_id=f"{owner_id}_{post_id}",
        url=f"https://vk.com/wall{owner_id}_{post_id}",
        author_name=names.get(from_id),
        author_external_id=str(from_id),
        text=item.get("text") or "",
        created_at=from_unix(item["date"]),
        likes=_count(item, "likes"),
        comments=_count(item, "comments"),
        shares=_count(item, "reposts"),
        views=_count(item, "views"),
    )


__all__ = ["MSK", "VK_API_VERSION", "CaptchaRequired", "VKApiConnector", "VKConnector", "vk_error"]
