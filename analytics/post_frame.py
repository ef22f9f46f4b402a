"""One row per published platform post with its latest numbers: the table the insights engine,
the reports and the analytics pages read.

Built from `SocialPost` + its latest `PostMetricDaily` observation (`selectors.latest_post_metrics`).
A platform post linked to its planned post (`SocialPost.planned_post`, analytics/plan_links.py)
takes the plan's pillar and objective and the CRM leads attributed to that planned post, with
their sales revenue (refunds and other currencies left out). A planned post published to several
accounts credits each lead to the platform post on the lead's platform (the demo platform's
account standing in for the planned post's platform); a lead without a platform
goes to the first of them. Posts outside the plan keep `pillar`, `leads` and `revenue` missing
(readers skip what there is no data for), and their objective is what the sync recorded
(`extra["objective"]`). `published_at` is converted to the organization's timezone: weekday and
time of day are the organization's. Four queries whatever the number of posts, read as tuples of
the needed columns (no model instances, no per-row Python: a year of a large organization is tens
of thousands of rows); the posts' texts are read only for the rows a page shows (`post_texts`).
"""

import datetime as dt

import numpy as np
import pandas as pd
from django.db.models import Count, Q, Sum
from django.db.models.fields.json import KeyTextTransform

from content.models import Post
from core.vocabulary import Platform
from crm.models import Lead
from integrations.models import SocialAccount
from tenancy.models import Organization

from . import rollups
from .models import PostRollup, SocialPost
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


def credited_platform(account_platform: str, plan_platform: str) -> str:
    """The platform whose leads a platform post of a planned post takes: its account's, except the
    demo platform's simulated account, which stands in for the planned post's platform (as the
    link to the plan treats it)."""
    return plan_platform if account_platform == Platform.DEMO else account_platform


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


POST_FIELDS = ("post_id", "account_id", "platform", "account", "published_at", "format", "planned_post_id")
METRIC_FIELDS = ("reach", "views", "likes", "comments", "shares", "saves", "link_clicks")


def _raw_rows(organization, start, end, tz, platform, account_id) -> pd.DataFrame:
    """The window's posts and each one's latest snapshot from the raw tables: two queries."""
    posts = window_posts(
        organization=organization, since=start, until=end, tz=tz, platform=platform, account_id=account_id
    )
    post_rows = list(
        posts.values_list(
            "pk",
            "account_id",
            "account__platform",
            "account__display_name",
            "published_at",
            "format",
            "planned_post_id",
            KeyTextTransform("objective", "extra"),
            "permalink",
        )
    )
    frame = pd.DataFrame.from_records(post_rows, columns=[*POST_FIELDS, "sync_objective", "permalink"])
    metric_rows: list[tuple] = []
    if post_rows:
        metric_rows = list(
            latest_post_metrics(organization=organization, posts=posts).values_list("post_id", *METRIC_FIELDS)
        )
    metrics = pd.DataFrame.from_records(metric_rows, columns=["post_id", *METRIC_FIELDS])
    for column in METRIC_FIELDS:
        metrics[column] = pd.to_numeric(metrics[column], errors="coerce").astype("float64")
    return frame.merge(metrics, on="post_id", how="left")


ROLLUP_FIELDS = ("post_id", "account_id", "platform", "published_at", "format", "planned_post_id")


def _rollup_rows(organization, start, end, platform, account_id) -> pd.DataFrame:
    """The same rows from the post rollup (one row per post, already its latest observation) and
    the accounts' names: two queries, no ranking of snapshots."""
    rows = PostRollup.objects.for_organization(organization).filter(day__gte=start, day__lte=end)
    if account_id is not None:
        rows = rows.filter(account_id=account_id)
    if platform:
        rows = rows.filter(platform=platform)
    records = list(
        rows.order_by("-published_at", "-post_id").values_list(*ROLLUP_FIELDS, "objective", "permalink", *METRIC_FIELDS)
    )
    frame = pd.DataFrame.from_records(records, columns=[*ROLLUP_FIELDS, "sync_objective", "permalink", *METRIC_FIELDS])
    names = dict(SocialAccount.objects.for_organization(organization).values_list("pk", "display_name"))
    frame.insert(3, "account", frame["account_id"].map(names))
    for column in METRIC_FIELDS:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


def post_frame(
    *,
    organization: Organization,
    start: dt.date,
    end: dt.date,
    tz: dt.tzinfo | None = None,
    platform: str = "",
    account_id: int | None = None,
) -> pd.DataFrame:
    """The posts published on the days `start`..`end` (in `tz`; the current timezone by default).

    Rows are read as tuples of only the columns the frame needs (the sync's objective is taken out
    of `extra` by the database) and joined in pandas, not per row in Python."""
    if rollups.reads_posts(organization, tz):
        frame = _rollup_rows(organization, start, end, platform, account_id)
    else:
        frame = _raw_rows(organization, start, end, tz, platform, account_id)
    parts = frame[["likes", "comments", "shares", "saves"]].fillna(0).sum(axis=1)
    frame["engagements"] = parts.where(frame["reach"].notna())

    planned = frame["planned_post_id"]
    linked = planned.notna()
    plan_ids = {int(p) for p in planned[linked]}
    plans = {
        pk: (objective, pillar, plan_platform)
        for pk, objective, pillar, plan_platform in Post.objects.for_organization(organization)
        .filter(pk__in=plan_ids)
        .values_list("pk", "objective", "pillar__name", "platform")
    }
    outcomes = _plan_outcomes(organization, set(plans)) if plans else {}
    frame["pillar"] = None
    frame["objective"] = frame["sync_objective"]
    frame["leads"] = np.nan
    frame["revenue"] = np.nan
    if plans:
        # A lead without a platform goes to the plan's first platform post (the smallest pk).
        first_of_plan: dict[int, int] = {}
        for post_pk, plan_pk in sorted(zip(frame["post_id"][linked], planned[linked].astype(int), strict=True)):
            first_of_plan.setdefault(plan_pk, post_pk)
        index, objectives, pillars, leads, revenue = [], [], [], [], []
        for i, post_pk, plan_pk, platform_of in zip(
            frame.index[linked],
            frame["post_id"][linked],
            planned[linked].astype(int),
            frame["platform"][linked],
            strict=True,
        ):
            if plan_pk not in plans:
                continue
            own = outcomes.get((plan_pk, credited_platform(platform_of, plans[plan_pk][2])), [0.0, 0.0])
            unplaced = outcomes.get((plan_pk, ""), [0.0, 0.0]) if first_of_plan[plan_pk] == post_pk else [0.0, 0.0]
            index.append(i)
            objectives.append(plans[plan_pk][0])
            pillars.append(plans[plan_pk][1])
            leads.append(own[0] + unplaced[0])
            revenue.append(own[1] + unplaced[1])
        frame.loc[index, "objective"] = objectives
        frame.loc[index, "pillar"] = pillars
        frame.loc[index, "leads"] = leads
        frame.loc[index, "revenue"] = revenue
        frame["planned_post_id"] = planned.where(planned.astype("float64").isin([float(p) for p in plans]))
    else:
        frame["planned_post_id"] = None
    frame["text"] = None  # read for the shown rows only (`post_texts`)
    frame = frame[COLUMNS]
    frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True).dt.tz_convert(organization.timezone)
    for column in NUMERIC:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


def post_texts(organization: Organization, post_ids: list[int]) -> dict[int, str]:
    """The texts of the given posts (a page of the posts table): one query."""
    return dict(SocialPost.objects.for_organization(organization).filter(pk__in=post_ids).values_list("pk", "text"))
