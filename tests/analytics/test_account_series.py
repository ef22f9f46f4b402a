"""The figures of the overview and audience pages that are per account and day, summed or ranked in
PostgreSQL (`explore._account_daily_sql`, `explore.audience_lines`, `explore.unusual_account_days`),
against independent pandas computations over the raw rows: many accounts (the followers chart's
top accounts and "other"), missing reports, counts from before the period, an account without
reach or followers, no accounts and an empty period; and query counts that do not grow with the
number of accounts."""

import csv
import datetime as dt
import io
import json
import random

import numpy as np
import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics import explore
from analytics.models import AccountMetricDaily
from tests.analytics.explore_data import generate
from tests.integrations.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db

DAYS = 20


def _accounts(org, n: int, *, seed: int = 5, first_platform: str = "vk") -> list:
    """`n` accounts with DAYS + 5 days of metrics ending today: random gaps (a day not reported, a
    count missing), gained/lost sometimes missing; account 0 reports no reach, account 1 no
    followers at all, account 2 only before the period and its first day."""
    rng = random.Random(seed)
    end = org.today()
    platforms = ("telegram", "instagram", "vk")
    made = []
    rows = []
    for i in range(n):
        platform = first_platform if i == 0 else platforms[i % 3]
        account = SocialAccountFactory(
            organization=org, platform=platform, external_id=f"s{seed}-{i}", display_name=f"acc {i}"
        )
        made.append(account)
        for back in range(DAYS + 5):
            day = end - dt.timedelta(days=back)
            if rng.random() < 0.1 or (i == 2 and back < DAYS - 1):
                continue
            followers = None if i == 1 or rng.random() < 0.1 else 500 * i + 1000 - back * rng.randint(0, 4)
            rows.append(
                AccountMetricDaily(
                    organization=org,
                    account=account,
                    day=day,
                    followers=followers,
                    followers_gained=None if rng.random() < 0.15 else rng.randint(0, 40),
                    followers_lost=None if rng.random() < 0.15 else rng.randint(0, 15),
                    reach=None if i == 0 else rng.choice([None, 0, rng.randint(1, 4000)]),
                    views=rng.randint(0, 5000),
                    interactions=rng.choice([None, rng.randint(0, 300)]),
                    link_clicks=rng.randint(0, 30),
                )
            )
    AccountMetricDaily.objects.bulk_create(rows)
    return made


def _raw(org) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(
        list(
            AccountMetricDaily.objects.for_organization(org).values(
                "account_id",
                "account__display_name",
                "account__platform",
                "day",
                "followers",
                "followers_gained",
                "followers_lost",
                "reach",
                "views",
                "interactions",
                "link_clicks",
            )
        )
    )
    for column in ("followers", "followers_gained", "followers_lost", "reach", "views", "interactions", "link_clicks"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


def _with_net(raw: pd.DataFrame) -> pd.DataFrame:
    am = raw.sort_values(["account_id", "day"]).reset_index(drop=True)
    consecutive = pd.to_datetime(am["day"]).diff() == pd.Timedelta(days=1)
    consecutive &= am["account_id"].eq(am["account_id"].shift())
    fallback = am["followers"].diff().where(consecutive)
    both = am["followers_gained"].notna() & am["followers_lost"].notna()
    am["net"] = (am["followers_gained"] - am["followers_lost"]).where(both, fallback)
    return am


def _period(org, days=DAYS):
    end = org.today()
    return end - dt.timedelta(days=days - 1), end


def expected_overview_accounts(raw: pd.DataFrame, start, end) -> pd.DataFrame:
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    shown = raw[(raw["day"] >= start) & (raw["day"] <= end)]
    out = shown.groupby("day")[["reach", "views", "link_clicks", "followers_gained", "followers_lost"]].sum(min_count=1)
    out = out.reindex(days)
    known = raw[raw["day"] <= end].dropna(subset=["followers"])
    pivot = known.pivot(index="day", columns="account_id", values="followers")
    out["followers"] = pivot.reindex(sorted({*pivot.index, *days})).ffill().reindex(days).sum(axis=1, min_count=1)
    with_reach = shown[shown["reach"] > 0]
    out["er_reach"] = with_reach.groupby("day")["reach"].sum().reindex(days)
    out["er_interactions"] = with_reach.groupby("day")["interactions"].sum(min_count=1).reindex(days)
    return out


@pytest.mark.parametrize("filters", [{}, {"platform": "vk"}, {"account": 0}, {"account": 1}])
def test_overview_account_figures_in_sql_equal_pandas(org, other_org, filters):
    made = _accounts(org, 11)
    _accounts(other_org, 3, seed=6)
    start, end = _period(org, 12)
    raw = _raw(org)
    kwargs = {}
    if "platform" in filters:
        kwargs["platform"] = filters["platform"]
        raw = raw[raw["account__platform"] == filters["platform"]]
    if "account" in filters:
        account = made[filters["account"]]
        kwargs |= {"account_id": account.pk, "account_platform": account.platform}
        raw = raw[raw["account_id"] == account.pk]
    scope = explore.Scope(org, start, end, **kwargs)
    got = explore._account_daily_sql(scope)
    want = expected_overview_accounts(raw, start, end)
    for column in want.columns:
        pd.testing.assert_series_equal(
            got[column], want[column], check_names=False, check_dtype=False, check_index_type=False
        )
    # The pandas path over the accounts' rows gives the same frame.
    pd.testing.assert_frame_equal(got[explore._account_daily_frame(scope).columns], explore._account_daily_frame(scope))


def test_overview_with_no_accounts_and_an_empty_period(org):
    start, end = _period(org)
    empty = explore._account_daily_sql(explore.Scope(org, start, end))
    assert len(empty) == DAYS
    assert empty.isna().all().all()
    _accounts(org, 3)
    old = explore.daily_overview(explore.Scope(org, dt.date(2020, 1, 1), dt.date(2020, 1, 31)))
    assert old[["reach", "followers", "followers_gained", "er"]].isna().all().all()
    # Before the period counts, so the last period's followers carry into a period without reports.
    later = explore._account_daily_sql(
        explore.Scope(org, org.today() + dt.timedelta(days=1), org.today() + dt.timedelta(days=3))
    )
    assert later["reach"].isna().all()
    raw = _raw(org).dropna(subset=["followers"])
    last = raw.sort_values("day").groupby("account_id")["followers"].last().sum()
    assert list(later["followers"]) == [last] * 3


def expected_lines(raw: pd.DataFrame, start, end) -> pd.DataFrame:
    am = _with_net(raw[raw["day"] <= end])
    am = am[am["day"] >= start - dt.timedelta(days=1)]
    shown = am[am["day"] >= start]
    ids = sorted(shown["account_id"].unique())
    columns = ["account", "day", "followers", "gained", "lost", "net"]
    renamed = am.rename(
        columns={"account__display_name": "account", "followers_gained": "gained", "followers_lost": "lost"}
    )
    if len(ids) <= explore.AUDIENCE_LINES:
        return renamed[renamed["day"] >= start].sort_values(["account_id", "day"])[columns].reset_index(drop=True)
    last = {
        a: shown[(shown["account_id"] == a)].dropna(subset=["followers"]).sort_values("day")["followers"] for a in ids
    }
    key = {a: (0, -s.iloc[-1], a) if len(s) else (1, 0, a) for a, s in last.items()}
    top = sorted(ids, key=key.__getitem__)[: explore.AUDIENCE_LINES - 1]
    parts = [renamed[(renamed["account_id"] == a) & (renamed["day"] >= start)].sort_values("day") for a in top]
    others = renamed[~renamed["account_id"].isin(top) & renamed["account_id"].isin(ids)]
    days = [start - dt.timedelta(days=1) + dt.timedelta(days=i) for i in range((end - start).days + 2)]
    summed = others.groupby("day")[["gained", "lost", "net"]].sum(min_count=1).reindex(days)
    pivot = others.pivot(index="day", columns="account_id", values="followers").reindex(days).ffill()
    summed["followers"] = pivot.sum(axis=1, min_count=1)
    summed = summed.iloc[1:]
    summed = summed[summed.notna().any(axis=1)].reset_index(names="day").assign(account="")
    return pd.concat([*parts, summed])[columns].reset_index(drop=True)


@pytest.mark.parametrize("count", [3, 8, 12])
def test_audience_lines_equal_pandas(org, other_org, count):
    _accounts(org, count)
    _accounts(other_org, 9, seed=6)
    start, end = _period(org)
    got, accounts = explore.audience_lines(explore.Scope(org, start, end))
    raw = _raw(org)
    want = expected_lines(raw, start, end)
    in_period = raw[(raw["day"] >= start) & (raw["day"] <= end)]
    assert accounts == in_period["account_id"].nunique()
    columns = ["account", "day", "followers", "gained", "lost", "net"]
    pd.testing.assert_frame_equal(got[columns], want, check_dtype=False)
    lines = got["line"].unique()
    assert len(lines) == min(accounts, explore.AUDIENCE_LINES)
    assert (0 in lines) == (accounts > explore.AUDIENCE_LINES)
    # With at most AUDIENCE_LINES accounts the lines are the accounts' own days (`account_days`).
    if accounts <= explore.AUDIENCE_LINES:
        days = explore.account_days(explore.Scope(org, start, end))
        pd.testing.assert_frame_equal(got[columns], days[columns], check_dtype=False)
    # The pandas path (other databases) draws the same lines.
    frame, n = explore._audience_lines_frame(
        explore.account_days(explore.Scope(org, start, end), since_before=True), start
    )
    assert n == accounts
    pd.testing.assert_frame_equal(frame[columns], want, check_dtype=False)


def test_audience_lines_filters_and_no_accounts(org):
    start, end = _period(org)
    empty, accounts = explore.audience_lines(explore.Scope(org, start, end))
    assert empty.empty
    assert accounts == 0
    made = _accounts(org, 12)
    raw = _raw(org)
    got, accounts = explore.audience_lines(explore.Scope(org, start, end, platform="instagram"))
    want = expected_lines(raw[raw["account__platform"] == "instagram"], start, end)
    pd.testing.assert_frame_equal(got[want.columns], want, check_dtype=False)
    one, accounts = explore.audience_lines(explore.Scope(org, start, end, account_id=made[1].pk))
    assert accounts == 1
    assert one["followers"].isna().all()  # the account without followers
    old, accounts = explore.audience_lines(explore.Scope(org, dt.date(2020, 1, 1), dt.date(2020, 1, 31)))
    assert old.empty
    assert accounts == 0


def test_unusual_days_in_sql_equal_pandas_including_a_steady_account(org):
    made = _accounts(org, 10)
    steady = SocialAccountFactory(organization=org, platform="vk", external_id="steady", display_name="steady")
    end = org.today()
    AccountMetricDaily.objects.bulk_create(
        AccountMetricDaily(
            organization=org,
            account=steady,
            day=end - dt.timedelta(days=back),
            followers=5000 - back * 10,
            followers_gained=100 if back == 4 else 10,
            followers_lost=0,
        )
        for back in range(DAYS)
    )
    # A spike on one account so its robust score is far out.
    AccountMetricDaily.objects.update_or_create(
        organization=org,
        account=made[3],
        day=end - dt.timedelta(days=6),
        defaults={"followers_gained": 900, "followers_lost": 0},
    )
    start, end = _period(org)
    scope = explore.Scope(org, start, end)
    got = explore.unusual_account_days(scope)
    am = _with_net(_raw(org))
    am = am[am["day"] >= start].dropna(subset=["net"])
    expected = set()
    for account_id, rows in am.groupby("account_id"):
        net = rows.set_index("day")["net"]
        if len(net) < explore.UNUSUAL_MIN_DAYS:
            continue
        mad = (net - net.median()).abs().median()
        if mad > 0:
            score = 0.6745 * (net - net.median()) / mad
        elif net.std(ddof=0):
            score = (net - net.mean()) / net.std(ddof=0) * (explore.UNUSUAL_Z / 3)
        else:
            continue
        expected |= {(account_id, day) for day, value in score.items() if abs(value) > explore.UNUSUAL_Z}
    assert set(zip(got["account_id"], got["day"], strict=True)) == expected
    assert (steady.pk, end - dt.timedelta(days=4)) in expected  # the steady account's day (MAD 0)
    assert (made[3].pk, end - dt.timedelta(days=6)) in expected
    pandas = explore.unusual_days(explore.account_days(scope))
    pd.testing.assert_frame_equal(got, pandas, check_dtype=False)
    assert explore.unusual_account_days(explore.Scope(org, dt.date(2020, 1, 1), dt.date(2020, 1, 31))).empty


def test_audience_page_with_many_accounts_draws_top_lines_and_exports_every_account(org, owner_web):
    _accounts(org, 12)
    base = f"/o/{org.slug}/analytics/audience/?period=30"
    page = owner_web.get(base)
    assert page.status_code == 200
    chart = next(c for c in page.context["charts"] if c.key == "followers_by_account")
    figure = json.loads(chart.figure)
    assert len(figure["data"]) == explore.AUDIENCE_LINES
    assert figure["data"][-1]["name"] == "Other accounts (5)"
    assert "The 7 accounts with the most followers" in chart.note
    # The page's table is the lines; the file holds every account's days.
    end = org.today()
    start = end - dt.timedelta(days=29)
    raw = _raw(org)
    in_period = raw[(raw["day"] >= start) & (raw["day"] <= end)]
    assert {row[1] for row in chart.rows} == {trace["name"] for trace in figure["data"]}
    response = owner_web.get(base + "&export=csv&chart=followers_by_account")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) - 1 == len(in_period)
    assert {r[1] for r in rows[1:]} == set(in_period["account__display_name"])
    change = next(c for c in page.context["charts"] if c.key == "gained_lost")
    gained = in_period.groupby("day")["followers_gained"].sum(min_count=1)
    assert [r[1] for r in change.rows if not np.isnan(r[1])] == [
        gained.get(r[0]) for r in change.rows if not np.isnan(r[1])
    ]


def test_query_counts_do_not_grow_with_accounts(org, owner_web, django_assert_max_num_queries):
    end = org.today()
    generate(org, seed=1, posts=10, end=end, days=40)
    pages = [
        f"/o/{org.slug}/analytics/{path}"
        for path in ("overview/?period=90", "audience/?period=90", "posts/?sort=er", "performs/?metric=er")
    ]
    counts = []
    for url in pages:
        with CaptureQueriesContext(connection) as ctx:
            assert owner_web.get(url).status_code == 200, url
        counts.append(len(ctx))
    _accounts(org, 15, seed=9)
    generate(org, seed=2, posts=20, end=end, days=40, lonely_format=False)
    for url, small in zip(pages, counts, strict=True):
        with django_assert_max_num_queries(small):
            assert owner_web.get(url).status_code == 200, url
