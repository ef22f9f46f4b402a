"""Parsing helpers for VK API answers: tolerant readers of counts, formats, names and stats rows."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from integrations.connectors.base import (
    PARSE_ERRORS,
    AccountDay,
    PostFormat,
    PostMetrics,
    RemoteMention,
    from_unix,
    opt_int,
)
from integrations.connectors.vk_errors import MSK


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
