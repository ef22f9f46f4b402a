"""The figures of the marketer's analytics pages (overview, posts, what performs, audience growth).

Every function reads a fixed number of queries whatever the number of posts or days and returns
pandas frames or plain dataclasses; the pages (`views.py`) only lay them out and `charts.py`
draws them. Conventions (docs/analytics.md):

* A period is the organization's calendar days `start`..`end`; the previous period is the same
  number of days right before it.
* Sums skip values a platform did not report; a total with nothing reported is missing (None/NaN),
  not 0. ER is pooled: interactions ÷ reach × 100 over the rows (days or posts) that report a reach.
* Filters: a platform narrows every figure (tracked-link clicks by their post's or campaign's
  platform, leads by their attributed platform, else the one the CRM sent, ad spend by the ad
  account's platform); an account narrows the account and post figures, and the figures without an
  account (tracked clicks, leads, spend) to that account's platform.
"""

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import Count, F, QuerySet, Sum, Value, Window
from django.db.models.functions import Coalesce, NullIf, RowNumber, TruncDate

from ads.models import AdCampaign, AdStatDaily
from content.models import Post as PlannedPost
from content.models import PostObjective
from core.vocabulary import Platform
from crm.models import Lead, Sale
from integrations.models import SocialAccount
from links.models import LinkClickHourly, TrackedLink
from moderation.models import InboxItem, InboxKind
from strategy.models import Strategy
from tenancy.models import Organization

from . import rollups
from .insights import MIN_GROUP_SIZE
from .kpi_sources.base import ad_platform_label, ad_platforms_for
from .models import AccountMetricDaily, PostMetricDaily, PostRollup, SocialPost
from .post_frame import COLUMNS, NUMERIC, credited_platform, post_frame
from .selectors import published_window

PERIOD_DAYS = (7, 30, 90, 365)
DEFAULT_DAYS = 30
MAX_PERIOD_DAYS = 731


@dataclass(frozen=True)
class Scope:
    """What a page shows: the period, and optionally one platform or one account."""

    organization: Organization
    start: dt.date
    end: dt.date
    platform: str = ""
    account_id: int | None = None
    account_platform: str = ""  # the chosen account's platform (for figures without an account)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def tz(self) -> dt.tzinfo:
        return self.organization.tzinfo

    @property
    def previous(self) -> "Scope":
        end = self.start - dt.timedelta(days=1)
        return Scope(
            self.organization,
            end - dt.timedelta(days=self.days - 1),
            end,
            self.platform,
            self.account_id,
            self.account_platform,
        )

    @property
    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range(self.days)]

    @property
    def coarse_platform(self) -> str:
        """The platform figures without an account are narrowed to."""
        return self.platform or self.account_platform


# ---------------------------------------------------------------------------------------- overview

ACCOUNT_SUMS = ("reach", "views", "interactions", "link_clicks", "followers", "followers_gained", "followers_lost")
DAILY_COLUMNS = [
    *ACCOUNT_SUMS,
    "er_interactions",
    "er_reach",
    "er",
    "tracked_clicks",
    "site_clicks",
    "leads",
    "spend",
    "cpl",
    "posts",
]


def _accounts(scope: Scope, qs: QuerySet) -> QuerySet:
    if scope.account_id is not None:
        qs = qs.filter(account_id=scope.account_id)
    if scope.platform:
        qs = qs.filter(account__platform=scope.platform)
    return qs


def _series(rows: Iterable[Any], key: str, dates: list[dt.date]) -> pd.Series:
    values = {row["d"]: row[key] for row in rows}
    return pd.Series([values.get(d) for d in dates], index=dates, dtype="float64")


def _followers_carried(scope: Scope, rows: pd.DataFrame, dates: list[dt.date]) -> pd.Series:
    """Followers per day summed over the accounts, each account at its last known count: a day an
    account did not report carries its previous count forward (from before the period too), so a
    missing report is not a dip. An account counts from its first report on. One query (each
    account's last count before the period)."""
    newest_first = Window(RowNumber(), partition_by=[F("account_id")], order_by=F("day").desc())
    before = _accounts(
        scope,
        AccountMetricDaily.objects.for_organization(scope.organization).filter(
            day__lt=scope.start, followers__isnull=False
        ),
    )
    earlier = pd.DataFrame.from_records(
        [
            (account_id, scope.start - dt.timedelta(days=1), followers)
            for account_id, followers, _rank in before.annotate(rank=newest_first)
            .filter(rank=1)
            .values_list("account_id", "followers", "rank")
        ],
        columns=["account_id", "day", "followers"],
    )
    known = pd.concat([earlier, rows.loc[rows["followers"].notna(), ["account_id", "day", "followers"]]])
    if known.empty:
        return pd.Series([np.nan] * len(dates), index=dates, dtype="float64")
    per_account = known.pivot(index="day", columns="account_id", values="followers").astype("float64")
    carried = per_account.reindex(sorted({*per_account.index, *dates})).ffill().reindex(dates)
    return carried.sum(axis=1, min_count=1)


ACCOUNT_FIELDS = ("account_id", "day", *ACCOUNT_SUMS)


_AMD, _SOCIAL_ACCOUNT = AccountMetricDaily._meta.db_table, SocialAccount._meta.db_table
# The overview's account figures summed per day in the database, in one pass over the period's
# rows in the natural key's order (not per account and day in Python: 100 accounts × two years
# are 73 000 rows), with the day's change of the carried follower total: each count minus the
# account's previous count (its last one before the period for its first; a day without a count
# changes nothing), so the running sum of the changes is the sum over the accounts of each one's
# last known count. The previous count is the greatest (day, count) pair of the account's earlier
# rows with a count (`_DAY_AND_COUNT`), where a `lag` skipping the rows without a count would need
# them partitioned apart and sorted.
# A row's day and followers as one bigint ordered by the day (days since 1900 × 2³², then
# the count shifted to be non-negative), so the greatest of an account's earlier rows holds its
# previous count: the running max of a window in the rows' order, without a sort.
_DAY_AND_COUNT = "((m.day - DATE '1900-01-01')::bigint * 4294967296 + m.followers + 2147483648)"
_COUNT_OF = "({} %% 4294967296 - 2147483648)"  # %% : the SQL runs with parameters
_ACCOUNT_DAYS = f"""
WITH earlier AS (
    SELECT a.id AS account_id, e.followers
    FROM {_SOCIAL_ACCOUNT} a
    CROSS JOIN LATERAL (
        SELECT followers FROM {_AMD}
        WHERE organization_id = %(org)s AND account_id = a.id AND day < %(start)s AND followers IS NOT NULL
        ORDER BY day DESC LIMIT 1
    ) e
    WHERE a.organization_id = %(org)s {{account_filters}}
)
SELECT k.day, sum(k.reach), sum(k.views), sum(k.interactions), sum(k.link_clicks), NULL::bigint,
    sum(k.followers_gained), sum(k.followers_lost), sum(k.interactions) FILTER (WHERE k.reach > 0),
    sum(k.reach) FILTER (WHERE k.reach > 0),
    sum(k.followers - COALESCE({_COUNT_OF.format("k.previous")}, e.followers, 0))
FROM (
    SELECT m.account_id, m.day, m.reach, m.views, m.interactions, m.link_clicks, m.followers, m.followers_gained,
        m.followers_lost,
        max({_DAY_AND_COUNT}) FILTER (WHERE m.followers IS NOT NULL) OVER (
            PARTITION BY m.account_id ORDER BY m.day ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
        ) AS previous
    FROM {_AMD} m
    WHERE m.organization_id = %(org)s AND m.day >= %(start)s AND m.day <= %(end)s {{filters}}
) k
LEFT JOIN earlier e ON e.account_id = k.account_id
GROUP BY k.day
UNION ALL
SELECT %(before)s::date, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, sum(followers) FROM earlier
HAVING count(*) > 0
"""  # noqa: S608 - table names from the models; values are parameters
ACCOUNT_DAILY = [*ACCOUNT_SUMS, "er_interactions", "er_reach"]


_IN_PLATFORM = f" AND m.account_id IN (SELECT id FROM {_SOCIAL_ACCOUNT} WHERE platform = %(platform)s)"  # noqa: S608


def _account_params(scope: Scope) -> tuple[str, str, dict[str, Any]]:
    """The account metric rows' filters (alias `m`), the accounts' (alias `a`) and the parameters."""
    filters, account_filters = "", ""
    params: dict[str, Any] = {
        "org": scope.organization.pk,
        "start": scope.start,
        "end": scope.end,
        "before": scope.start - dt.timedelta(days=1),
    }
    if scope.account_id is not None:
        filters += " AND m.account_id = %(account)s"
        account_filters += " AND a.id = %(account)s"
        params["account"] = scope.account_id
    if scope.platform:
        filters += _IN_PLATFORM
        account_filters += " AND a.platform = %(platform)s"
        params["platform"] = scope.platform
    return filters, account_filters, params


def _account_daily_sql(scope: Scope) -> pd.DataFrame:
    """`_account_daily` summed in PostgreSQL: one query, a row per day whatever the accounts."""
    filters, account_filters, params = _account_params(scope)
    with connection.cursor() as cursor:
        cursor.execute(_ACCOUNT_DAYS.format(filters=filters, account_filters=account_filters), params)
        rows = cursor.fetchall()
    columns = ["day", *ACCOUNT_DAILY, "change"]
    found = pd.DataFrame.from_records(rows, columns=columns).set_index("day")
    for name in columns[1:]:
        found[name] = pd.to_numeric(found[name], errors="coerce").astype("float64")
    frame = found[ACCOUNT_DAILY].reindex(pd.Index(scope.dates, name="day"))
    # The carried total: the running sum of the changes from the day before the period (missing
    # until the first account's first count).
    change = found["change"].reindex([params["before"], *scope.dates])
    frame["followers"] = change.fillna(0).cumsum().where(change.notna().cummax()).to_numpy()[1:]
    return frame


def _account_daily_frame(scope: Scope) -> pd.DataFrame:
    """`_account_daily` in pandas over each account's daily rows (two queries; any database)."""
    rows = pd.DataFrame.from_records(
        list(
            _accounts(
                scope,
                AccountMetricDaily.objects.for_organization(scope.organization).filter(
                    day__gte=scope.start, day__lte=scope.end
                ),
            ).values_list(*ACCOUNT_FIELDS)
        ),
        columns=ACCOUNT_FIELDS,
    )
    for name in ACCOUNT_SUMS:
        rows[name] = pd.to_numeric(rows[name], errors="coerce").astype("float64")
    with_reach = rows["reach"] > 0
    rows["er_interactions"] = rows["interactions"].where(with_reach)
    rows["er_reach"] = rows["reach"].where(with_reach)
    sums = rows.groupby("day")[ACCOUNT_DAILY].sum(min_count=1)
    frame = sums.reindex(pd.Index(scope.dates, name="day")).astype("float64")
    frame["followers"] = _followers_carried(scope, rows, scope.dates)
    return frame


def _account_daily(scope: Scope) -> pd.DataFrame:
    """Per day of the period, the account metrics summed over the chosen accounts (a sum over
    nothing reported is missing), the ER parts (interactions and reach of the rows with a reach)
    and the followers carried (`_followers_carried`)."""
    if connection.vendor == "postgresql":
        return _account_daily_sql(scope)
    return _account_daily_frame(scope)


def daily_overview(scope: Scope) -> pd.DataFrame:
    """One row per day of the period with the figures of the overview charts. Six queries."""
    org, dates = scope.organization, scope.dates
    start_at, end_at = published_window(scope.start, scope.end, scope.tz)
    frame = _account_daily(scope)
    # Interactions not reported count as 0 on a day that reports a reach.
    frame["er_interactions"] = frame["er_interactions"].where(
        frame["er_reach"].isna(), frame["er_interactions"].fillna(0)
    )
    frame["er"] = frame["er_interactions"] / frame["er_reach"].where(frame["er_reach"] > 0) * 100

    platform = scope.coarse_platform
    clicks: QuerySet = LinkClickHourly.objects.for_organization(org).filter(hour__gte=start_at, hour__lt=end_at)
    if platform:
        clicks = clicks.alias(
            p=Coalesce("link__post__platform", ad_platform_label("link__campaign__account__platform"))
        ).filter(p=platform)
    click_rows = list(clicks.values(d=TruncDate("hour", tzinfo=scope.tz)).annotate(n=Sum("clicks")).order_by())
    frame["tracked_clicks"] = _series(click_rows, "n", dates)
    if TrackedLink.objects.for_organization(org).exists():  # with a tracked link, no clicks is 0
        frame["tracked_clicks"] = frame["tracked_clicks"].fillna(0)
    frame["site_clicks"] = frame[["link_clicks", "tracked_clicks"]].sum(axis=1, min_count=1)

    leads: QuerySet = Lead.objects.for_organization(org).filter(created__gte=start_at, created__lt=end_at)
    if platform:
        leads = leads.alias(p=Coalesce(NullIf("attributed_platform", Value("")), NullIf("platform", Value("")))).filter(
            p=platform
        )
    lead_rows = list(leads.values(d=TruncDate("created", tzinfo=scope.tz)).annotate(n=Count("id")).order_by())
    frame["leads"] = _series(lead_rows, "n", dates).fillna(0)

    spend = AdStatDaily.objects.for_organization(org).filter(day__gte=scope.start, day__lte=scope.end)
    if platform:
        spend = spend.filter(account__platform__in=ad_platforms_for(platform))
    spend_rows = list(spend.values(d=F("day")).annotate(n=Sum("spend")).order_by())
    frame["spend"] = _series(spend_rows, "n", dates)
    frame["cpl"] = frame["spend"] / frame["leads"].where(frame["leads"] > 0)

    posts: QuerySet = SocialPost.objects.for_organization(org).filter(
        published_at__gte=start_at, published_at__lt=end_at
    )
    posts = _accounts(scope, posts)
    post_rows = list(posts.values(d=TruncDate("published_at", tzinfo=scope.tz)).annotate(n=Count("id")).order_by())
    frame["posts"] = _series(post_rows, "n", dates).fillna(0)
    return frame[DAILY_COLUMNS]


@dataclass(frozen=True)
class Total:
    key: str
    current: float | None
    previous: float | None
    unit: str  # "count", "percent", "money"
    higher_is_better: bool = True

    @property
    def change_percent(self) -> float | None:
        if self.current is None or not self.previous:
            return None
        return round((self.current - self.previous) * 100 / abs(self.previous), 1)

    @property
    def improved(self) -> bool | None:
        change = self.change_percent
        if change is None or change == 0:
            return None
        return (change > 0) == self.higher_is_better


def _num(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def period_totals(frame: pd.DataFrame) -> dict[str, float | None]:
    """The period's figures from its daily rows."""

    def total(column: str) -> float | None:
        return _num(frame[column].sum(min_count=1))

    er_reach = total("er_reach")
    leads = total("leads") or 0.0
    spend = total("spend")
    followers = frame["followers"].dropna()
    return {
        "reach": total("reach"),
        "views": total("views"),
        "er": (total("er_interactions") or 0.0) / er_reach * 100 if er_reach else None,
        "followers": _num(followers.iloc[-1]) if len(followers) else None,
        "followers_gained": total("followers_gained"),
        "followers_lost": total("followers_lost"),
        "link_clicks": total("link_clicks"),
        "tracked_clicks": total("tracked_clicks"),
        "site_clicks": total("site_clicks"),
        "leads": leads,
        "spend": spend,
        "cpl": spend / leads if spend is not None and leads else None,
        "posts": total("posts") or 0.0,
    }


TOTAL_UNITS = {
    "reach": ("count", True),
    "views": ("count", True),
    "er": ("percent", True),
    "followers": ("count", True),
    "followers_gained": ("count", True),
    "followers_lost": ("count", False),
    "link_clicks": ("count", True),
    "tracked_clicks": ("count", True),
    "site_clicks": ("count", True),
    "leads": ("count", True),
    "spend": ("money", False),
    "cpl": ("money", False),
    "posts": ("count", True),
}


@dataclass(frozen=True)
class Event:
    day: dt.date
    kind: str  # "campaign" | "strategy"
    title: str


@dataclass
class Overview:
    daily: pd.DataFrame
    previous_daily: pd.DataFrame
    totals: list[Total]
    events: list[Event] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        columns = ["reach", "views", "followers", "site_clicks", "leads", "posts"]
        return bool(self.daily[columns].fillna(0).to_numpy().any())


def events(scope: Scope) -> list[Event]:
    """Campaign starts and strategy approvals within the period (the charts' annotations)."""
    start_at, end_at = published_window(scope.start, scope.end, scope.tz)
    org = scope.organization
    found = []
    campaigns = AdCampaign.objects.for_organization(org).filter(start_at__gte=start_at, start_at__lt=end_at)
    if scope.coarse_platform:
        campaigns = campaigns.filter(account__platform__in=ad_platforms_for(scope.coarse_platform))
    for name, at in campaigns.order_by("start_at", "pk").values_list("name", "start_at")[:50]:
        if at is not None:  # filtered on it above
            found.append(Event(at.astimezone(scope.tz).date(), "campaign", name))
    strategies = Strategy.objects.for_organization(org).filter(approved_at__gte=start_at, approved_at__lt=end_at)
    for title, at in strategies.order_by("approved_at", "pk").values_list("title", "approved_at")[:20]:
        if at is not None:
            found.append(Event(at.astimezone(scope.tz).date(), "strategy", title))
    return sorted(found, key=lambda e: (e.day, e.kind, e.title))


def overview(scope: Scope) -> Overview:
    """The period and the one before it, read together (one set of queries for both)."""
    previous = scope.previous
    both = daily_overview(replace(scope, start=previous.start))
    daily, previous_daily = both.loc[scope.dates], both.loc[previous.dates]
    now, before = period_totals(daily), period_totals(previous_daily)
    totals = [Total(key, now[key], before[key], unit, better) for key, (unit, better) in TOTAL_UNITS.items()]
    return Overview(daily, previous_daily, totals, events(scope))


# ------------------------------------------------------------------------------------------- posts

SORTS = ("published_at", "reach", "views", "er", "link_clicks", "leads", "revenue")
LEAD_OBJECTIVES = {PostObjective.LEAD_GENERATION.value}
SALES_OBJECTIVES = {PostObjective.SALES.value}
SYNC_OBJECTIVES = {"leads": PostObjective.LEAD_GENERATION.value}


def objective_metric(objective: object) -> str:
    """The per-post figure that says whether a post of this objective worked."""
    if objective in LEAD_OBJECTIVES:
        return "leads"
    if objective in SALES_OBJECTIVES:
        return "revenue"
    return "er"


def posts_table(scope: Scope) -> pd.DataFrame:
    """The period's published posts with ER (%) and the figure fitting each one's objective."""
    frame = post_frame(
        organization=scope.organization,
        start=scope.start,
        end=scope.end,
        tz=scope.tz,
        platform=scope.platform,
        account_id=scope.account_id,
    )
    # The sync's own objective names (extra["objective"]) as the plan's.
    frame["objective"] = frame["objective"].replace(SYNC_OBJECTIVES)
    frame["er"] = frame["engagements"] / frame["reach"].where(frame["reach"] > 0) * 100
    frame["fit_metric"] = frame["objective"].map(objective_metric)
    metric = frame["fit_metric"]
    frame["fit_value"] = frame["er"].where(metric == "er", frame["leads"].where(metric == "leads", frame["revenue"]))
    return frame


def sort_posts(frame: pd.DataFrame, sort: str, descending: bool) -> pd.DataFrame:
    """Sorted by `sort` (missing values last whatever the direction), then newest first."""
    if sort not in SORTS:
        sort = "published_at"
    ordered = frame.sort_values(["published_at", "post_id"], ascending=False, kind="mergesort")
    return ordered.sort_values(sort, ascending=not descending, na_position="last", kind="mergesort")


@dataclass(frozen=True)
class Extreme:
    objective: str
    metric: str
    best: dict
    worst: dict | None  # None when the objective has a single measured post


def best_and_worst(frame: pd.DataFrame) -> list[Extreme]:
    """Per objective, the post with the highest and the lowest fitting figure (posts without it
    left out; ties go to the newer post)."""
    result = []
    for objective in [o for o in PostObjective.values if o in set(frame["objective"].dropna())]:
        metric = objective_metric(objective)
        measured = frame[(frame["objective"] == objective) & frame[metric].notna()]
        if measured.empty:
            continue
        ordered = measured.sort_values(["published_at", "post_id"], ascending=False, kind="mergesort")
        best = ordered.loc[ordered[metric].idxmax()].to_dict()
        worst = ordered.loc[ordered[metric].idxmin()].to_dict() if len(ordered) > 1 else None
        result.append(Extreme(objective, metric, best, worst))
    return result


def post_daily(*, post: SocialPost) -> pd.DataFrame:
    """A post's lifetime totals per observation day (reach, views, interactions, clicks)."""
    rows = list(
        PostMetricDaily.objects.for_organization(post.organization_id)
        .filter(post=post)
        .order_by("day")
        .values("day", "reach", "views", "likes", "comments", "shares", "saves", "link_clicks")
    )
    frame = pd.DataFrame.from_records(
        rows, columns=["day", "reach", "views", "likes", "comments", "shares", "saves", "link_clicks"]
    )
    parts = frame[["likes", "comments", "shares", "saves"]].astype("float64")
    frame["interactions"] = parts.sum(axis=1, min_count=1)
    return frame.set_index("day")[["reach", "views", "interactions", "link_clicks"]].astype("float64")


def post_comments(*, post: SocialPost, limit: int = 50) -> tuple[list[InboxItem], dict[str, int]]:
    """The newest comments under the post and the count per tone (None: not labelled yet)."""
    qs = InboxItem.objects.for_organization(post.organization_id).filter(
        account_id=post.account_id, post_external_id=post.external_id, kind=InboxKind.COMMENT
    )
    tones = {row["sentiment"] or "": row["n"] for row in qs.values("sentiment").annotate(n=Count("id")).order_by()}
    return list(qs.order_by("-created_at", "-pk")[:limit]), tones


def post_leads(*, post: SocialPost, limit: int = 50) -> list[Lead]:
    """Leads attributed to the planned post this platform post is, on its platform or on none."""
    if post.planned_post_id is None:
        return []
    platform = credited_platform(post.account.platform, post.planned_post.platform if post.planned_post else "")
    qs = Lead.objects.for_organization(post.organization_id).filter(
        post_id=post.planned_post_id, attributed_platform__in=[platform, ""]
    )
    return list(qs.order_by("-created", "-pk")[:limit])


# ----------------------------------------------------------------------------------- what performs

PERFORM_METRICS = ("er", "reach", "clicks", "leads")
DIMENSIONS = ("format", "pillar", "objective", "platform")


def _metric_parts(frame: pd.DataFrame, metric: str) -> tuple[pd.Series, pd.Series]:
    """(numerator, denominator) per post; the group figure is sum(numerator) ÷ sum(denominator)."""
    if metric == "er":
        measured = frame["reach"] > 0
        return frame["engagements"].where(measured) * 100, frame["reach"].where(measured)
    column = {"reach": "reach", "clicks": "link_clicks", "leads": "leads"}[metric]
    values = frame[column]
    return values, values.notna().astype("float64").where(values.notna())


def group_figures(frame: pd.DataFrame, labels: pd.Series) -> pd.DataFrame:
    """Per label: posts, and for each metric its value and the posts it is measured on (`n_<metric>`).
    One grouped sum over every metric's parts (not a groupby per metric)."""
    parts: dict[str, Any] = {"posts": np.ones(len(frame))}
    for metric in PERFORM_METRICS:
        numerator, denominator = _metric_parts(frame, metric)
        parts[f"top_{metric}"] = numerator.to_numpy(dtype="float64")
        parts[f"bottom_{metric}"] = denominator.to_numpy(dtype="float64")
        parts[f"n_{metric}"] = denominator.notna().to_numpy(dtype="float64")
    sums = pd.DataFrame(parts).groupby(labels.to_numpy()).sum(min_count=1)
    out = pd.DataFrame({"posts": sums["posts"].astype(int)})
    for metric in PERFORM_METRICS:
        bottom = sums[f"bottom_{metric}"]
        out[metric] = sums[f"top_{metric}"] / bottom.where(bottom > 0)
        out[f"n_{metric}"] = sums[f"n_{metric}"].astype(int)
    return out


@dataclass(frozen=True)
class Segment:
    label: str
    posts: int
    values: dict[str, float | None]
    sizes: dict[str, int]

    def enough(self, metric: str) -> bool:
        return self.sizes[metric] >= MIN_GROUP_SIZE


def segments(frame: pd.DataFrame, dimension: str) -> list[Segment]:
    labels = frame[dimension].fillna("").astype(str)
    if frame.empty:
        return []
    figures = group_figures(frame, labels)
    return [
        Segment(
            str(label),
            int(row["posts"]),
            {m: _num(row[m]) for m in PERFORM_METRICS},
            {m: int(row[f"n_{m}"]) for m in PERFORM_METRICS},
        )
        for label, row in figures.iterrows()
    ]


def heatmap(frame: pd.DataFrame, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """(values, posts measured) as 7 weekdays × 24 hours of publication in the organization's time."""
    values = np.full((7, 24), np.nan)
    sizes = np.zeros((7, 24), dtype=int)
    if frame.empty:
        return values, sizes
    local = frame["published_at"]
    labels = local.dt.day_of_week.astype(int) * 24 + local.dt.hour.astype(int)
    numerator, denominator = _metric_parts(frame, metric)
    top = numerator.groupby(labels).sum(min_count=1)
    bottom = denominator.groupby(labels).sum(min_count=1)
    counts = denominator.notna().groupby(labels).sum()
    for cell in counts.index:
        weekday, hour = divmod(int(cell), 24)
        sizes[weekday, hour] = int(counts[cell])
        if bottom[cell] and not math.isnan(bottom[cell]) and not math.isnan(top[cell]):
            values[weekday, hour] = top[cell] / bottom[cell]
    return values, sizes


@dataclass
class Performs:
    """The "what performs" figures: segments per dimension, and the weekday × hour grid of the
    chosen metric (values, posts measured) with the posts published per cell."""

    segments: dict[str, list[Segment]]
    values: np.ndarray
    sizes: np.ndarray
    published: np.ndarray
    posts: int


def performs(scope: Scope, metric: str) -> Performs:
    """From the post rollup when it is complete (one grouped query, `_performs_rollup`), else
    from the posts table in pandas."""
    if rollups.reads_posts(scope.organization, scope.tz):
        return _performs_rollup(scope, metric)
    frame = posts_table(scope)
    values, sizes = heatmap(frame, metric)
    return Performs(
        {dimension: segments(frame, dimension) for dimension in DIMENSIONS},
        values,
        sizes,
        heatmap_posts(frame),
        len(frame),
    )


_POST, _PLAN = PostRollup._meta.db_table, PlannedPost._meta.db_table
_PILLAR, _LEAD = PlannedPost._meta.get_field("pillar").related_model._meta.db_table, Lead._meta.db_table
_SALE, _ACCOUNT = Sale._meta.db_table, SocialAccount._meta.db_table
# The window's posts (one rollup row each) with the plan's objective and pillar when linked to a
# plan, and their leads and revenue credited as `post_frame` credits them: the lead's platform is
# the post's (the demo account standing in for the plan's platform), a lead without a platform
# goes to the plan's first post of the window; revenue is the leads' non-refunded sales in the
# organization's currency. Objectives (`goal`) as `posts_table` names them; ER as it computes it.
_MEASURED = f"""
WITH posts AS (
    SELECT r.*, pl.id AS plan_id, pl.objective AS plan_objective, pi.name AS pillar,
        CASE WHEN r.platform = %(demo)s THEN pl.platform ELSE r.platform END AS credited,
        r.post_id = min(r.post_id) OVER (PARTITION BY pl.id) AS first_of_plan
    FROM {_POST} r
    LEFT JOIN {_PLAN} pl ON pl.id = r.planned_post_id AND pl.organization_id = r.organization_id
    LEFT JOIN {_PILLAR} pi ON pi.id = pl.pillar_id
    WHERE r.organization_id = %(org)s AND r.day >= %(start)s AND r.day <= %(end)s {{filters}}
), outcomes AS (
    SELECT l.post_id AS plan_id, l.attributed_platform AS platform, count(DISTINCT l.id) AS n,
        sum(s.amount) FILTER (WHERE NOT s.refunded AND s.currency = %(currency)s) AS revenue
    FROM {_LEAD} l
    LEFT JOIN {_SALE} s ON s.lead_id = l.id AND s.organization_id = l.organization_id
    WHERE l.organization_id = %(org)s AND l.post_id IN (SELECT plan_id FROM posts WHERE plan_id IS NOT NULL)
    GROUP BY 1, 2
), credited AS (
    SELECT p.*,
        CASE WHEN p.plan_id IS NULL THEN p.objective ELSE p.plan_objective END AS objective_raw,
        CASE WHEN p.plan_id IS NOT NULL THEN COALESCE(own.n, 0)
            + CASE WHEN p.first_of_plan THEN COALESCE(unplaced.n, 0) ELSE 0 END END AS leads,
        CASE WHEN p.plan_id IS NOT NULL THEN COALESCE(own.revenue, 0)
            + CASE WHEN p.first_of_plan THEN COALESCE(unplaced.revenue, 0) ELSE 0 END END AS revenue,
        CASE WHEN p.reach > 0 THEN p.engagements::float8 / p.reach * 100 END AS er
    FROM posts p
    LEFT JOIN outcomes own ON own.plan_id = p.plan_id AND own.platform = p.credited
    LEFT JOIN outcomes unplaced ON unplaced.plan_id = p.plan_id AND unplaced.platform = ''
), measured AS (
    SELECT c.*, CASE WHEN c.objective_raw = 'leads' THEN %(leads)s ELSE c.objective_raw END AS goal
    FROM credited c
)"""  # noqa: S608 - table names from the models; values are parameters
# Every figure's parts summed per dimension and per weekday × hour cell in one pass (GROUPING
# SETS); the per-post means and the pooled ER are divided in Python.
_PERFORMS = f"""{_MEASURED}
SELECT GROUPING(format) = 0, GROUPING(platform) = 0, GROUPING(goal) = 0, GROUPING(pillar) = 0,
    format, platform, COALESCE(goal, ''), COALESCE(pillar, ''), weekday, hour, count(*),
    sum(engagements) FILTER (WHERE reach > 0) * 100.0, sum(reach) FILTER (WHERE reach > 0),
    count(*) FILTER (WHERE reach > 0),
    sum(reach), count(reach), sum(link_clicks), count(link_clicks), sum(leads), count(leads)
FROM measured
GROUP BY GROUPING SETS ((format), (platform), (goal), (pillar), (weekday, hour))
"""  # noqa: S608 - table names from the models; values are parameters


def _measured_params(scope: Scope) -> tuple[str, dict[str, Any]]:
    filters = ""
    params: dict[str, Any] = {
        "org": scope.organization.pk,
        "start": scope.start,
        "end": scope.end,
        "demo": Platform.DEMO.value,
        "leads": SYNC_OBJECTIVES["leads"],
        "currency": scope.organization.currency,
    }
    if scope.account_id is not None:
        filters += " AND r.account_id = %(account)s"
        params["account"] = scope.account_id
    if scope.platform:
        filters += " AND r.platform = %(platform)s"
        params["platform"] = scope.platform
    return filters, params


# The posts table's order, its page and each objective's best and worst post by its fitting
# figure, ranked in the database over the window's rollup rows; only the page's rows and the
# extremes come back. The same figures as `_MEASURED`, computed so that no sort carries a whole
# rollup row: the plan's objective, its first post and the credited leads and revenue are found
# for the planned posts only (`planned`, `credited`), the three rankings sort narrow rows (the
# post's id, its sort key and fitting figure), and the shown rows' other columns are read
# afterwards by id (`chosen` joined to the rollup, the plan's pillar and the account).
_POSTS_PAGE = f"""
WITH window_posts AS (
    SELECT r.post_id, r.published_at, r.platform, r.objective, r.planned_post_id, r.reach, r.views,
        r.link_clicks, r.engagements
    FROM {_POST} r
    WHERE r.organization_id = %(org)s AND r.day >= %(start)s AND r.day <= %(end)s {{filters}}
), planned AS (
    SELECT r.post_id, pl.id AS plan_id, pl.objective AS plan_objective, pl.pillar_id,
        CASE WHEN r.platform = %(demo)s THEN pl.platform ELSE r.platform END AS credited,
        r.post_id = min(r.post_id) OVER (PARTITION BY pl.id) AS first_of_plan
    FROM window_posts r
    JOIN {_PLAN} pl ON pl.id = r.planned_post_id AND pl.organization_id = %(org)s
    WHERE r.planned_post_id IS NOT NULL
), outcomes AS (
    SELECT l.post_id AS plan_id, l.attributed_platform AS platform, count(DISTINCT l.id) AS n,
        sum(s.amount) FILTER (WHERE NOT s.refunded AND s.currency = %(currency)s) AS revenue
    FROM {_LEAD} l
    LEFT JOIN {_SALE} s ON s.lead_id = l.id AND s.organization_id = l.organization_id
    WHERE l.organization_id = %(org)s AND l.post_id IN (SELECT plan_id FROM planned)
    GROUP BY 1, 2
), credited AS (
    SELECT p.post_id, p.plan_id, p.plan_objective, p.pillar_id,
        COALESCE(own.n, 0) + CASE WHEN p.first_of_plan THEN COALESCE(unplaced.n, 0) ELSE 0 END AS leads,
        COALESCE(own.revenue, 0)
            + CASE WHEN p.first_of_plan THEN COALESCE(unplaced.revenue, 0) ELSE 0 END AS revenue
    FROM planned p
    LEFT JOIN outcomes own ON own.plan_id = p.plan_id AND own.platform = p.credited
    LEFT JOIN outcomes unplaced ON unplaced.plan_id = p.plan_id AND unplaced.platform = ''
), measured AS (
    SELECT r.post_id, r.published_at, r.reach, r.views, r.link_clicks, c.plan_id, c.pillar_id, c.leads,
        c.revenue, CASE WHEN r.reach > 0 THEN r.engagements::float8 / r.reach * 100 END AS er,
        CASE WHEN c.plan_id IS NULL THEN r.objective ELSE c.plan_objective END AS objective_raw
    FROM window_posts r
    LEFT JOIN credited c ON c.post_id = r.post_id
), fitted AS (
    SELECT m.*, CASE WHEN m.goal = %(lead_goal)s THEN m.leads::float8 WHEN m.goal = %(sales_goal)s
            THEN m.revenue::float8 ELSE m.er END AS fit_value
    FROM (SELECT m.post_id, m.published_at, m.plan_id, m.pillar_id, m.leads, m.revenue, m.er, m.{{sort}} AS key,
            CASE WHEN m.objective_raw = 'leads' THEN %(leads)s ELSE m.objective_raw END AS goal
        FROM measured m) m
), page AS (
    SELECT * FROM (
        SELECT t.*, row_number() OVER (ORDER BY t.key {{direction}} NULLS LAST, t.published_at DESC,
                t.post_id DESC) AS place
        FROM (SELECT f.* FROM fitted f
            ORDER BY f.key {{direction}} NULLS LAST, f.published_at DESC, f.post_id DESC
            LIMIT %(offset)s + %(size)s) t
    ) t WHERE t.place > %(offset)s
), bounds AS (
    SELECT f.goal, count(*) AS measured, max(f.fit_value) AS top, min(f.fit_value) AS bottom
    FROM fitted f
    WHERE f.fit_value IS NOT NULL AND f.goal = ANY(%(objectives)s)
    GROUP BY f.goal
), best AS (
    SELECT DISTINCT ON (f.goal) f.*
    FROM fitted f JOIN bounds b ON b.goal = f.goal AND f.fit_value = b.top
    ORDER BY f.goal, f.published_at DESC, f.post_id DESC
), worst AS (
    SELECT DISTINCT ON (f.goal) f.*
    FROM fitted f JOIN bounds b ON b.goal = f.goal AND f.fit_value = b.bottom
    ORDER BY f.goal, f.published_at DESC, f.post_id DESC
), chosen AS (
    SELECT c.post_id, c.plan_id, c.pillar_id, c.goal, c.leads, c.revenue, c.er, c.fit_value,
        max(c.place) AS place, max(c.best) AS best, max(c.worst) AS worst
    FROM (SELECT p.*, 0 AS best, 0 AS worst FROM page p
        UNION ALL SELECT b.*, 0, 1, 0 FROM best b
        UNION ALL SELECT w.*, 0, 0, 1 FROM worst w) c
    GROUP BY c.post_id, c.plan_id, c.pillar_id, c.goal, c.leads, c.revenue, c.er, c.fit_value
)
SELECT r.post_id, r.published_at, r.platform, r.format, pi.name, o.goal, r.reach, r.engagements,
    r.link_clicks, o.leads, o.revenue, r.account_id, a.display_name, r.views, o.plan_id, NULL, r.permalink,
    o.er, CASE WHEN o.goal = %(lead_goal)s THEN 'leads' WHEN o.goal = %(sales_goal)s THEN 'revenue'
        ELSE 'er' END, o.fit_value, o.place, o.best, o.worst, COALESCE(b.measured, 0)
FROM chosen o
JOIN {_POST} r ON r.organization_id = %(org)s AND r.post_id = o.post_id
JOIN {_ACCOUNT} a ON a.id = r.account_id
LEFT JOIN {_PILLAR} pi ON pi.id = o.pillar_id
LEFT JOIN bounds b ON b.goal = o.goal
ORDER BY o.place, o.post_id
"""  # noqa: S608 - table names from the models; the sort is one of SORTS; values are parameters
PAGE_COLUMNS = [*COLUMNS, "er", "fit_metric", "fit_value"]


@dataclass
class PostsPage:
    """A page of the posts table (`posts_table` columns, in order) and the best and worst posts."""

    rows: pd.DataFrame
    extremes: list[Extreme]


def reads_rollup(scope: Scope) -> bool:
    return rollups.reads_posts(scope.organization, scope.tz)


def post_count(scope: Scope) -> int:
    """The number of posts in the posts table (from the post rollup): one query."""
    rows = PostRollup.objects.for_organization(scope.organization).filter(day__gte=scope.start, day__lte=scope.end)
    if scope.account_id is not None:
        rows = rows.filter(account_id=scope.account_id)
    if scope.platform:
        rows = rows.filter(platform=scope.platform)
    return rows.count()


def posts_page(scope: Scope, sort: str, descending: bool, offset: int, size: int) -> PostsPage:
    """The rows `offset`..`offset + size` of the posts table sorted as `sort_posts` sorts it, and
    `best_and_worst`, from the post rollup: one query whatever the number of posts."""
    filters, params = _measured_params(scope)
    sort = sort if sort in SORTS else "published_at"
    params |= {
        "lead_goal": PostObjective.LEAD_GENERATION.value,
        "sales_goal": PostObjective.SALES.value,
        "offset": offset,
        "size": size,
        "objectives": list(PostObjective.values),
    }
    with connection.cursor() as cursor:
        cursor.execute(
            _POSTS_PAGE.format(filters=filters, sort=sort, direction="DESC" if descending else "ASC"), params
        )
        rows = cursor.fetchall()
    width = len(PAGE_COLUMNS)
    frame = pd.DataFrame.from_records([row[:width] for row in rows], columns=PAGE_COLUMNS)
    frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True).dt.tz_convert(scope.organization.timezone)
    for column in (*NUMERIC, "er", "fit_value"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    place, best, worst, measured = (np.array([row[width + i] for row in rows]) for i in range(4))
    in_page = (place > offset) & (place <= offset + size) if rows else np.zeros(0, dtype=bool)
    extremes = []
    for objective in PostObjective.values:
        of = (frame["objective"] == objective).to_numpy() & frame["fit_value"].notna().to_numpy()
        if not of.any():
            continue
        top = frame[of & (best == 1)].iloc[0].to_dict()
        bottom = frame[of & (worst == 1)].iloc[0].to_dict() if measured[of][0] > 1 else None
        extremes.append(Extreme(objective, objective_metric(objective), top, bottom))
    return PostsPage(frame[in_page].reset_index(drop=True), extremes)


_GROUPED = ("format", "platform", "objective", "pillar")  # the order of the query's grouping sets


def _performs_rollup(scope: Scope, metric: str) -> Performs:
    """`performs` from the post rollup: one query whatever the number of posts."""
    filters, params = _measured_params(scope)
    with connection.cursor() as cursor:
        cursor.execute(_PERFORMS.format(filters=filters), params)
        rows = cursor.fetchall()
    found: dict[str, list[Segment]] = {dimension: [] for dimension in DIMENSIONS}
    values, sizes = np.full((7, 24), np.nan), np.zeros((7, 24), dtype=int)
    published, total = np.zeros((7, 24), dtype=int), 0
    for row in rows:
        grouped, labels, (weekday, hour, posts), parts = row[:4], row[4:8], row[8:11], row[11:]
        figures = {
            "er": (parts[0], parts[1], parts[2]),
            "reach": (parts[3], parts[4], parts[4]),
            "clicks": (parts[5], parts[6], parts[6]),
            "leads": (parts[7], parts[8], parts[8]),
        }
        ratio = {m: float(top) / float(bottom) if bottom else None for m, (top, bottom, _n) in figures.items()}
        counts = {m: int(n) for m, (_top, _bottom, n) in figures.items()}
        if any(grouped):
            dimension = _GROUPED[grouped.index(True)]
            label = labels[grouped.index(True)]
            found[dimension].append(Segment(str(label or ""), int(posts), ratio, counts))
            total += int(posts) if dimension == "platform" else 0
        else:
            published[weekday, hour] = int(posts)
            sizes[weekday, hour] = counts[metric]
            if ratio[metric] is not None:
                values[weekday, hour] = ratio[metric]
    return Performs(
        {dimension: sorted(items, key=lambda s: s.label) for dimension, items in found.items()},
        values,
        sizes,
        published,
        total,
    )


def heatmap_posts(frame: pd.DataFrame) -> np.ndarray:
    """Posts published per weekday × hour cell, whatever they report."""
    counts = np.zeros((7, 24), dtype=int)
    if frame.empty:
        return counts
    local = frame["published_at"]
    cells = (local.dt.day_of_week * 24 + local.dt.hour).value_counts()
    for cell, n in cells.items():
        counts[divmod(int(cell), 24)] = int(n)
    return counts


# ---------------------------------------------------------------------------------- audience growth

UNUSUAL_Z = 3.5  # robust z-score (median and MAD) beyond which a day's net change is unusual
UNUSUAL_MIN_DAYS = 7


def account_days(scope: Scope, *, since_before: bool = False) -> pd.DataFrame:
    """One row per account and day: followers, gained, lost and the net change. One query.
    `since_before` keeps the day before the period (the net change of its first day needs it)."""
    qs = _accounts(
        scope,
        AccountMetricDaily.objects.for_organization(scope.organization).filter(
            day__gte=scope.start - dt.timedelta(days=1), day__lte=scope.end
        ),
    )
    rows = list(
        qs.values_list(
            "account_id",
            "account__display_name",
            "account__platform",
            "day",
            "followers",
            "followers_gained",
            "followers_lost",
        ).order_by("account_id", "day")
    )
    columns = ["account_id", "account", "platform", "day", "followers", "gained", "lost"]
    frame = pd.DataFrame.from_records(rows, columns=columns)
    for column in ("followers", "gained", "lost"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    # Net change: gained − lost where both are reported, else the change of the follower total.
    both = frame["gained"].notna() & frame["lost"].notna()
    diff = frame.groupby("account_id")["followers"].diff()
    previous_day = frame.groupby("account_id")["day"].shift()
    consecutive = previous_day.notna() & (
        pd.to_datetime(frame["day"]) - pd.to_datetime(previous_day) == pd.Timedelta(days=1)
    )
    frame["net"] = (frame["gained"] - frame["lost"]).where(both, diff.where(consecutive))
    if since_before:
        return frame
    return frame[frame["day"] >= scope.start].reset_index(drop=True)


def unusual_days(frame: pd.DataFrame) -> pd.DataFrame:
    """Account-days whose net change is far from the account's usual (robust z-score > UNUSUAL_Z;
    accounts with fewer than UNUSUAL_MIN_DAYS measured days are left out)."""
    found = []
    for _account, rows in frame.dropna(subset=["net"]).groupby("account_id"):
        if len(rows) < UNUSUAL_MIN_DAYS:
            continue
        median = rows["net"].median()
        mad = (rows["net"] - median).abs().median()
        if mad > 0:
            score = 0.6745 * (rows["net"] - median) / mad
        else:
            std = rows["net"].std(ddof=0)
            if not std:
                continue
            score = (rows["net"] - rows["net"].mean()) / std * (UNUSUAL_Z / 3)
        found.append(rows.assign(score=score)[score.abs() > UNUSUAL_Z])
    if not found:
        return frame.head(0).assign(score=pd.Series(dtype="float64"))
    return pd.concat(found).sort_values(["day", "account_id"]).reset_index(drop=True)


AUDIENCE_LINES = 8  # accounts drawn as their own line (the palette's colours); beyond, 7 and "other"

# An account's day: followers, gained, lost and the net change as `account_days` computes it
# (from the day before the period), in the natural key's order (no sort); {previous} adds the
# account's previous count (`_DAY_AND_COUNT`). The window's frame (the earlier rows) is the
# running max's; `lag` ignores frames, so both are computed in one window pass.
_AUDIENCE_ROWS = f"""
    SELECT m.account_id, m.day, m.followers, m.followers_gained AS gained, m.followers_lost AS lost,
        CASE WHEN m.followers_gained IS NOT NULL AND m.followers_lost IS NOT NULL
                THEN m.followers_gained - m.followers_lost
            WHEN lag(m.day) OVER w = m.day - 1 THEN m.followers - lag(m.followers) OVER w
        END AS net {{previous}}
    FROM {_AMD} m
    WHERE m.organization_id = %(org)s AND m.day >= %(before)s AND m.day <= %(end)s {{filters}}
    WINDOW w AS (PARTITION BY m.account_id ORDER BY m.day ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
"""  # noqa: S608 - table names from the models; values are parameters
_PREVIOUS_COUNT = f"max({_DAY_AND_COUNT}) FILTER (WHERE m.followers IS NOT NULL) OVER w"
_PREVIOUS = f", {_COUNT_OF.format(_PREVIOUS_COUNT)} AS previous"
# The audience page in one pass over the period's account rows (`_AUDIENCE_ROWS`, computed once):
# * the chart's lines: every account when there are at most AUDIENCE_LINES, else the
#   AUDIENCE_LINES - 1 with the most followers at their last count of the period (line = their
#   place; one index probe per account) and the others summed (line 0): gained, lost and net
#   summed per day, followers carried (the day's change of their counts, summed up in Python);
# * `unusual_days` over the period's net changes: median, MAD, mean and standard deviation per
#   account, and the days whose score is beyond UNUSUAL_Z.
_AUDIENCE = f"""
WITH m AS MATERIALIZED ({_AUDIENCE_ROWS.format(previous=_PREVIOUS, filters="{filters}")}), ranked AS (
    SELECT a.id AS account_id, count(*) OVER () AS accounts,
        row_number() OVER (ORDER BY l.followers DESC NULLS LAST, a.id) AS place
    FROM {_SOCIAL_ACCOUNT} a
    LEFT JOIN LATERAL (
        SELECT x.followers FROM {_AMD} x
        WHERE x.organization_id = %(org)s AND x.account_id = a.id AND x.day >= %(start)s AND x.day <= %(end)s
            AND x.followers IS NOT NULL
        ORDER BY x.day DESC LIMIT 1
    ) l ON true
    WHERE a.organization_id = %(org)s {{account_filters}} AND EXISTS (
        SELECT 1 FROM {_AMD} x
        WHERE x.organization_id = %(org)s AND x.account_id = a.id AND x.day >= %(start)s AND x.day <= %(end)s
    )
), lines AS (
    SELECT CASE WHEN r.accounts <= %(lines)s OR r.place < %(lines)s THEN r.place ELSE 0 END AS line,
        min(m.account_id) AS account_id, m.day, sum(m.followers) AS followers, sum(m.gained) AS gained,
        sum(m.lost) AS lost, sum(m.net) AS net, sum(m.followers - COALESCE(m.previous, 0)) AS change,
        max(r.accounts) AS accounts
    FROM m JOIN ranked r ON r.account_id = m.account_id
    GROUP BY 1, m.day
), p AS (
    SELECT * FROM m WHERE day >= %(start)s AND net IS NOT NULL
), s AS (
    SELECT account_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY net) AS median, avg(net::float8) AS mean,
        stddev_pop(net::float8) AS sd
    FROM p GROUP BY account_id HAVING count(*) >= %(min_days)s
), d AS (
    SELECT p.account_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(p.net - s.median)) AS mad
    FROM p JOIN s ON s.account_id = p.account_id GROUP BY p.account_id
), scored AS (
    SELECT p.account_id, p.day, p.followers, p.gained, p.lost, p.net,
        CASE WHEN d.mad > 0 THEN 0.6745 * (p.net - s.median) / d.mad
            WHEN s.sd > 0 THEN (p.net - s.mean) / s.sd * %(sd_scale)s END AS score
    FROM p JOIN s ON s.account_id = p.account_id JOIN d ON d.account_id = p.account_id
)
SELECT g.line, g.account_id, a.display_name, a.platform, g.day, g.followers, g.gained, g.lost, g.net, g.change,
    g.accounts
FROM lines g LEFT JOIN {_SOCIAL_ACCOUNT} a ON a.id = g.account_id AND g.line <> 0
UNION ALL
SELECT NULL, x.account_id, a.display_name, a.platform, x.day, x.followers, x.gained, x.lost, x.net, x.score, NULL
FROM scored x JOIN {_SOCIAL_ACCOUNT} a ON a.id = x.account_id
WHERE abs(x.score) > %(z)s
"""  # noqa: S608 - table names from the models; values are parameters
LINE_COLUMNS = ["line", "account_id", "account", "platform", "day", "followers", "gained", "lost", "net"]


def _numbers(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    for column in columns:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


def _carried(change: pd.Series) -> pd.Series:
    """The running sum of a day's changes of a follower total, missing until the first count."""
    return change.fillna(0).cumsum().where(change.notna().cummax())


@dataclass
class Audience:
    """The audience page's figures (`audience`)."""

    lines: pd.DataFrame  # LINE_COLUMNS
    accounts: int
    unusual: pd.DataFrame  # UNUSUAL_COLUMNS


UNUSUAL_COLUMNS = ["account_id", "account", "platform", "day", "followers", "gained", "lost", "net", "score"]


def audience(scope: Scope) -> Audience:
    """The followers chart's lines, the number of chosen accounts with figures in the period and
    the unusual days (`unusual_days(account_days(scope))`).

    Lines: one row per line and day (LINE_COLUMNS, ordered by line then day): with at most
    AUDIENCE_LINES accounts, each account's `account_days` rows (line = the account, in the order
    of its id); with more, the AUDIENCE_LINES - 1 accounts with the most followers at their last
    count of the period (in that order), then the others as one line (line 0, `account_id`
    missing): gained, lost and net summed over them per day (missing where none reports), followers
    summed with each of them at its last count since the day before the period. One query on
    PostgreSQL, whatever the number of accounts."""
    if connection.vendor != "postgresql":
        days = account_days(scope, since_before=True)
        lines, accounts = _audience_lines_frame(days, scope.start)
        return Audience(lines, accounts, unusual_days(days[days["day"] >= scope.start].reset_index(drop=True)))
    filters, account_filters, params = _account_params(scope)
    params |= {"lines": AUDIENCE_LINES, "min_days": UNUSUAL_MIN_DAYS, "z": UNUSUAL_Z, "sd_scale": UNUSUAL_Z / 3}
    with connection.cursor() as cursor:
        cursor.execute(_AUDIENCE.format(filters=filters, account_filters=account_filters), params)
        rows = cursor.fetchall()
    found = pd.DataFrame.from_records(rows, columns=[*LINE_COLUMNS, "change", "accounts"])
    _numbers(found, ("followers", "gained", "lost", "net", "change"))
    is_line = found["line"].notna()
    unusual = found[~is_line].rename(columns={"change": "score"}).sort_values(["day", "account_id"])
    unusual = unusual[UNUSUAL_COLUMNS].reset_index(drop=True)
    frame = found[is_line].astype({"line": int})
    accounts = int(frame["accounts"].max()) if len(frame) else 0
    frame = frame.sort_values(["line", "day"]).reset_index(drop=True)
    other = frame["line"] == 0
    if other.any():
        days = pd.Index([params["before"], *scope.dates])
        change = frame[other].set_index("day")["change"].reindex(days)
        summed = frame[other].set_index("day")[["gained", "lost", "net"]].reindex(days)
        summed["followers"] = _carried(change)
        summed = summed.iloc[1:]
        summed = summed[summed.notna().any(axis=1)].reset_index(names="day")
        summed = summed.assign(line=0, account_id=np.nan, account="", platform="")
        frame = pd.concat([frame[~other], summed], ignore_index=True)
        frame["line"] = frame["line"].replace(0, AUDIENCE_LINES)  # the others last
        frame = frame.sort_values(["line", "day"]).reset_index(drop=True)
        frame["line"] = frame["line"].replace(AUDIENCE_LINES, 0)
    else:
        frame = frame.sort_values(["account_id", "day"]).reset_index(drop=True)
    frame = frame[frame["day"] >= scope.start].reset_index(drop=True)
    return Audience(frame[LINE_COLUMNS], accounts, unusual)


def audience_lines(scope: Scope) -> tuple[pd.DataFrame, int]:
    """`audience`'s lines and number of accounts."""
    found = audience(scope)
    return found.lines, found.accounts


def _audience_lines_frame(frame: pd.DataFrame, start: dt.date) -> tuple[pd.DataFrame, int]:
    """`audience_lines` in pandas from `account_days` rows (with the day before the period)."""
    shown = frame[frame["day"] >= start]
    accounts = shown["account_id"].nunique()
    if accounts <= AUDIENCE_LINES:
        out = shown.assign(line=shown["account_id"].rank(method="dense").astype(int))
        return out[LINE_COLUMNS].reset_index(drop=True), accounts
    last = shown.dropna(subset=["followers"]).groupby("account_id")["followers"].last()
    order = (
        pd.DataFrame({"account_id": shown["account_id"].unique()})
        .assign(last=lambda f: f["account_id"].map(last))
        .sort_values(["last", "account_id"], ascending=[False, True], na_position="last")["account_id"]
        .tolist()
    )
    place = {account_id: n for n, account_id in enumerate(order, 1) if n < AUDIENCE_LINES}
    own = shown[shown["account_id"].isin(place)].assign(line=lambda f: f["account_id"].map(place))
    others = frame[~frame["account_id"].isin(place)]
    days = sorted({start - dt.timedelta(days=1), *shown["day"]})
    counts = others.pivot(index="day", columns="account_id", values="followers").reindex(days).ffill()
    summed = others.groupby("day")[["gained", "lost", "net"]].sum(min_count=1).reindex(days)
    summed["followers"] = counts.sum(axis=1, min_count=1)
    summed = summed.iloc[1:]
    summed = summed[summed.notna().any(axis=1)].reset_index(names="day")
    summed = summed.assign(line=0, account_id=np.nan, account="", platform="")
    out = pd.concat([own.sort_values(["line", "day"]), summed], ignore_index=True)
    return out[LINE_COLUMNS], accounts


def unusual_account_days(scope: Scope) -> pd.DataFrame:
    """`audience`'s unusual days: `unusual_days(account_days(scope))`."""
    return audience(scope).unusual


@dataclass(frozen=True)
class DayContext:
    posts: list[dict]
    campaigns: list[str]
    mentions: int


def what_happened(scope: Scope, days: pd.DataFrame) -> dict[tuple[int, dt.date], DayContext]:
    """For each (account, day) of `days`: posts published on the account that day, ad campaigns
    that started that day (on the account's platform) and mentions of the account. Three queries."""
    if days.empty:
        return {}
    wanted = {(int(a), d) for a, d in zip(days["account_id"], days["day"], strict=True)}
    platforms = dict(zip(days["account_id"].astype(int), days["platform"], strict=True))
    first, last = min(d for _a, d in wanted), max(d for _a, d in wanted)
    start_at, end_at = published_window(first, last, scope.tz)
    org = scope.organization
    posts: dict[tuple[int, dt.date], list[Any]] = {}
    for row in (
        SocialPost.objects.for_organization(org)
        .filter(account_id__in=list(platforms), published_at__gte=start_at, published_at__lt=end_at)
        .order_by("published_at", "pk")
        .values("pk", "account_id", "published_at", "text", "format")
    ):
        key = (row["account_id"], row["published_at"].astimezone(scope.tz).date())
        if key in wanted:
            posts.setdefault(key, []).append(row)
    campaigns: dict[tuple[str, dt.date], list[str]] = {}
    for name, at, platform in (
        AdCampaign.objects.for_organization(org)
        .filter(start_at__gte=start_at, start_at__lt=end_at)
        .annotate(p=ad_platform_label("account__platform"))
        .values_list("name", "start_at", "p")
    ):
        if at is not None:
            campaigns.setdefault((platform, at.astimezone(scope.tz).date()), []).append(name)
    mentions: dict[tuple[int, dt.date], int] = {}
    for account_id, d, n in (
        InboxItem.objects.for_organization(org)
        .filter(
            kind=InboxKind.MENTION,
            account_id__in=list(platforms),
            created_at__gte=start_at,
            created_at__lt=end_at,
        )
        .values_list("account_id", TruncDate("created_at", tzinfo=scope.tz))
        .annotate(n=Count("id"))
        .order_by()
    ):
        mentions[(account_id, d)] = n
    return {
        key: DayContext(
            posts.get(key, []),
            campaigns.get((platforms[key[0]], key[1]), []),
            mentions.get(key, 0),
        )
        for key in wanted
    }
