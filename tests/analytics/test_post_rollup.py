"""The post rollup (one row per platform post with its latest observation, analytics/rollups.py):
the analytics pages' post rows read from it equal the rows read from the raw tables on generated
data (empty periods, one day, a platform, the account without reach); a sync's write of posts or
snapshots refreshes exactly those posts, and a refresh is idempotent."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from analytics import explore, rollups
from analytics.models import PostMetricDaily, PostRollup, SocialPost
from analytics.post_frame import post_frame
from integrations.bulk import bulk_upsert
from tests.analytics.explore_data import generate

pytestmark = pytest.mark.django_db


def _rows(org) -> list[tuple]:
    fields = [f.attname for f in PostRollup._meta.concrete_fields if f.attname != "id"]
    return sorted(PostRollup.objects.filter(organization=org).values_list(*fields))


def test_post_rows_from_the_rollup_equal_the_raw_rows(org, other_org):
    org.timezone = "Asia/Yekaterinburg"  # UTC+5: local days and hours differ from UTC ones
    org.save(update_fields=["timezone"])
    end = org.today()
    raw = generate(org, seed=5, posts=50, end=end)
    generate(other_org, seed=6, posts=10, end=end)
    tz = org.tzinfo
    windows = [
        dict(start=end - dt.timedelta(days=29), end=end),
        dict(start=end - dt.timedelta(days=59), end=end),
        dict(start=end, end=end),  # one day
        dict(start=dt.date(2020, 1, 1), end=dt.date(2020, 1, 31)),  # empty
        dict(start=end - dt.timedelta(days=59), end=end, platform="telegram"),  # no reach
        dict(start=end - dt.timedelta(days=59), end=end, account_id=raw.accounts["vk"].pk),
    ]
    before = [post_frame(organization=org, tz=tz, **window) for window in windows]
    assert not rollups.reads_posts(org, tz)
    rollups.rebuild(org)
    assert rollups.reads_posts(org, tz)
    assert not rollups.reads_posts(org, dt.UTC)  # days asked in another zone: raw rows
    for window, want in zip(windows, before, strict=True):
        got = post_frame(organization=org, tz=tz, **window)
        pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True), check_dtype=False)
    assert not before[3].shape[0]
    assert before[4]["reach"].isna().all()
    # One row per post of the organization, none of the other's.
    assert PostRollup.objects.filter(organization=org).count() == SocialPost.objects.filter(organization=org).count()
    assert not PostRollup.objects.filter(organization=other_org).exists()


def test_a_sync_refreshes_the_posts_it_wrote_and_a_refresh_is_idempotent(org, django_capture_on_commit_callbacks):
    end = org.today()
    raw = generate(org, seed=7, posts=20, end=end)
    rollups.rebuild(org)
    # The setup's own pending refresh would absorb the writes below (one task per organization and
    # transaction) and, the test transaction never committing, never run: the rebuild supersedes it.
    transaction.get_connection().run_on_commit.clear()
    vk = raw.accounts["vk"]
    post = SocialPost.objects.filter(organization=org, account=vk).order_by("pk").first()
    newest = PostMetricDaily.objects.filter(organization=org, post=post).order_by("-day").first()
    later = (newest.day if newest else end) + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        bulk_upsert(
            PostMetricDaily,
            [dict(organization_id=org.pk, account_id=vk.pk, post_id=post.pk, day=later, reach=4321, likes=7)],
            key_fields=["organization_id", "post_id", "day"],
        )
        bulk_upsert(
            SocialPost,
            [
                dict(
                    organization_id=org.pk,
                    account_id=vk.pk,
                    external_id="fresh",
                    published_at=dt.datetime.combine(end, dt.time(12), tzinfo=org.tzinfo),
                    format="video",
                )
            ],
            key_fields=["organization_id", "account_id", "external_id"],
        )
    row = PostRollup.objects.get(organization=org, post_id=post.pk)
    assert (row.metric_day, row.reach, row.likes, row.engagements) == (later, 4321, 7, 7)
    fresh = PostRollup.objects.get(organization=org, post_id=SocialPost.objects.get(external_id="fresh").pk)
    assert (fresh.format, fresh.metric_day, fresh.reach, fresh.hour) == ("video", None, None, 12)
    refreshed = _rows(org)
    rollups.refresh(org.pk, [rollups.POST], [later, end])
    assert _rows(org) == refreshed  # idempotent
    rollups.rebuild(org)
    assert _rows(org) == refreshed  # and equal to a full build


def _same_performs(got, want) -> None:
    assert got.posts == want.posts
    for dimension in explore.DIMENSIONS:
        assert [(s.label, s.posts, s.sizes) for s in got.segments[dimension]] == [
            (s.label, s.posts, s.sizes) for s in want.segments[dimension]
        ], dimension
        for mine, theirs in zip(got.segments[dimension], want.segments[dimension], strict=True):
            for metric, value in theirs.values.items():
                assert mine.values[metric] == (None if value is None else pytest.approx(value)), (dimension, metric)
    np.testing.assert_array_equal(got.published, want.published)
    np.testing.assert_array_equal(got.sizes, want.sizes)
    np.testing.assert_allclose(got.values, want.values, equal_nan=True)


def test_what_performs_grouped_in_sql_equals_pandas_over_the_posts(org):
    """Every segment (format, pillar, objective, platform) and the weekday × hour grid of every
    metric: the one grouped query over the rollup against the pandas figures over the raw posts."""
    end = org.today()
    raw = generate(org, seed=11, posts=70, end=end)
    scopes = [
        explore.Scope(org, end - dt.timedelta(days=59), end),
        explore.Scope(org, end, end),  # one day
        explore.Scope(org, dt.date(2020, 1, 1), dt.date(2020, 1, 31)),  # empty
        explore.Scope(org, end - dt.timedelta(days=59), end, platform="telegram"),  # no reach
        explore.Scope(org, end - dt.timedelta(days=59), end, account_id=raw.accounts["vk"].pk, account_platform="vk"),
    ]
    want = {(i, m): explore.performs(scope, m) for i, scope in enumerate(scopes) for m in explore.PERFORM_METRICS}
    rollups.rebuild(org)
    for (i, metric), expected in want.items():
        with CaptureQueriesContext(connection) as ctx:
            got = explore.performs(scopes[i], metric)
        assert len(ctx) == 1
        _same_performs(got, expected)
    assert want[(0, "leads")].segments["pillar"]
    assert want[(0, "leads")].posts > 30
    assert not want[(2, "er")].posts


def test_posts_table_sorted_paged_and_ranked_in_sql_equals_pandas(org):
    """Every sort in both directions, two pages, and each objective's best and worst post: the one
    ranked query over the rollup against `sort_posts` and `best_and_worst` over the raw posts."""
    end = org.today()
    raw = generate(org, seed=13, posts=70, end=end)
    scopes = [
        explore.Scope(org, end - dt.timedelta(days=59), end),
        explore.Scope(org, dt.date(2020, 1, 1), dt.date(2020, 1, 31)),  # empty
        explore.Scope(org, end - dt.timedelta(days=59), end, platform="telegram"),  # no reach, no ER
        explore.Scope(org, end - dt.timedelta(days=59), end, account_id=raw.accounts["vk"].pk, account_platform="vk"),
    ]
    cases = [(i, sort, desc) for i in range(len(scopes)) for sort in explore.SORTS for desc in (True, False)]
    tables = {i: explore.posts_table(scope) for i, scope in enumerate(scopes)}
    want = {(i, sort, desc): explore.sort_posts(tables[i], sort, desc) for i, sort, desc in cases}
    extremes = {i: explore.best_and_worst(table) for i, table in tables.items()}
    rollups.rebuild(org)
    figures = ["reach", "views", "er", "link_clicks", "leads", "revenue", "fit_value", "engagements"]
    for i, sort, desc in cases:
        expected = want[(i, sort, desc)]
        assert explore.post_count(scopes[i]) == len(expected)
        for offset in (0, 25):
            with CaptureQueriesContext(connection) as ctx:
                got = explore.posts_page(scopes[i], sort, desc, offset, 25)
            assert len(ctx) == 1
            page = expected.iloc[offset : offset + 25].reset_index(drop=True)
            assert list(got.rows["post_id"]) == list(page["post_id"]), (i, sort, desc, offset)
            for column in figures:
                pd.testing.assert_series_equal(got.rows[column], page[column], check_names=False, check_dtype=False)
            for column in ("objective", "pillar", "account", "platform", "format", "fit_metric", "published_at"):
                assert list(got.rows[column].fillna("")) == list(page[column].fillna("")), column
        mine = [(e.objective, e.metric, e.best["post_id"], e.worst and e.worst["post_id"]) for e in got.extremes]
        theirs = [(e.objective, e.metric, e.best["post_id"], e.worst and e.worst["post_id"]) for e in extremes[i]]
        assert mine == theirs, i
    assert extremes[0]
    assert len(want[(0, "er", True)]) > 25
