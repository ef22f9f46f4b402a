"""The one upsert path: idempotent, no-op on identical data, one row per natural key."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
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
    # savepoint, temp table, COPY, skip unchanged, merge, drop, release
    with django_assert_max_num_queries(6):
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
        bulk_upsert(AccountMetricDaily, metric_rows(account, range(1, 8)), key_fields=KEY)  # no-op: no merge
    assert set(phases) == {"dedupe", "serialize", "copy", "skip_unchanged", "merge"}
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
