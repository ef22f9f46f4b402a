"""VK community (group/public page) via VK API 5.199. ``external_id`` = community id (positive,
e.g. "218450731"); wall methods address it as ``owner_id=-218450731``.

Every call is ``POST https://api.vk.com/method/<method>?v=5.199`` with the parameters and the
``access_token`` in the form body (keeps the token out of URLs and logs; VK accepts GET or POST).

VK reports errors with HTTP 200 and ``{"error": {"error_code": ...}}``; vk_errors.py maps the codes.
Within fetch_comments a 212 (comments closed on that post) skips the post instead of failing.
Items are read one by one (``parse_each``): a comment deleted by its author (``deleted: 1``,
no ``from_id``) or any item missing a required field is skipped and recorded, its replies and
the rest of the page are still returned.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, ClassVar

from integrations.connectors.base import (
    AccountDay,
    AccountProfile,
    BaseConnector,
    Capability,
    InvalidRequest,
    NotSupported,
    PermissionDenied,
    PostMetrics,
    PublishResult,
    RemoteComment,
    RemoteMention,
    RemotePost,
    ReplyResult,
    from_unix,
    opt_int,
    paginate_pages,
    require_aware,
)
from integrations.connectors.vk_errors import COMMENTS_CLOSED, MSK, CaptchaRequired, vk_error
from integrations.connectors.vk_parsing import (
    _author_names,
    _count,
    _get,
    _items,
    _parse_mention,
    _parse_post_reach,
    _parse_stats_day,
    _photo_urls,
    _post_format,
    _safe_int,
)
from integrations.connectors.vk_upload import upload_wall_photo

VK_API_VERSION = "5.199"
VK_BASE_URL = "https://api.vk.com/method"
POST_REACH_BATCH = 30  # stats.getPostReach accepts at most 30 post ids
_ATTACHMENT_ID = re.compile(r"^(photo|video|audio|doc|poll|market|clip|article)-?\d+_\d+(_[0-9a-f]+)?$")


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
            Capability.FIND_PUBLISHED,
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

    def _wall_pages(self) -> Iterator[Sequence[dict[str, Any]]]:
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
        replies = thread.get("items")
        if not isinstance(replies, list):
            replies = []
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

    def publish(
        self,
        text: str,
        *,
        media_urls: Sequence[str] = (),
        link: str | None = None,
        idempotency_key: str | None = None,
    ) -> PublishResult:
        """wall.post as the community. Media are VK objects ("photo-1_2") or image URLs, which go
        through VK's upload flow first (``vk_upload``); a link becomes the post's link snippet.
        ``idempotency_key`` is VK's ``guid``: the same guid is not posted twice."""
        if any(_is_video_url(m) for m in media_urls if not _ATTACHMENT_ID.match(m)):
            raise NotSupported(self.platform, "Publishing video to VK is not supported yet; attach it as a VK video")
        attachments = [
            m
            if _ATTACHMENT_ID.match(m)
            else upload_wall_photo(self._http, self._call, group_id=self.external_id, url=m)
            for m in media_urls
        ]
        attachments += [link] if link else []  # a URL attachment becomes a link snippet
        response = self._call(
            "wall.post",
            owner_id=self.owner_id,
            from_group=1,
            message=text,
            attachments=attachments or None,
            guid=idempotency_key,
        )
        post_id = self.parse_one("wall.post", lambda: str(response["post_id"]))
        return PublishResult(external_id=str(post_id), permalink=self.permalink(post_id))

    def find_published(self, text: str, since: datetime, *, idempotency_key: str | None = None) -> PublishResult | None:
        """Our post among the community's own wall posts since ``since``, matched by its text."""
        return self.find_in_own_posts(text, since)

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


def _is_video_url(url: str) -> bool:
    return url.lower().split("?", 1)[0].endswith((".mp4", ".mov", ".m4v", ".webm"))


__all__ = ["MSK", "VK_API_VERSION", "CaptchaRequired", "VKApiConnector", "VKConnector", "vk_error"]
