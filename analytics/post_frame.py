"""One row per published platform post with its latest numbers: the table the insights engine,
the reports and the analytics pages read.

Built from `SocialPost` + its latest `PostMetricDaily` observation (`selectors.latest_post_metrics`).
A platform post linked to its planned post (`SocialPost.planned_post`, analytics/plan_links.py)
takes the plan's pillar and objective and the CRM leads attributed to that planned post, with
their sales revenue (refunds and other currencies left out). A planned post published to several
accounts credits each lead to the platform post on the lead's platform; a lead without a platform
goes to the first of them. Posts outside the plan keep `pillar`, `leads` and `revenue` missing
(readers skip what there is no data for), and their objective is what the sync recorded
(`extra["objective"]`). `published_at` is converted to the organization's timezone: weekday and
time of day are the organization's. Four queries whatever the number of posts, read as values
(no model instances: a year of a large organization is tens of thousands of rows).
"""

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from django.db.models import Count, Q, Sum

from content.models import Post
from crm.models import Lead
from tenancy.models import Organization

from .selectors import latest_post_metrics, window_posts

# (planned post id, platform or "") → [leads, revenue]
_Outcomes = dict[tuple[int, str], list[float]]


def _plan_outcomes(organization: Organization, planned_ids: set[int]) -> _Outcomes:
    """Leads and sales revenue attributed to the planned posts, per the lead's platform: one query."""
    rows = (
        Lead.objects.for_organization(organization)
        .filter(post_id__in=planned_ids)
        .values("post_id", "attributed_platform")
        .annotate(
            leads=Count("id", distinct=True),
            revenue=Sum(
                "sales__amount",
                filter=Q(sales__refunded=False, sales__currency=organization.currency),
            ),
        )
    )
    return {
        (row["post_id"], row["attributed_platform"] or ""): [float(row["leads"]), float(row["revenue"] or 0)]
        for row in rows
    }


# The insights engine's columns (reports/frame.py).
INSIGHT_COLUMNS = [
    "post_id",
    "published_at",
    "platform",
    "format",
    "pillar",
    "objective",
    "reach",
    "engagements",
    "link_clicks",
    "leads",
    "revenue",
]
COLUMNS = [*INSIGHT_COLUMNS, "account_id", "account", "views", "planned_post_id", "text", "permalink"]
NUMERIC = ("reach", "engagements", "link_clicks", "leads", "revenue", "views")


def post_frame(
    *,
    organization: Organization,
    start: dt.date,
    end: dt.date,
    tz: dt.tzinfo | None = None,
    platform: str = "",
    account_id: int | None = None,
) -> pd.DataFrame:
    """The posts published on the days `start`..`end` (in `tz`; the current timezone by default)."""
    posts = window_posts(
        organization=organization, since=start, until=end, tz=tz, platform=platform, account_id=account_id
    )
    post_rows = list(
        posts.values(
            "pk",
            "account_id",
            "account__platform",
            "account__display_name",
            "published_at",
            "format",
            "planned_post_id",
            "extra",
            "text",
            "permalink",
        )
    )
    metrics: dict[int, dict[str, Any]] = {}
    if post_rows:
        metrics = {
            m["post_id"]: dict(m)
            for m in latest_post_metrics(organization=organization, posts=posts).values(
                "post_id", "reach", "views", "likes", "comments", "shares", "saves", "link_clicks"
            )
        }
    links = {p["pk"]: p["planned_post_id"] for p in post_rows if p["planned_post_id"] is not None}
    plans = {
        p.pk: p
        for p in Post.objects.for_organization(organization).filter(pk__in=set(links.values())).select_related("pillar")
    }
    outcomes = _plan_outcomes(organization, set(plans)) if plans else {}
    first_of_plan: dict[int, int] = {}
    for post_pk, plan_pk in sorted(links.items()):
        first_of_plan.setdefault(plan_pk, post_pk)
    rows = []
    for post in post_rows:
        pk, platform_of = post["pk"], post["account__platform"]
        plan = plans.get(links.get(pk, 0))
        leads = revenue = np.nan
        if plan is not None:
            own = outcomes.get((plan.pk, platform_of), [0.0, 0.0])
            unplaced = outcomes.get((plan.pk, ""), [0.0, 0.0]) if first_of_plan[plan.pk] == pk else [0.0, 0.0]
            leads, revenue = own[0] + unplaced[0], own[1] + unplaced[1]
        m: dict[str, Any] = metrics.get(pk, {})
        reach = m.get("reach")
        rows.append(
            (
                pk,
                post["published_at"],
                platform_of,
                post["format"],
                plan.pillar.name if plan is not None and plan.pillar else None,
                plan.objective if plan is not None else (post["extra"] or {}).get("objective"),
                reach,
                sum(m.get(k) or 0 for k in ("likes", "comments", "shares", "saves")) if reach is not None else None,
                m.get("link_clicks"),
                leads,
                revenue,
                post["account_id"],
                post["account__display_name"],
                m.get("views"),
                plan.pk if plan is not None else None,
                post["text"],
                post["permalink"],
            )
        )
    frame = pd.DataFrame.from_records(rows, columns=COLUMNS)
    frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True).dt.tz_convert(organization.timezone)
    for column in NUMERIC:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame
