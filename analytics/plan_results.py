"""What a planned post achieved (reach, ER, clicks, attributed leads) and the platform posts
published outside the plan. A fixed number of queries whatever the number of posts."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum

from core.numbers import ratio
from crm.models import Lead
from links.models import TrackedLink
from tenancy.models import Organization

from .models import PostMetricDaily, SocialPost


@dataclass
class PostResult:
    reach: int | None = None
    interactions: int = 0
    clicks: int | None = None
    leads: int = 0
    platform_posts: int = 0

    @property
    def engagement_rate(self) -> Decimal | None:
        """ER in %, over the platform posts that report reach."""
        return ratio(self.interactions, self.reach, scale=100)


def post_results(*, organization: Organization, post_ids: Iterable[int]) -> dict[int, PostResult]:
    """Each planned post's result, summed over its linked platform posts' latest metrics."""
    ids = list(post_ids)
    results: dict[int, PostResult] = defaultdict(PostResult)
    if not ids:
        return {}
    metrics = PostMetricDaily.objects.for_organization(organization)
    # The latest day per platform post; a subquery (not DISTINCT ON) so SQLite runs it too.
    latest_day = metrics.filter(post=OuterRef("post")).order_by("-day").values("day")[:1]
    latest = metrics.filter(post__planned_post__in=ids, day=Subquery(latest_day)).values(
        "post__planned_post", "reach", "likes", "comments", "shares", "saves", "link_clicks"
    )
    for row in latest:
        result = results[row["post__planned_post"]]
        result.platform_posts += 1
        if row["reach"]:
            result.reach = (result.reach or 0) + row["reach"]
            result.interactions += sum(row[k] or 0 for k in ("likes", "comments", "shares", "saves"))
        if row["link_clicks"] is not None:
            result.clicks = (result.clicks or 0) + row["link_clicks"]
    clicks = (
        TrackedLink.objects.for_organization(organization).filter(post__in=ids).values("post").annotate(n=Sum("clicks"))
    )
    for post_id, n in clicks.values_list("post", "n"):
        # Our short link's counted clicks when the platform reports none.
        result = results[post_id]
        if result.clicks is None:
            result.clicks = n
    leads = Lead.objects.for_organization(organization).filter(post__in=ids).values("post").annotate(n=Count("id"))
    for post_id, n in leads.values_list("post", "n"):
        results[post_id].leads = n
    return dict(results)


def outside_plan(*, organization: Organization) -> QuerySet[SocialPost]:
    """Platform posts no planned post accounts for, newest first."""
    return (
        SocialPost.objects.for_organization(organization)
        .filter(planned_post__isnull=True)
        .select_related("account")
        .order_by("-published_at", "-id")
    )
