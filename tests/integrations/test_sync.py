"""The sync path end to end on the demo connector, and the error policy on a scripted one."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ads.models import AdCampaign, AdStatDaily
from analytics.models import AccountMetricDaily, PostMetricDaily, SocialPost
from integrations.connectors.base import (
    AuthExpired,
    NotSupported,
    PermissionDenied,
    RateLimited,
    TransientError,
)
from integrations.connectors.demo import DemoConnector
from integrations.models import AccountStatus, SyncKind, SyncRun, SyncStatus
from integrations.ratelimit import sync_lock
from integrations.services import demo_account_connect
from integrations.sync import SyncRetry, account_lock_name, account_sync
from moderation.models import InboxItem, InboxKind, InboxStatus
from tests.integrations.factories import SocialAccountFactory
from tests.integrations.sync_support import NOW, Scripted, demo, vk_account

pytestmark = pytest.mark.django_db


def facts():
    """Every synced fact, as comparable tuples (ids excluded: natural keys identify rows)."""
    return {
        "posts": sorted(
            SocialPost.objects.values_list("external_id", "published_at", "text", "format", "permalink", "updated_at")
        ),
        "post_metrics": sorted(
            PostMetricDaily.objects.values_list(
                "post__external_id", "day", "reach", "views", "likes", "comments", "shares", "saves", "updated_at"
            )
        ),
        "account_metrics": sorted(
            AccountMetricDaily.objects.values_list("day", "followers", "reach", "views", "likes", "updated_at")
        ),
        "campaigns": sorted(AdCampaign.objects.values_list("external_id", "name", "status", "daily_budget")),
        "ad_stats": sorted(
            AdStatDaily.objects.values_list(
                "campaign__external_id", "day", "spend", "impressions", "clicks", "leads", "revenue", "updated_at"
            )
        ),
        "inbox": sorted(
            InboxItem.objects.values_list("kind", "external_id", "text", "created_at", "status", "answered_at")
        ),
    }


def test_demo_full_sync_stores_exactly_what_the_connector_returns(org):
    account = demo_account_connect(organization=org, sync=False)
    connector = demo(account)

    outcome = account_sync(account_id=account.pk, plan="full", days=30, connector=connector)

    assert outcome.status == "done"
    runs = {r.kind: r for r in SyncRun.objects.filter(pk__in=outcome.runs)}
    assert set(runs) == set(SyncKind.values)
    assert {r.status for r in runs.values()} == {SyncStatus.SUCCESS}
    # Independent computation: ask a fresh connector with the same clock.
    reference = demo(account)
    expected_days = reference.fetch_account_metrics(NOW.date() - timedelta(days=29), NOW.date())
    stored = {m.day: m for m in AccountMetricDaily.objects.filter(organization=org)}
    assert len(stored) == len(expected_days) == 30
    for day in expected_days:
        row = stored[day.day]
        assert (row.followers, row.reach, row.views, row.likes, row.link_clicks) == (
            day.followers,
            day.reach,
            day.views,
            day.likes,
            day.link_clicks,
        )
    expected_posts = reference.fetch_posts(NOW - timedelta(days=30))
    assert sorted(SocialPost.objects.values_list("external_id", flat=True)) == sorted(
        p.external_id for p in expected_posts
    )
    metrics = {m.external_id: m for m in reference.fetch_post_metrics([p.external_id for p in expected_posts])}
    for row in PostMetricDaily.objects.select_related("post"):
        m = metrics[row.post.external_id]
        assert row.day == NOW.date()  # Europe/Moscow: 15:00 local, same date
        assert (row.reach, row.likes, row.saves, row.link_clicks) == (m.reach, m.likes, m.saves, m.link_clicks)
    stats = reference.fetch_ad_stats(NOW.date() - timedelta(days=29), NOW.date())
    assert AdStatDaily.objects.count() == len(stats) == runs[SyncKind.AD_STATS].rows_fetched
    total_spend = sum((s.spend for s in stats), Decimal(0))
    assert sum(AdStatDaily.objects.values_list("spend", flat=True)) == total_spend
    assert set(AdStatDaily.objects.values_list("currency", flat=True)) == {"RUB"}
    comments = reference.fetch_comments(NOW - timedelta(days=30))
    mentions = reference.search_mentions("Зерно", NOW - timedelta(days=30))
    assert InboxItem.objects.count() == len(comments) + len(mentions)
    assert InboxItem.objects.filter(kind=InboxKind.MENTION).count() == len(mentions)
    account.refresh_from_db()
    assert account.last_synced_at is not None
    assert account.followers == reference.followers_on(NOW.date())


def test_running_the_same_sync_twice_changes_nothing(org):
    account = demo_account_connect(organization=org, sync=False)
    account_sync(account_id=account.pk, plan="full", days=14, connector=demo(account))
    first = facts()

    outcome = account_sync(account_id=account.pk, plan="full", days=14, connector=demo(account))

    assert facts() == first
    assert sum(SyncRun.objects.filter(pk__in=outcome.runs).values_list("rows_written", flat=True)) == 0


# 20:00 UTC on Nov 30 = 23:00 in Moscow: the day's post (18:15 UTC) is under three hours old, when
# its counters grow fastest, and Moscow's midnight (a new observation day) is an hour away.
EVENING = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)


def posts_written(outcome) -> int:
    return SyncRun.objects.get(pk__in=outcome.runs, kind=SyncKind.POSTS).rows_written


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (EVENING + timedelta(seconds=1), EVENING + timedelta(minutes=59, seconds=59)),
        (EVENING + timedelta(minutes=59, seconds=58), EVENING + timedelta(minutes=59, seconds=59, microseconds=999999)),
    ],
    ids=["same-hour", "last-seconds-before-moscow-midnight"],
)
def test_a_rerun_within_the_hour_rewrites_no_post_even_a_fresh_one(org, first, second):
    """The demo platform's lifetime counters moved continuously, so a re-run seconds later
    rewrote the fresh post's reach (a real-worker test once saw 1 row instead of 0)."""
    assert org.timezone == "Europe/Moscow"
    account = demo_account_connect(organization=org, sync=False)
    first_run = account_sync(account_id=account.pk, plan="full", days=7, connector=demo(account, first))
    fresh = SocialPost.objects.get(external_id="p20261130")
    assert first - fresh.published_at < timedelta(hours=3)
    before = facts()

    second_run = account_sync(account_id=account.pk, plan="full", days=7, connector=demo(account, second))

    assert posts_written(first_run) > 0
    assert posts_written(second_run) == 0
    assert facts()["posts"] == before["posts"]
    assert facts()["post_metrics"] == before["post_metrics"]


def test_across_midnight_in_moscow_a_rerun_adds_the_new_day_of_post_metrics_only(org):
    """21:00 UTC is midnight in the organization's calendar: the same posts get a snapshot for the
    new day; the day before keeps its own, and no post is duplicated."""
    account = demo_account_connect(organization=org, sync=False)
    account_sync(account_id=account.pk, plan="full", days=7, connector=demo(account, EVENING + timedelta(minutes=59)))
    before = facts()
    posts = SocialPost.objects.count()

    account_sync(account_id=account.pk, plan="full", days=7, connector=demo(account, EVENING + timedelta(minutes=61)))

    after = facts()
    assert SocialPost.objects.count() == posts
    days = sorted(set(PostMetricDaily.objects.values_list("day", flat=True)))
    assert [d.isoformat() for d in days] == ["2026-11-30", "2026-12-01"]
    assert PostMetricDaily.objects.filter(day=days[1]).count() == posts
    assert [row for row in after["post_metrics"] if row[1] == days[0]] == before["post_metrics"]


def test_a_frozen_demo_clock_is_read_from_the_account_options():
    """A worker in another process builds the connector from the account: ``frozen_at`` pins it."""
    connector = DemoConnector(frozen_at="2026-11-30T20:59:59+00:00")
    assert connector.now() == datetime(2026, 11, 30, 20, 59, 59, tzinfo=UTC)
    assert DemoConnector(frozen_at="2026-11-30T20:59:59").now().tzinfo is not None


def test_our_replies_mark_the_comment_answered_at_the_reply_time(org):
    account = demo_account_connect(organization=org, sync=False)
    account_sync(account_id=account.pk, plan="full", days=14, connector=demo(account))
    replies = InboxItem.objects.filter(is_from_account=True)
    assert replies.exists()
    for reply in replies:
        parent = InboxItem.objects.get(external_id=reply.parent_external_id, kind=InboxKind.COMMENT)
        assert (parent.status, parent.answered_at) == (InboxStatus.REPLIED, reply.created_at)
    unanswered = InboxItem.objects.filter(kind=InboxKind.COMMENT, is_from_account=False, answered_at__isnull=True)
    assert set(unanswered.values_list("status", flat=True)) == {InboxStatus.NEW}


class CrashingDemo(DemoConnector):
    """Dies after the posts were written but before their metrics (a worker killed mid-step)."""

    def fetch_post_metrics(self, posts):
        raise KeyboardInterrupt("worker lost")


def test_interrupted_sync_then_rerun_leaves_exactly_one_row_per_key(org):
    account = demo_account_connect(organization=org, sync=False)
    with pytest.raises(KeyboardInterrupt):
        account_sync(
            account_id=account.pk,
            plan="full",
            days=10,
            connector=CrashingDemo(external_id=account.external_id, clock=lambda: NOW),
        )
    assert SocialPost.objects.exists()
    assert not PostMetricDaily.objects.exists()

    account_sync(account_id=account.pk, plan="full", days=10, connector=demo(account))
    after_rerun = facts()

    # Compare with a clean organization synced once: same rows, one per natural key.
    SocialPost.objects.all().delete()
    AccountMetricDaily.objects.all().delete()
    AdCampaign.objects.all().delete()
    InboxItem.objects.all().delete()
    account_sync(account_id=account.pk, plan="full", days=10, connector=demo(account))
    clean = facts()

    def without_stamps(snapshot):
        return {
            k: [tuple(v for v in row if not isinstance(v, datetime) or k == "inbox") for row in rows]
            for k, rows in snapshot.items()
        }

    assert without_stamps(after_rerun) == without_stamps(clean)
    assert SocialPost.objects.values("account", "external_id").distinct().count() == SocialPost.objects.count()


def test_a_locked_account_is_not_synced_twice(org):
    account = demo_account_connect(organization=org, sync=False)
    with sync_lock(account_lock_name(account.pk)) as lock:
        assert lock is not None
        outcome = account_sync(account_id=account.pk, plan="full", days=30, connector=demo(account))
    assert outcome.status == "locked"
    assert not SyncRun.objects.exists()


# --------------------------------------------------------------------------- error policy


def test_auth_expired_marks_needs_reauth_and_stops(org):
    account = vk_account(org)
    error = AuthExpired("vk", 5, "User authorization failed: access_token has expired.")
    connector = Scripted({"account_metrics": error})

    outcome = account_sync(account_id=account.pk, plan="daily", connector=connector)

    account.refresh_from_db()
    assert outcome.status == "stopped"
    assert account.status == AccountStatus.NEEDS_REAUTH
    assert account.last_error == "VK: access expired — reconnect the account"
    assert connector.calls == ["profile", "account_metrics"]  # posts were not attempted
    run = SyncRun.objects.get(kind=SyncKind.ACCOUNT_METRICS)
    assert (run.status, run.error_code, run.error) == (SyncStatus.FAILED, "5", account.last_error)


def test_needs_reauth_accounts_are_skipped(org):
    account = vk_account(org)
    account.status = AccountStatus.NEEDS_REAUTH
    account.save()
    assert account_sync(account_id=account.pk, connector=Scripted({})).status == "skipped"
    assert not SyncRun.objects.exists()


def test_permission_denied_sets_error_with_reason_and_other_steps_continue(org):
    account = vk_account(org)
    error = PermissionDenied("vk", 15, "Access denied: no access to statistics", user_message="VK: no access to stats")
    connector = Scripted({"account_metrics": error})

    account_sync(account_id=account.pk, plan="daily", connector=connector)

    account.refresh_from_db()
    assert (account.status, account.last_error) == (AccountStatus.ERROR, "VK: no access to stats")
    assert connector.calls == ["profile", "account_metrics", "posts"]
    assert dict(SyncRun.objects.values_list("kind", "status")) == {
        "profile": SyncStatus.SUCCESS,
        "account_metrics": SyncStatus.FAILED,
        "posts": SyncStatus.SUCCESS,
    }


def test_error_status_clears_after_a_clean_run(org):
    account = vk_account(org)
    account.status, account.last_error = AccountStatus.ERROR, "old"
    account.save()
    account_sync(account_id=account.pk, plan="daily", connector=Scripted({}))
    account.refresh_from_db()
    assert (account.status, account.last_error) == (AccountStatus.ACTIVE, "")


def test_rate_limit_asks_for_a_retry_of_the_remaining_steps_after_the_advised_delay(org):
    account = vk_account(org)
    connector = Scripted({"account_metrics": RateLimited("vk", 6, "Too many requests per second", retry_after=30)})

    with pytest.raises(SyncRetry) as caught:
        account_sync(account_id=account.pk, plan="daily", connector=connector)

    assert caught.value.retry_after == 30
    assert caught.value.remaining == ("account_metrics", "posts", "campaigns", "ad_stats")
    assert SyncRun.objects.get(kind="account_metrics").status == SyncStatus.RETRYING


def test_transient_error_asks_for_a_retry(org):
    account = vk_account(org)
    connector = Scripted({"posts": TransientError("vk", 502, "HTTP 502 from vk")})
    with pytest.raises(SyncRetry) as caught:
        account_sync(account_id=account.pk, plan="frequent", connector=connector)
    assert (caught.value.retry_after, caught.value.remaining[0]) == (0.0, "posts")


def test_a_long_advised_wait_defers_the_account_instead_of_parking_a_task(org):
    account = vk_account(org)
    connector = Scripted({"posts": RateLimited("vk", 29, "Rate limit reached", retry_after=6 * 3600)})

    outcome = account_sync(account_id=account.pk, plan="frequent", connector=connector)

    account.refresh_from_db()
    assert outcome.status == "deferred"
    assert timedelta(hours=5, minutes=59) < account.next_sync_at - timezone.now() <= timedelta(hours=6)


def test_not_supported_is_recorded_in_plain_words(org):
    account = vk_account(org)
    connector = Scripted({"comments": NotSupported("vk", "VK: comments are closed on this community")})
    account_sync(account_id=account.pk, plan="frequent", connector=connector)
    run = SyncRun.objects.get(kind="comments")
    assert (run.status, run.error) == (SyncStatus.SKIPPED, "VK: comments are closed on this community")


def test_steps_the_platform_lacks_are_not_attempted(org):
    account = vk_account(org)
    account_sync(account_id=account.pk, plan="full", connector=Scripted({}))
    assert set(SyncRun.objects.values_list("kind", flat=True)) == {"profile", "posts", "account_metrics", "comments"}


def test_a_token_echoed_in_an_error_is_not_logged_or_stored(org, caplog):
    from integrations.connectors.base import InvalidRequest

    token = "vk1.a.Echoed-Secret-Token-42"
    account = SocialAccountFactory(organization=org, platform="vk", credentials={"access_token": token})
    error = InvalidRequest("vk", 100, f"One of the parameters is invalid: access_token={token}")
    error.user_message = f"VK: bad request ({token})"
    caplog.set_level("DEBUG")

    account_sync(account_id=account.pk, plan="frequent", connector=Scripted({"posts": error}))

    run = SyncRun.objects.get(kind="posts")
    assert run.status == SyncStatus.FAILED
    assert token not in run.error
    assert token not in caplog.text
    assert caplog.records  # the failure was logged (with the structured extras) ...
    assert all(token not in str(vars(record)) for record in caplog.records)  # ... without the token
    assert "***" in run.error
