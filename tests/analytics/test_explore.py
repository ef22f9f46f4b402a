"""The marketer's analytics pages: every figure against an independent pandas computation over
the raw rows of generated data (empty periods, single-post segments, an account without reach),
constant query counts, exports, filters and tenancy. The per-post figures are checked on both
paths: the raw tables, and the post rollup (`analytics.rollups`, one row per post) once built."""

import csv
import datetime as dt
import io

import numpy as np
import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from analytics import explore, rollups
from analytics.insights import MIN_GROUP_SIZE
from analytics.models import AccountMetricDaily
from tests.analytics.explore_data import generate
from tests.integrations.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db

SEED = 17


def _scope(org, start, end, **kwargs):
    return explore.Scope(org, start, end, **kwargs)


def _local_day(series, tz):
    return pd.to_datetime(series, utc=True).dt.tz_convert(tz).dt.date


def expected_posts(raw, org, start, end) -> pd.DataFrame:
    """Posts published on start..end (organization days) with their latest lifetime numbers."""
    tz = org.tzinfo
    posts = raw.posts.copy()
    posts["local"] = pd.to_datetime(posts["published_at"], utc=True).dt.tz_convert(tz)
    posts = posts[(posts["local"].dt.date >= start) & (posts["local"].dt.date <= end)]
    pm = raw.post_metrics
    latest = pm.loc[pm.groupby("post_id")["day"].idxmax()].set_index("post_id") if len(pm) else pm
    out = posts.set_index("id")
    for column in ("reach", "views", "likes", "comments", "shares", "saves", "link_clicks"):
        out[column] = pd.to_numeric(latest[column].reindex(out.index), errors="coerce").astype("float64")
    engagements = out[["likes", "comments", "shares", "saves"]].fillna(0).sum(axis=1)
    out["engagements"] = engagements.where(out["reach"].notna())
    out["er"] = out["engagements"] / out["reach"].where(out["reach"] > 0) * 100
    plans = raw.planned.set_index("id")
    sales = raw.sales[(~raw.sales["refunded"]) & (raw.sales["currency"] == org.currency)]
    revenue_by_lead = sales.groupby("lead_id")["amount"].sum().astype("float64")
    leads, revenue, objective = [], [], []
    for _pk, row in out.iterrows():
        plan = row["planned_post_id"]
        if pd.isna(plan):
            leads.append(np.nan)
            revenue.append(np.nan)
            objective.append((row["extra"] or {}).get("objective"))
            continue
        mine = raw.leads[
            (raw.leads["post_id"] == plan) & raw.leads["attributed_platform"].isin([row["account__platform"], ""])
        ]
        leads.append(float(len(mine)))
        revenue.append(float(revenue_by_lead.reindex(mine["id"]).fillna(0).sum()))
        objective.append(plans.loc[int(plan), "objective"])
    out["leads"], out["revenue"], out["objective"] = leads, revenue, objective
    return out.sort_index()


@pytest.fixture(params=["raw", "rollup"])
def reads(request):
    """Which path the posts are read from: the raw tables or the post rollup."""
    return request.param


def _ready(org, reads) -> None:
    """Builds the rollups for the rollup path (after the data is written: the tests' writes do not
    commit, so no refresh runs) and checks the path the reads will take."""
    if reads == "rollup":
        rollups.rebuild(org)
    assert rollups.reads_posts(org, org.tzinfo) == (reads == "rollup")


@pytest.fixture
def data(org):
    end = org.today()
    raw = generate(org, seed=SEED, posts=60, end=end)
    return raw, end


def test_posts_table_equals_pandas_and_reads_each_posts_latest_snapshot(org, other_org, data, reads):
    raw, end = data
    generate(other_org, seed=99, posts=10, end=end)
    _ready(org, reads)
    start = end - dt.timedelta(days=29)
    got = explore.posts_table(_scope(org, start, end)).set_index("post_id").sort_index()
    want = expected_posts(raw, org, start, end)
    assert list(got.index) == list(want.index)
    assert len(got) > 10
    for column in ("reach", "views", "link_clicks", "engagements", "er", "leads", "revenue"):
        pd.testing.assert_series_equal(got[column], want[column], check_names=False, check_dtype=False)
    assert list(got["objective"].fillna("")) == list(pd.Series(want["objective"]).fillna(""))
    # The fitting figure: ER for engagement and loyalty, leads for lead generation, revenue for sales.
    for objective, column in (("engagement", "er"), ("lead_generation", "leads"), ("sales", "revenue")):
        rows = got[got["objective"] == objective]
        pd.testing.assert_series_equal(rows["fit_value"], rows[column], check_names=False, check_dtype=False)


def test_best_and_worst_by_objective(org, data, reads):
    raw, end = data
    _ready(org, reads)
    start = end - dt.timedelta(days=59)
    frame = explore.posts_table(_scope(org, start, end))
    want = expected_posts(raw, org, start, end)
    extremes = {e.objective: e for e in explore.best_and_worst(frame)}
    assert extremes
    for objective, extreme in extremes.items():
        column = {"lead_generation": "leads", "sales": "revenue"}.get(objective, "er")
        measured = want[(want["objective"] == objective) & want[column].notna()]
        assert extreme.best[column] == measured[column].max()
        if len(measured) > 1:
            assert extreme.worst[column] == measured[column].min()


def test_sorting_keeps_missing_values_last(org, data):
    _raw, end = data
    frame = explore.posts_table(_scope(org, end - dt.timedelta(days=59), end))
    for descending in (True, False):
        ordered = explore.sort_posts(frame, "leads", descending)["leads"]
        known = ordered.dropna()
        assert list(known) == sorted(known, reverse=descending)
        assert ordered.iloc[len(known) :].isna().all()


def expected_daily(raw, org, start, end) -> pd.DataFrame:
    tz = org.tzinfo
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    am = raw.account_metrics.copy()
    for column in ("reach", "views", "interactions", "link_clicks", "followers", "followers_gained", "followers_lost"):
        am[column] = pd.to_numeric(am[column], errors="coerce").astype("float64")
    sums = am.groupby("day")[["reach", "views", "interactions", "link_clicks"]].sum(min_count=1)
    out = sums.reindex(days)
    # Followers: each account's last known count carried forward (from before the period too).
    known = am.dropna(subset=["followers"]).pivot(index="day", columns="account_id", values="followers")
    carried = known.reindex(sorted({*known.index, *days})).ffill().reindex(days)
    out["followers"] = carried.sum(axis=1, min_count=1)
    with_reach = am[am["reach"] > 0]
    er_num = with_reach.groupby("day")["interactions"].apply(lambda s: s.fillna(0).sum())
    er_den = with_reach.groupby("day")["reach"].sum()
    out["er"] = (er_num / er_den * 100).reindex(days)
    clicks = raw.clicks.assign(d=_local_day(raw.clicks["hour"], tz)).groupby("d")["clicks"].sum()
    out["tracked_clicks"] = clicks.reindex(days).fillna(0).astype("float64")
    leads = raw.leads.assign(d=_local_day(raw.leads["created"], tz)).groupby("d").size()
    out["leads"] = leads.reindex(days).fillna(0).astype("float64")
    spend = raw.spend.assign(s=raw.spend["spend"].astype("float64")).groupby("day")["s"].sum()
    out["spend"] = spend.reindex(days)
    out["cpl"] = out["spend"] / out["leads"].where(out["leads"] > 0)
    posts = raw.posts.assign(d=_local_day(raw.posts["published_at"], tz)).groupby("d").size()
    out["posts"] = posts.reindex(days).fillna(0).astype("float64")
    return out


def test_overview_daily_figures_and_totals_equal_pandas(org, other_org, data):
    raw, end = data
    generate(other_org, seed=98, posts=5, end=end)
    start = end - dt.timedelta(days=29)
    got = explore.daily_overview(_scope(org, start, end))
    want = expected_daily(raw, org, start, end)
    for column in (
        "reach",
        "views",
        "er",
        "link_clicks",
        "followers",
        "tracked_clicks",
        "leads",
        "spend",
        "cpl",
        "posts",
    ):
        pd.testing.assert_series_equal(
            got[column], want[column], check_names=False, check_dtype=False, check_index_type=False
        )
    totals = explore.period_totals(got)
    assert totals["reach"] == want["reach"].sum()
    assert totals["leads"] == want["leads"].sum()
    assert totals["cpl"] == pytest.approx(want["spend"].sum() / want["leads"].sum())
    am = raw.account_metrics
    measured = am[(am["day"] >= start) & (am["day"] <= end) & (am["reach"].astype("float64") > 0)]
    assert totals["er"] == pytest.approx(
        measured["interactions"].astype("float64").fillna(0).sum() / measured["reach"].astype("float64").sum() * 100
    )
    # The previous period is the 30 days before.
    previous = explore.overview(_scope(org, start, end)).previous_daily
    assert previous.index[0] == start - dt.timedelta(days=30)
    assert previous.index[-1] == start - dt.timedelta(days=1)


def test_platform_filter_and_the_account_without_reach(org, data, reads):
    raw, end = data
    _ready(org, reads)
    start = end - dt.timedelta(days=29)
    tg = raw.accounts["telegram"]
    got = explore.daily_overview(_scope(org, start, end, platform="telegram"))
    assert got["reach"].isna().all()
    assert got["er"].isna().all()
    am = raw.account_metrics[raw.account_metrics["account_id"] == tg.pk]
    views = am[(am["day"] >= start) & (am["day"] <= end)].groupby("day")["views"].sum(min_count=1)
    assert got["views"].sum() == views.astype("float64").sum()
    # Telegram posts have no ER; the performs figures skip them.
    table = explore.posts_table(_scope(org, start, end, account_id=tg.pk, account_platform="telegram"))
    assert len(table)
    assert table["er"].isna().all()
    scope = _scope(org, start, end, account_id=tg.pk, account_platform="telegram")
    segment = explore.performs(scope, "er").segments["platform"][0]
    assert segment.values["er"] is None
    assert segment.sizes["er"] == 0
    assert not segment.enough("er")


def test_empty_period_has_no_figures_and_no_errors(org, owner_web, data):
    _raw, _end = data
    old = _scope(org, dt.date(2020, 1, 1), dt.date(2020, 1, 31))
    result = explore.overview(old)
    assert not result.has_data
    totals = {t.key: t for t in result.totals}
    assert totals["reach"].current is None
    assert totals["leads"].current == 0
    assert totals["cpl"].current is None
    assert explore.posts_table(old).empty
    assert explore.segments(explore.posts_table(old), "format") == []
    values, sizes = explore.heatmap(explore.posts_table(old), "leads")
    assert np.isnan(values).all()
    assert sizes.sum() == 0
    for page in ("overview", "posts", "performs", "audience"):
        response = owner_web.get(f"/o/{org.slug}/analytics/{page}/?period=custom&start=2020-01-01&end=2020-01-31")
        assert response.status_code == 200, page


def expected_groups(frame: pd.DataFrame, by: pd.Series) -> pd.DataFrame:
    out = {}
    for label, rows in frame.groupby(by):
        measured = rows[rows["reach"] > 0]
        out[label] = {
            "posts": len(rows),
            "er": measured["engagements"].sum() / measured["reach"].sum() * 100 if len(measured) else np.nan,
            "n_er": len(measured),
            "reach": rows["reach"].mean(),
            "n_reach": rows["reach"].notna().sum(),
            "clicks": rows["link_clicks"].mean(),
            "n_clicks": rows["link_clicks"].notna().sum(),
            "leads": rows["leads"].mean(),
            "n_leads": rows["leads"].notna().sum(),
        }
    return pd.DataFrame(out).T


def test_what_performs_by_dimension_and_heatmap_equal_pandas(org, data, reads):
    raw, end = data
    _ready(org, reads)
    start = end - dt.timedelta(days=59)
    figures = explore.performs(_scope(org, start, end), "leads")
    want_posts = expected_posts(raw, org, start, end)
    assert figures.posts == len(want_posts)
    want_posts["format"] = raw.posts.set_index("id")["format"].reindex(want_posts.index)
    for dimension in ("format", "platform"):
        column = "account__platform" if dimension == "platform" else "format"
        want = expected_groups(want_posts, want_posts[column])
        got = {s.label: s for s in figures.segments[dimension]}
        assert set(got) == set(want.index)
        for label, row in want.iterrows():
            segment = got[label]
            assert segment.posts == row["posts"]
            for metric in explore.PERFORM_METRICS:
                expected = row[metric]
                assert (segment.values[metric] is None) == pd.isna(expected), (dimension, label, metric)
                if not pd.isna(expected):
                    assert segment.values[metric] == pytest.approx(expected)
                assert segment.sizes[metric] == row[f"n_{metric}"]
                assert segment.enough(metric) == (row[f"n_{metric}"] >= MIN_GROUP_SIZE)
    # The single-post segment: one reel, its own figures, too small to conclude.
    reel = next(s for s in figures.segments["format"] if s.label == "reel")
    assert reel.posts == 1
    assert not reel.enough("reach")
    one = want_posts[want_posts["format"] == "reel"].iloc[0]
    assert reel.values["reach"] == (None if pd.isna(one["reach"]) else one["reach"])
    # The heatmap, in the organization's timezone, for leads.
    local = pd.to_datetime(raw.posts.set_index("id")["published_at"], utc=True).dt.tz_convert(org.tzinfo)
    want_posts["cell"] = local.reindex(want_posts.index).dt.day_of_week * 24 + local.reindex(want_posts.index).dt.hour
    values, sizes = figures.values, figures.sizes
    assert figures.published.sum() == len(want_posts)
    for cell, n in want_posts.groupby("cell").size().items():
        assert figures.published[divmod(int(cell), 24)] == n
    cells = want_posts.groupby("cell")["leads"]
    for cell, mean in cells.mean().items():
        weekday, hour = divmod(int(cell), 24)
        assert sizes[weekday, hour] == want_posts[want_posts["cell"] == cell]["leads"].notna().sum()
        if pd.isna(mean):
            assert np.isnan(values[weekday, hour])
        else:
            assert values[weekday, hour] == pytest.approx(mean)
    assert sizes.sum() == want_posts["leads"].notna().sum()


def test_audience_growth_net_change_and_unusual_days(org, data):
    raw, end = data
    start = end - dt.timedelta(days=59)
    scope = _scope(org, start, end)
    days = explore.account_days(scope)
    am = raw.account_metrics.copy()
    for column in ("followers", "followers_gained", "followers_lost"):
        am[column] = am[column].astype("float64")
    am = am.sort_values(["account_id", "day"])
    consecutive = pd.to_datetime(am["day"]).diff() == pd.Timedelta(days=1)
    consecutive &= am["account_id"].eq(am["account_id"].shift())
    fallback = am["followers"].diff().where(consecutive)
    both = am["followers_gained"].notna() & am["followers_lost"].notna()
    am["net"] = (am["followers_gained"] - am["followers_lost"]).where(both, fallback)
    want = am[am["day"] >= start].set_index(["account_id", "day"])["net"]
    got = days.set_index(["account_id", "day"])["net"]
    pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False)
    # Unusual: robust z-score of the net change above 3.5 within each account.
    expected = set()
    for _account_id, rows in want.dropna().groupby(level=0):
        median = rows.median()
        mad = (rows - median).abs().median()
        if len(rows) >= 7 and mad > 0:
            expected |= {key for key, value in rows.items() if abs(0.6745 * (value - median) / mad) > 3.5}
    unusual = explore.unusual_days(days)
    assert {(a, d) for a, d in zip(unusual["account_id"], unusual["day"], strict=True)} == expected
    spike = start + dt.timedelta(days=30)
    assert any(d == spike for d in unusual["day"]), "the 400-follower day is found"
    happened = explore.what_happened(scope, unusual)
    vk = raw.accounts["vk"].pk
    if (vk, spike) in happened:
        assert happened[(vk, spike)].mentions == 1


def _pages(org, post_pk):
    base = f"/o/{org.slug}/analytics/"
    return [
        base + "overview/?period=90",
        base + "posts/?sort=leads&dir=desc",
        base + f"posts/{post_pk}/",
        base + "performs/?metric=leads",
        base + "audience/?period=90",
    ]


def test_query_counts_do_not_grow_with_posts(org, owner_web, django_assert_max_num_queries, reads):
    end = org.today()
    generate(org, seed=1, posts=10, end=end, days=40)
    _ready(org, reads)
    from analytics.models import SocialPost

    post = SocialPost.objects.for_organization(org).first()
    counts_small = []
    for url in _pages(org, post.pk):
        with CaptureQueriesContext(connection) as ctx:
            assert owner_web.get(url).status_code == 200, url
        counts_small.append(len(ctx))
    generate(org, seed=2, posts=80, end=end, days=40, lonely_format=False)
    _ready(org, reads)
    for url, small in zip(_pages(org, post.pk), counts_small, strict=True):
        with django_assert_max_num_queries(small):
            assert owner_web.get(url).status_code == 200, url
    assert max(counts_small) <= 40


def test_post_performance_list_reads_the_window_and_latest_snapshots_in_two_queries(org, data, reads):
    from analytics.selectors import post_performance_list

    raw, end = data
    _ready(org, reads)
    start = end - dt.timedelta(days=9)
    with CaptureQueriesContext(connection) as ctx:
        rows = post_performance_list(organization=org, since=start, until=end, tz=org.tzinfo)
    assert len(ctx) == 2
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "AT TIME ZONE" not in sql  # no per-row date cast (literal dates may carry ::date)
    assert "DISTINCT ON" not in sql
    # The rollup path reads no snapshot at all: each post's row is already its latest one.
    assert ("analytics_postmetricdaily" in sql) == (reads == "raw")
    want = expected_posts(raw, org, start, end)
    assert sorted(r.post.pk for r in rows) == list(want.index)
    for row in rows:
        expected = want.loc[row.post.pk, "reach"]
        assert row.reach == (None if pd.isna(expected) else expected)


def test_exports_csv_and_xlsx_equal_the_chart_table(org, owner_web, data):
    _raw, _end = data
    base = f"/o/{org.slug}/analytics/"
    response = owner_web.get(base + "overview/?period=30&export=csv&chart=reach_views")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    page = owner_web.get(base + "overview/?period=30")
    chart = next(c for c in page.context["charts"] if c.key == "reach_views")
    assert rows[0][:3] == ["Day", "Reach", "Views"]
    assert len(rows) == 31
    for got, want in zip(rows[1:], chart.rows, strict=True):
        assert got[0] == want[0].isoformat()
        assert got[1] == ("" if pd.isna(want[1]) else str(int(want[1])))
    response = owner_web.get(base + "posts/?sort=leads&export=xlsx&chart=posts")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    posts_page = owner_web.get(base + "posts/?sort=leads")
    assert len(values) - 1 == posts_page.context["total"]
    assert owner_web.get(base + "performs/?metric=leads&export=csv&chart=heatmap").status_code == 200
    assert owner_web.get(base + "overview/?export=pdf&chart=reach_views").status_code == 404
    assert owner_web.get(base + "overview/?export=csv&chart=nope").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "period=custom&start=2026-03-10&end=2026-03-01",
        "period=custom&start=1999-01-01&end=2026-03-01",
        "period=custom&start=2020-01-01&end=2026-03-01",
        "period=custom",
        "period=13",
        "platform=myspace",
        "account=99999999",
        "account=abc",
        "sort=nope&dir=sideways&page=999",
        "metric=nope",
    ],
)
def test_bad_filters_are_form_errors_not_500(org, owner_web, query):
    for page in ("overview", "posts", "performs", "audience"):
        response = owner_web.get(f"/o/{org.slug}/analytics/{page}/?{query}")
        assert response.status_code == 200, (page, query)
        assert response.context["scope"].days == 30 or "custom" not in query


def test_custom_period_and_filters_shape_the_scope(org, owner_web, data):
    raw, _end = data
    vk = raw.accounts["vk"]
    response = owner_web.get(
        f"/o/{org.slug}/analytics/overview/?period=custom&start=2026-03-01&end=2026-03-10&account={vk.pk}"
    )
    scope = response.context["scope"]
    assert (scope.start, scope.end, scope.account_id, scope.coarse_platform) == (
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 10),
        vk.pk,
        "vk",
    )
    assert (scope.previous.start, scope.previous.end) == (dt.date(2026, 2, 19), dt.date(2026, 2, 28))
    assert (
        b"The last day cannot be before the first"
        in owner_web.get(f"/o/{org.slug}/analytics/overview/?period=custom&start=2026-03-10&end=2026-03-01").content
    )


def test_another_organizations_post_is_404(org, other_org, owner_web):
    raw = generate(other_org, seed=5, posts=3, end=other_org.today(), days=5)
    foreign = int(raw.posts["id"].iloc[0])
    assert owner_web.get(f"/o/{org.slug}/analytics/posts/{foreign}/").status_code == 404
    assert owner_web.get(f"/o/{other_org.slug}/analytics/posts/").status_code == 404


def test_post_detail_shows_daily_curve_comments_and_leads(org, owner_web, data):
    raw, _end = data
    from moderation.models import InboxItem

    planned = raw.posts[raw.posts["planned_post_id"].notna()]
    with_leads = planned[planned["planned_post_id"].isin(raw.leads["post_id"])]
    row = with_leads.iloc[0]
    InboxItem.objects.create(
        organization=org,
        account_id=row["account_id"],
        kind="comment",
        external_id="c1",
        post_external_id=f"{SEED}-{int(row.name)}",
        created_at=row["published_at"],
        sentiment="positive",
        text="Отлично!",
    )
    response = owner_web.get(f"/o/{org.slug}/analytics/posts/{int(row['id'])}/")
    assert response.status_code == 200
    chart = response.context["charts"][0]
    metrics = raw.post_metrics[raw.post_metrics["post_id"] == row["id"]].sort_values("day")
    assert [r[0] for r in chart.rows] == list(metrics["day"])
    leads = raw.leads[
        (raw.leads["post_id"] == row["planned_post_id"])
        & raw.leads["attributed_platform"].isin([row["account__platform"], ""])
    ]
    assert sorted(lead.pk for lead in response.context["leads"]) == sorted(leads["id"])


def test_followers_carry_each_accounts_last_count_over_a_missing_day(org):
    """A day one account did not report is not a dip in the summed followers."""
    end = org.today()
    a = SocialAccountFactory(organization=org, platform="vk", external_id="ff-a")
    b = SocialAccountFactory(organization=org, platform="telegram", external_id="ff-b")
    days = [end - dt.timedelta(days=i) for i in range(4, -1, -1)]
    counts = {a: [100, 101, 102, 103, 104], b: [None, None, 51, 53, None]}
    rows = []
    for account, values in counts.items():
        for day, value in zip(days, values, strict=True):
            if value is not None:
                rows.append(AccountMetricDaily(organization=org, account=account, day=day, followers=value))
    # b's last count before the period.
    rows.append(AccountMetricDaily(organization=org, account=b, day=days[0] - dt.timedelta(days=3), followers=49))
    AccountMetricDaily.objects.bulk_create(rows)
    got = explore.daily_overview(_scope(org, days[0], end))["followers"]
    raw = pd.DataFrame(
        [(r.account_id, r.day, r.followers) for r in rows], columns=["account_id", "day", "followers"]
    ).pivot(index="day", columns="account_id", values="followers")
    want = raw.reindex(sorted({*raw.index, *days})).ffill().reindex(days).sum(axis=1, min_count=1)
    assert list(got) == list(want) == [149.0, 150.0, 153.0, 156.0, 157.0]
    # Before any account reported, the figure is missing, not 0.
    early = explore.daily_overview(_scope(org, days[0] - dt.timedelta(days=10), days[0] - dt.timedelta(days=8)))
    assert early["followers"].isna().all()
