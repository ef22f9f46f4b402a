"""The one upsert path: idempotent, no-op on identical data, one row per natural key."""

import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from analytics.models import AccountMetricDaily
from integrations import bulk
from integrations.bulk import bulk_upsert, recording_phases
from moderation.models import InboxItem, InboxStatus
from tests.ads.factories import AdCampaignFactory
from tests.integrations.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db

KEY = ["organization_id", "account_id", "day"]


def metric_rows(account, days, reach=100):
    return [
        {
            "organization_id": account.organization_id,
            "account_id": account.id,
            "day": date(2026, 6, d),
            "reach": reach + d,
            "likes": None,
            "followers": 1000 + d,
        }
        for d in days
    ]


def snapshot():
    return list(
        AccountMetricDaily.objects.order_by("account_id", "day").values_list(
            "organization_id", "account_id", "day", "reach", "likes", "followers", "updated_at"
        )
    )


def test_insert_then_identical_rerun_is_a_noop(org):
    account = SocialAccountFactory(organization=org)
    first = bulk_upsert(AccountMetricDaily, metric_rows(account, range(1, 8)), key_fields=KEY, detailed=True)
    assert (first.rows, first.inserted, first.updated) == (7, 7, 0)
    before = snapshot()

    second = bulk_upsert(AccountMetricDaily, metric_rows(account, range(1, 8)), key_fields=KEY, detailed=True)

    assert (second.rows, second.written, second.inserted, second.updated) == (7, 0, 0, 0)
    assert snapshot() == before  # not even updated_at moved


def test_changed_values_are_updated_and_null_counts_as_a_value(org):
    account = SocialAccountFactory(organization=org)
    bulk_upsert(AccountMetricDaily, metric_rows(account, [1, 2, 3]), key_fields=KEY, detailed=True)
    rows = metric_rows(account, [1, 2, 3])
    rows[0]["reach"] = 555
    rows[1]["likes"] = 7  # NULL -> 7 is a change
    rows[2]["followers"] = None  # 1003 -> NULL is a change too

    result = bulk_upsert(AccountMetricDaily, rows, key_fields=KEY, detailed=True)

    assert (result.inserted, result.updated) == (0, 3)
    values = list(AccountMetricDaily.objects.order_by("day").values_list("reach", "likes", "followers"))
    assert values == [(555, None, 1001), (102, 7, 1002), (103, None, None)]


def test_partial_batch_then_full_rerun_leaves_one_row_per_key(org):
    account = SocialAccountFactory(organization=org)
    all_rows = metric_rows(account, range(1, 11))
    bulk_upsert(AccountMetricDaily, all_rows[:4], key_fields=KEY, detailed=True)  # the "interrupted" run

    result = bulk_upsert(AccountMetricDaily, all_rows, key_fields=KEY, detailed=True)

    assert (result.inserted, result.updated) == (6, 0)
    assert AccountMetricDaily.objects.count() == 10
    assert sorted(AccountMetricDaily.objects.values_list("day", flat=True)) == [date(2026, 6, d) for d in range(1, 11)]


def test_with_no_update_fields_existing_keys_keep_their_values_and_new_keys_are_inserted(org):
    """``update_fields=[]`` (stubs that must not overwrite a row): the classifying join keeps only
    the keys the table lacks."""
    account = SocialAccountFactory(organization=org)
    bulk_upsert(AccountMetricDaily, metric_rows(account, [1, 2]), key_fields=KEY)
    rows = metric_rows(account, [1, 2, 3], reach=900)

    result = bulk_upsert(AccountMetricDaily, rows, key_fields=KEY, update_fields=[], detailed=True)

    assert (result.rows, result.written, result.inserted, result.updated) == (3, 1, 1, 0)
    reach = dict(AccountMetricDaily.objects.values_list("day", "reach"))
    assert reach == {date(2026, 6, 1): 101, date(2026, 6, 2): 102, date(2026, 6, 3): 903}
    again = bulk_upsert(AccountMetricDaily, rows, key_fields=KEY, update_fields=[], detailed=True)
    assert (again.written, again.inserted) == (0, 0)


@pytest.mark.parametrize("pending_table", [True, False], ids=["read-only join", "delete-returning"])
def test_both_classifications_write_the_same_rows(org, monkeypatch, pending_table):
    """The benchmark's baseline (decision 0009's DELETE ... RETURNING) and the current read-only
    join agree on a batch of unchanged, changed and new rows."""
    monkeypatch.setattr(bulk, "_PENDING_TABLE", pending_table)
    account = SocialAccountFactory(organization=org)
    bulk_upsert(AccountMetricDaily, metric_rows(account, range(1, 6)), key_fields=KEY)
    rows = metric_rows(account, range(1, 9))
    rows[1]["reach"] = 7
    rows[4]["likes"] = 0  # NULL -> 0 is a change

    result = bulk_upsert(AccountMetricDaily, rows, key_fields=KEY, detailed=True)

    assert (result.written, result.inserted, result.updated) == (5, 3, 2)
    values = list(AccountMetricDaily.objects.order_by("day").values_list("day", "reach", "likes"))
    assert values == [(row["day"], row["reach"], row["likes"]) for row in rows]


def test_duplicate_keys_in_one_call_last_wins(org):
    account = SocialAccountFactory(organization=org)
    rows = metric_rows(account, [1]) + metric_rows(account, [1], reach=900)

    result = bulk_upsert(AccountMetricDaily, rows, key_fields=KEY, detailed=True)

    assert (result.rows, result.inserted) == (1, 1)
    assert AccountMetricDaily.objects.get().reach == 901


def test_same_day_in_two_orgs_are_separate_rows(org, other_org):
    mine = SocialAccountFactory(organization=org)
    theirs = SocialAccountFactory(organization=other_org)
    bulk_upsert(
        AccountMetricDaily, metric_rows(mine, [1]) + metric_rows(theirs, [1], reach=5), key_fields=KEY, detailed=True
    )
    assert dict(AccountMetricDaily.objects.values_list("organization_id", "reach")) == {org.id: 101, other_org.id: 6}


def test_omitted_columns_get_defaults_and_are_never_overwritten(org):
    account = SocialAccountFactory(organization=org)
    row = {
        "organization_id": org.id,
        "account_id": account.id,
        "kind": "comment",
        "external_id": "c1",
        "text": "Где у вас парковка?\tи\\ещё\nстрока",
        "created_at": timezone.now(),
    }
    bulk_upsert(InboxItem, [row], key_fields=["organization_id", "account_id", "kind", "external_id"])
    item = InboxItem.objects.get()
    assert item.status == InboxStatus.NEW
    assert item.text == "Где у вас парковка?\tи\\ещё\nстрока"
    item.status = InboxStatus.RESOLVED
    item.save(update_fields=["status"])

    bulk_upsert(
        InboxItem, [{**row, "text": "edited"}], key_fields=["organization_id", "account_id", "kind", "external_id"]
    )

    item.refresh_from_db()
    assert (item.text, item.status) == ("edited", InboxStatus.RESOLVED)


def test_decimal_and_json_round_trip(org):
    from ads.models import AdStatDaily

    account = SocialAccountFactory(organization=org, platform="meta_ads")
    campaign = AdCampaignFactory(organization=org, account=account, external_id="1", name="Лиды", currency="RUB")
    row = {
        "organization_id": org.id,
        "account_id": account.id,
        "campaign_id": campaign.id,
        "day": date(2026, 6, 10),
        "spend": Decimal("1234.56"),
        "currency": "RUB",
        "impressions": 10000,
        "clicks": 120,
        "leads": 7,
        "conversions": None,
        "revenue": Decimal("0.10"),
    }
    key = ["organization_id", "campaign_id", "day"]
    assert bulk_upsert(AdStatDaily, [row], key_fields=key, detailed=True).inserted == 1
    assert bulk_upsert(AdStatDaily, [row], key_fields=key).written == 0
    stat = AdStatDaily.objects.get()
    assert (stat.spend, stat.revenue, stat.leads, stat.conversions) == (Decimal("1234.56"), Decimal("0.10"), 7, None)


def test_uses_a_constant_number_of_queries(org, django_assert_max_num_queries):
    account = SocialAccountFactory(organization=org)
    rows = metric_rows(account, range(1, 29))
    # savepoint, two temp tables, (COPY: not counted), the classifying join, touched days,
    # savepoint, insert, release, drop, release (+ the UPDATE when rows changed) — the same for
    # 28 rows or a million
    with django_assert_max_num_queries(10):
        result = bulk_upsert(AccountMetricDaily, rows, key_fields=KEY)
    assert (result.written, result.inserted) == (28, None)


def test_a_noop_rerun_locks_no_row(org):
    """Unchanged rows are filtered out before the merge: ON CONFLICT would lock (and WAL-log the
    lock of) every conflicting row even when its WHERE skips the update."""
    account = SocialAccountFactory(organization=org)
    rows = metric_rows(account, range(1, 29))
    bulk_upsert(AccountMetricDaily, rows, key_fields=KEY)
    rows[3]["reach"] = 9999

    result = bulk_upsert(AccountMetricDaily, rows, key_fields=KEY, detailed=True)

    assert (result.rows, result.written, result.inserted, result.updated) == (28, 1, 0, 1)
    with connection.cursor() as cursor:  # a locked row version carries an xmax; the changed row aside
        cursor.execute(
            "SELECT day FROM analytics_accountmetricdaily"
            " WHERE organization_id = %s AND day <> %s AND xmax::text <> '0'",
            [org.pk, rows[3]["day"]],
        )
        assert cursor.fetchall() == []
    assert AccountMetricDaily.objects.get(day=rows[3]["day"]).reach == 9999


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the phases are those of the PostgreSQL path")
def test_recording_phases_splits_the_postgresql_path_and_costs_nothing_otherwise(org):
    account = SocialAccountFactory(organization=org)
    with recording_phases() as phases:
        bulk_upsert(AccountMetricDaily, metric_rows(account, range(1, 8)), key_fields=KEY)
        bulk_upsert(AccountMetricDaily, metric_rows(account, range(1, 8)), key_fields=KEY)  # no-op: no write
        bulk_upsert(AccountMetricDaily, metric_rows(account, range(1, 8), reach=5), key_fields=KEY)  # updates
    assert "merge" not in phases  # ON CONFLICT only after a concurrent insert of the same key
    assert set(phases) == {"dedupe", "serialize", "copy", "skip_unchanged", "update", "insert", "rollup_hooks"}
    assert all(seconds >= 0 for seconds in phases.values())
    with recording_phases() as later:
        pass
    bulk_upsert(AccountMetricDaily, metric_rows(account, range(1, 9)), key_fields=KEY)  # outside: not recorded
    assert later == {}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="work_mem is a PostgreSQL setting")
def test_a_large_batch_raises_work_mem_for_its_own_transaction_only(org, monkeypatch, transactional_db):
    monkeypatch.setattr(bulk, "_MERGE_WORK_MEM_FROM_ROWS", 5)
    real_merge_settings = bulk._merge_settings
    seen = []

    def spy(cursor, rows):
        real_merge_settings(cursor, rows)
        cursor.execute("SHOW work_mem")
        seen.append(cursor.fetchone()[0])

    monkeypatch.setattr(bulk, "_merge_settings", spy)
    account = SocialAccountFactory(organization=org)
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        before = cursor.fetchone()[0]
        bulk_upsert(AccountMetricDaily, metric_rows(account, range(1, 8)), key_fields=KEY)  # 7 rows: raised
        bulk_upsert(AccountMetricDaily, metric_rows(account, range(1, 3)), key_fields=KEY)  # 2 rows: default
        cursor.execute("SHOW work_mem")
        after = cursor.fetchone()[0]
    assert seen == [bulk._MERGE_WORK_MEM, before]
    assert after == before  # set for the upsert's transaction only
    assert AccountMetricDaily.objects.filter(account=account).count() == 7


def row_versions(org):
    """Each row's key -> (xmin, ctid): both change when a row is written again, neither otherwise."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT account_id, day, xmin::text, ctid::text FROM analytics_accountmetricdaily"
            " WHERE organization_id = %s",
            [org.pk],
        )
        return {(account, day): (xmin, ctid) for account, day, xmin, ctid in cursor.fetchall()}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row versions are PostgreSQL's")
def test_only_new_and_changed_rows_get_a_new_version(org):
    account = SocialAccountFactory(organization=org)
    rows = metric_rows(account, range(1, 21))
    bulk_upsert(AccountMetricDaily, rows, key_fields=KEY)
    before = row_versions(org)
    rows[2]["reach"] = 5000
    rows[7]["likes"] = 3  # NULL -> 3
    rows += metric_rows(account, [21, 22])

    result = bulk_upsert(AccountMetricDaily, rows, key_fields=KEY, detailed=True)

    assert (result.rows, result.written, result.inserted, result.updated) == (22, 4, 2, 2)
    after = row_versions(org)
    rewritten = {key for key in before if after[key] != before[key]}
    assert rewritten == {(account.id, date(2026, 6, 3)), (account.id, date(2026, 6, 8))}
    assert set(after) - set(before) == {(account.id, date(2026, 6, 21)), (account.id, date(2026, 6, 22))}
    # A second identical sync writes nothing at all.
    again = bulk_upsert(AccountMetricDaily, rows, key_fields=KEY, detailed=True)
    assert (again.written, again.inserted, again.updated) == (0, 0, 0)
    assert row_versions(org) == after


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the touched days are read back in SQL")
def test_rollup_hooks_hear_exactly_the_touched_organization_days(org, other_org, monkeypatch):
    from core import facts

    mine, theirs = SocialAccountFactory(organization=org), SocialAccountFactory(organization=other_org)
    rows = metric_rows(mine, range(1, 11)) + metric_rows(theirs, range(1, 11))
    bulk_upsert(AccountMetricDaily, rows, key_fields=KEY)
    heard: list[tuple[str, int, set]] = []
    real = facts.facts_changed
    monkeypatch.setattr(
        facts, "facts_changed", lambda model, org_id, moments: heard.append((model._meta.label, org_id, set(moments)))
    )
    rows[1]["reach"] = 1  # org, day 2: changed
    rows[14]["followers"] = None  # other org, day 5: changed
    rows += metric_rows(mine, [12])  # org, day 12: new
    rows.append({**metric_rows(theirs, [2])[0], "day": date(2026, 6, 12)})  # other org, day 12: new

    bulk_upsert(AccountMetricDaily, rows, key_fields=KEY)

    assert sorted(heard, key=lambda h: h[1]) == sorted(
        [
            ("analytics.AccountMetricDaily", org.pk, {date(2026, 6, 2), date(2026, 6, 12)}),
            ("analytics.AccountMetricDaily", other_org.pk, {date(2026, 6, 5), date(2026, 6, 12)}),
        ],
        key=lambda h: h[1],
    )
    heard.clear()
    bulk_upsert(AccountMetricDaily, rows, key_fields=KEY)  # nothing changed: nothing to refresh
    assert heard == []
    monkeypatch.setattr(facts, "facts_changed", real)


def _wait_for_a_lock_wait(timeout: float = 10.0) -> None:
    """Until some backend of this database waits on a lock (the second writer's INSERT)."""
    deadline = time.monotonic() + timeout
    with connections["default"].cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the second writer never waited for the first")


@pytest.mark.parametrize("first_commits", [True, False], ids=["first-commits", "first-rolls-back"])
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_writers_of_the_same_new_keys_leave_one_row_each(first_commits):
    """Writer A inserts days 1-20 and keeps its transaction open; writer B, which saw none of them,
    sends days 11-30 with other values: its INSERT waits for A. If A commits, B's INSERT fails on
    the unique key, falls back to ON CONFLICT and updates A's rows; if A rolls back, B inserts."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: PostgreSQL")
    account = SocialAccountFactory()
    org_id = account.organization_id
    a_rows = metric_rows(account, range(1, 21), reach=100)
    b_rows = metric_rows(account, range(11, 31), reach=700)
    a_written = threading.Event()
    release_a = threading.Event()
    results: dict[str, object] = {}
    errors: list[BaseException] = []

    def writer_a():
        try:
            with transaction.atomic():
                results["a"] = bulk_upsert(AccountMetricDaily, a_rows, key_fields=KEY, detailed=True)
                a_written.set()
                assert release_a.wait(20)
                if not first_commits:
                    transaction.set_rollback(True)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
            a_written.set()
        finally:
            connections.close_all()

    def writer_b():
        try:
            with recording_phases() as phases:
                results["b"] = bulk_upsert(AccountMetricDaily, b_rows, key_fields=KEY, detailed=True)
            results["b_phases"] = phases
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    thread_a = threading.Thread(target=writer_a)
    thread_a.start()
    assert a_written.wait(20)
    thread_b = threading.Thread(target=writer_b)
    thread_b.start()
    try:
        _wait_for_a_lock_wait()
    finally:
        release_a.set()
        thread_a.join(30)
        thread_b.join(30)
    assert errors == []

    rows = AccountMetricDaily.objects.filter(organization_id=org_id)
    assert rows.count() == (30 if first_commits else 20)  # one row per key, never two
    reach = dict(rows.values_list("day", "reach"))
    b = results["b"]
    if first_commits:
        assert all(reach[date(2026, 6, d)] == 100 + d for d in range(1, 11))  # A's alone
        assert all(reach[date(2026, 6, d)] == 700 + d for d in range(11, 31))  # B's won where both wrote
        assert (b.written, b.inserted, b.updated) == (20, 10, 10)
        assert results["b_phases"].get("merge", 0) > 0  # the fallback ran
    else:
        assert reach == {date(2026, 6, d): 700 + d for d in range(11, 31)}
        assert (b.written, b.inserted, b.updated) == (20, 20, 0)
        assert "merge" not in results["b_phases"]  # the plain INSERT went through
