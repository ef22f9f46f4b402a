"""Ingestion of platform facts: posts, post metrics and daily account metrics.

These are analytics' sync steps (``integrations/steps.py``), registered in ``AnalyticsConfig.ready()``:
``step(*, account, connector, window)``.
Every write goes through ``integrations.bulk.bulk_upsert`` keyed by the natural key, so a
re-run changes nothing and an interrupted run is completed by the next one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.utils import timezone

from analytics import plan_links
from analytics.models import AccountMetricDaily, PostMetricDaily, SocialPost
from core.vocabulary import PostFormat
from integrations.bulk import bulk_upsert
from integrations.connectors.base import Capability, Connector, NotSupported, PostMetrics, RemotePost
from integrations.models import SocialAccount
from integrations.quality import step_quality
from integrations.steps import StepResult, SyncWindow

POST_KEY = ["organization_id", "account_id", "external_id"]
POST_METRIC_KEY = ["organization_id", "post_id", "day"]
ACCOUNT_METRIC_KEY = ["organization_id", "account_id", "day"]
_FORMATS = frozenset(PostFormat.values)
ACCOUNT_METRIC_FIELDS = (
    "followers",
    "followers_gained",
    "followers_lost",
    "reach",
    "views",
    "engaged",
    "interactions",
    "likes",
    "comments",
    "shares",
    "saves",
    "link_clicks",
    "profile_visits",
)
POST_METRIC_FIELDS = (
    "reach",
    "views",
    "likes",
    "comments",
    "shares",
    "saves",
    "link_clicks",
    "video_views",
    "followers_gained",
)


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def post_rows(account: SocialAccount, posts: Sequence[RemotePost]) -> list[dict[str, Any]]:
    return [
        {
            "organization_id": account.organization_id,
            "account_id": account.pk,
            "external_id": post.external_id,
            "published_at": post.published_at,
            "text": post.text or "",
            "format": post.format if post.format in _FORMATS else PostFormat.TEXT,
            "permalink": (post.permalink or "")[:500],
            "is_pinned": bool(post.is_pinned),
            "media_urls": list(post.media_urls),
            "extra": _json_safe(dict(post.extra or {})),
        }
        for post in posts
    ]


def post_metric_rows(
    account: SocialAccount,
    posts: Sequence[RemotePost],
    metrics: dict[str, PostMetrics],
    post_ids: dict[str, int],
    day: date,
) -> list[dict[str, Any]]:
    """Insights where the platform has them, else the counters the post listing carried."""
    rows = []
    for post in posts:
        insight = metrics.get(post.external_id)
        listed = {"likes": post.likes, "comments": post.comments, "shares": post.shares, "views": post.views}
        row: dict[str, Any] = {
            "organization_id": account.organization_id,
            "account_id": account.pk,
            "post_id": post_ids[post.external_id],
            "day": day,
        }
        for name in POST_METRIC_FIELDS:
            value = getattr(insight, name) if insight is not None else None
            row[name] = value if value is not None else listed.get(name)
        rows.append(row)
    return rows


def posts_sync(*, account: SocialAccount, connector: Connector, window: SyncWindow) -> StepResult:
    """Posts published since ``window.posts_since`` and today's snapshot of their metrics."""
    posts = connector.fetch_posts(window.posts_since)
    if not posts:
        return StepResult(**step_quality(connector))
    # A post listed twice (a page boundary shifted by a new post) keeps its latest state.
    post_result = bulk_upsert(SocialPost, post_rows(account, posts), key_fields=POST_KEY, on_duplicate="last")
    written = post_result.written
    post_ids = dict(
        SocialPost.objects.filter(
            organization_id=account.organization_id, account=account, external_id__in=[p.external_id for p in posts]
        ).values_list("external_id", "id")
    )
    metrics: dict[str, PostMetrics] = {}
    if Capability.POST_METRICS in connector.capabilities:
        try:
            metrics = {m.external_id: m for m in connector.fetch_post_metrics([p.external_id for p in posts])}
        except NotSupported:
            metrics = {}
    # The observation day in the organization's calendar (the connector's clock via the window).
    day = timezone.localdate(window.now, account.organization.tzinfo)
    rows = post_metric_rows(account, posts, metrics, post_ids, day)
    metric_result = bulk_upsert(PostMetricDaily, rows, key_fields=POST_METRIC_KEY, on_duplicate="most_complete")
    written += metric_result.written
    # The plan learns which of its posts these are (and which were published outside it).
    plan_links.link_account_posts(account=account, external_ids=list(post_ids))
    upserts = [("posts", post_result), ("post_metrics", metric_result)]
    return StepResult(fetched=len(posts) + len(metrics), written=written, **step_quality(connector, upserts))


def account_metrics_sync(*, account: SocialAccount, connector: Connector, window: SyncWindow) -> StepResult:
    """Daily account metrics for the trailing window (platforms revise the last ~48 h)."""
    days = connector.fetch_account_metrics(window.since, window.until)
    rows = [
        {
            "organization_id": account.organization_id,
            "account_id": account.pk,
            "day": item.day,
            **{name: getattr(item, name) for name in ACCOUNT_METRIC_FIELDS},
        }
        for item in days
    ]
    if not rows:
        return StepResult(**step_quality(connector))
    # Daily facts: a repeated day is a re-sent/revised copy, so the most complete row wins.
    result = bulk_upsert(AccountMetricDaily, rows, key_fields=ACCOUNT_METRIC_KEY, on_duplicate="most_complete")
    return StepResult(
        fetched=len(rows), written=result.written, **step_quality(connector, [("account_metrics", result)])
    )
