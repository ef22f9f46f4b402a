"""Parsing helpers for Instagram Graph API answers: media, media insights, account days, breakdowns."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from integrations.connectors.base import (
    AccountDay,
    PostFormat,
    PostMetrics,
    RemotePost,
    opt_int,
    parse_iso,
)


def _media_metrics(media_id: str, info: Mapping[str, Any], product: str, values: Mapping[str, Any]) -> PostMetrics:
    is_video = product == "REELS" or info.get("media_type") == "VIDEO"
    extra = {
        name: values[name]
        for name in (
            "total_interactions",
            "profile_visits",
            "replies",
            "ig_reels_avg_watch_time",
            "ig_reels_video_view_total_time",
        )
        if name in values
    }
    return PostMetrics(
        external_id=media_id,
        reach=opt_int(values.get("reach")),
        views=opt_int(values.get("views")),
        likes=opt_int(values.get("likes")),
        comments=opt_int(values.get("comments")),
        shares=opt_int(values.get("shares")),
        saves=opt_int(values.get("saved")),
        video_views=opt_int(values.get("views")) if is_video else None,
        followers_gained=opt_int(values.get("follows")),
        extra=extra,
    )


def _account_day(day: date, totals: Mapping[str, Any], breakdowns: Any, gained: Mapping[date, int]) -> AccountDay:
    split = _breakdown_results(breakdowns)
    follows = split.get("follows_and_unfollows", {})
    extra: dict[str, Any] = {}
    if "views" in split:
        extra["views_by_media_product_type"] = split["views"]
    if "FOLLOWER" in follows:
        extra["follows"] = follows["FOLLOWER"]
    return AccountDay(
        day=day,
        followers_gained=gained.get(day),
        followers_lost=follows.get("NON_FOLLOWER"),
        reach=opt_int(totals.get("reach")),
        views=opt_int(totals.get("views")),
        engaged=opt_int(totals.get("accounts_engaged")),
        interactions=opt_int(totals.get("total_interactions")),
        likes=opt_int(totals.get("likes")),
        comments=opt_int(totals.get("comments")),
        shares=opt_int(totals.get("shares")),
        saves=opt_int(totals.get("saves")),
        # Taps on the profile's contact/link buttons: the closest "site click" IG reports.
        link_clicks=opt_int(totals.get("profile_links_taps")),
        extra=extra,
    )


def _parse_media(item: Mapping[str, Any]) -> RemotePost:
    return RemotePost(
        external_id=str(item["id"]),
        published_at=parse_iso(item["timestamp"]),
        text=item.get("caption") or "",
        format=_media_format(item),
        permalink=item.get("permalink"),
        likes=opt_int(item.get("like_count")),
        comments=opt_int(item.get("comments_count")),
        media_urls=tuple(u for u in (item.get("media_url"),) if u),
        extra={
            "media_type": item.get("media_type"),
            "media_product_type": item.get("media_product_type"),
            "shortcode": item.get("shortcode"),
        },
    )


def _media_format(item: Mapping[str, Any]) -> str:
    product = item.get("media_product_type")
    media_type = item.get("media_type")
    if product == "REELS":
        return PostFormat.REEL
    if product == "STORY":
        return PostFormat.STORY
    if media_type == "CAROUSEL_ALBUM":
        return PostFormat.CAROUSEL
    if media_type == "VIDEO":
        return PostFormat.VIDEO
    return PostFormat.PHOTO


def _breakdown_results(body: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """total_value.breakdowns → {metric: {dimension value: count}} (single-dimension splits)."""
    result: dict[str, dict[str, int]] = {}
    data = body.get("data") if isinstance(body, Mapping) else None
    for metric in data if isinstance(data, list) else []:
        if not isinstance(metric, Mapping) or not isinstance(metric.get("name"), str):
            continue
        split: dict[str, int] = {}
        total = metric.get("total_value")
        if not isinstance(total, Mapping):
            total = {}
        for breakdown in total.get("breakdowns") or []:
            for row in (breakdown.get("results") or []) if isinstance(breakdown, Mapping) else []:
                value = opt_int(row.get("value")) if isinstance(row, Mapping) else None
                if value is not None:  # an unreadable slice is not reported, not 0
                    split["/".join(str(v) for v in row.get("dimension_values") or [])] = value
        result[metric["name"]] = split
    return result
