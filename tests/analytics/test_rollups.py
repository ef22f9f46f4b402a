"""The daily rollups (analytics/rollups.py): KPIs read from them equal the raw-table KPIs and the
independent pandas figures on generated data (every catalog KPI, every dimension, several periods
including empty ones); a sync or an API write refreshes exactly the days it touched; a refresh is
idempotent and a refresh that dies half way leaves the previous rows."""

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from ads.models import AdCampaign
from analytics import rollups
from analytics.kpi_engine import kpi_rows
from analytics.kpi_sources import Dimension
from analytics.kpi_sources.base import AD_UNITS
from analytics.kpi_sources.rollup import READERS
from analytics.models import (
    AccountMetricDaily,
    AccountRollupDaily,
    AdRollupDaily,
    CrmRollupDaily,
    InboxRollupDaily,
)
from analytics.rollup_hooks import is_refresh
from core.kpis import CATALOG
from crm.models import Lead, Sale
from crm.services import upsert_leads
from integrations.bulk import bulk_upsert
from moderation.models import InboxItem
from tenancy.models import Organization
from tests.integrations.factories import SocialAccountFactory
from tests.tenancy.factories import OrganizationFactory

from .kpi_data import generate
from .kpi_expected import expected

pytestmark = pytest.mark.django_db

KEYS = [kpi.key for kpi in CATALOG]
PERIODS = [
    (dt.date(2026, 3, 1), dt.date(2026, 3, 31)),  # a month inside the data
    (dt.date(2026, 2, 1), dt.date(2026, 4, 30)),  # wider than the data
    (dt.date(2026, 3, 14), dt.date(2026, 3, 14)),  # one day
    (dt.date(2025, 1, 1), dt.date(2025, 1, 31)),  # empty
]
ROLLUP_TABLES = [AccountRollupDaily, AdRollupDaily, InboxRollupDaily, CrmRollupDaily]


def _got(rows) -> dict:
    return {row.group: {k: (v.value, v.numerator, v.denominator) for k, v in row.values.items()} for row in rows}


def _snapshot(org) -> dict:
    return {
        model._meta.label: sorted(
            tuple(str(v) for v in row)
            for row in model.objects.filter(organization=org).values_list(
                *[f.attname for f in model._meta.concrete_fields if f.attname != "id"]
            )
        )
        for model in ROLLUP_TABLES
    }


@pytest.fixture
def facts(org):
    org.timezone = "Asia/Yekaterinburg"  # UTC+5: local days differ from UTC days
    org.save(update_fields=["timezone"])
    return generate(org, seed=20260315)


# Ad-set and creative figures are never rolled up (no reader serves them); their figures are checked
# against pandas in tests/adrules/test_unit_figures.py.
@pytest.mark.parametrize("dim", [d.value for d in Dimension if d not in AD_UNITS])
def test_rollup_kpis_equal_raw_kpis_and_pandas(org, facts, dim):
    assert not rollups.covered(org)
    cases = [(start, end, platform) for start, end in PERIODS for platform in ("", "vk", "instagram")]
    raw = {
        c: _got(kpi_rows(organization=org, kpis=KEYS, start=c[0], end=c[1], platform=c[2], group_by=dim)) for c in cases
    }
    rollups.rebuild(org)
    assert rollups.covered(org)
    for start, end, platform in cases:
        with CaptureQueriesContext(connection) as ctx:
            got = _got(kpi_rows(organization=org, kpis=KEYS, start=start, end=end, platform=platform, group_by=dim))
        assert got == raw[(start, end, platform)], (dim, start, end, platform)
        want = expected(facts, KEYS, start, end, platform, dim)
        assert set(got) == set(want)
        for group, values in want.items():
            for key, triple in values.items():
                assert got[group][key] == triple, (key, dim, platform, group)
        # The sources the rollups serve for this dimension were read from them.
        sql = " ".join(q["sql"] for q in ctx.captured_queries)
        served = [name for name, reader in READERS.items() if Dimension(dim) in reader.dimensions]
        assert ("rollupdaily" in sql) == bool(served), dim


def test_rebuild_is_idempotent_and_a_range_rebuild_changes_nothing(org, facts):
    rollups.rebuild(org)
    first = _snapshot(org)
    assert all(first.values())
    rollups.rebuild(org)
    assert _snapshot(org) == first
    rollups.rebuild(org, dt.date(2026, 3, 1), dt.date(2026, 3, 10))
    rollups.refresh(org.pk, rollups.KINDS, [dt.date(2026, 3, 5), "2026-03-06T10:00:00+00:00"])
    assert _snapshot(org) == first


def test_rollups_of_other_organizations_are_untouched(org, facts):
    other = OrganizationFactory(slug="other-rollups")
    generate(other, seed=7)
    rollups.rebuild(other)
    theirs = _snapshot(other)
    rollups.rebuild(org)
    AccountMetricDaily.objects.filter(organization=org).delete()
    rollups.rebuild(org)
    assert _snapshot(other) == theirs
    assert not AccountRollupDaily.objects.filter(organization=org).exists()


def _corrupt(model, org, day) -> None:
    """A marker on a rollup row: a refresh of that day rewrites it, an untouched day keeps it."""
    field = {"AccountRollupDaily": "reach", "InboxRollupDaily": "items", "CrmRollupDaily": "count"}
    model.objects.filter(organization=org, day=day).update(**{field[model.__name__]: -1})


def test_a_sync_refreshes_only_the_days_it_wrote(org, facts, django_capture_on_commit_callbacks):
    rollups.rebuild(org)
    account = SocialAccountFactory(organization=org, platform="vk", external_id="vk-new")
    touched, untouched = dt.date(2026, 3, 2), dt.date(2026, 3, 3)
    for day in (touched, untouched):
        _corrupt(AccountRollupDaily, org, day)
    rows = [{"organization_id": org.pk, "account_id": account.pk, "day": touched, "reach": 1000, "views": 7}]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        bulk_upsert(AccountMetricDaily, rows, key_fields=["organization_id", "account_id", "day"])
    assert len(callbacks) == 1
    fresh = AccountRollupDaily.objects.get(organization=org, day=touched, platform="vk")
    raw = AccountMetricDaily.objects.filter(organization=org, day=touched, account__platform="vk")
    assert fresh.reach == sum(r.reach or 0 for r in raw)
    assert fresh.reach >= 1000
    assert AccountRollupDaily.objects.filter(organization=org, day=untouched, reach=-1).exists()
    # A re-pull that changes nothing queues nothing.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        bulk_upsert(AccountMetricDaily, rows, key_fields=["organization_id", "account_id", "day"])
    assert callbacks == []


def test_an_api_lead_write_refreshes_its_local_day_only(org, facts, django_capture_on_commit_callbacks):
    rollups.rebuild(org)
    # 23:30 UTC on 2 March is 3 March in Yekaterinburg (UTC+5).
    created = dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC)
    for day in (dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4)):
        _corrupt(CrmRollupDaily, org, day)
    before = kpi_rows(organization=org, kpis=["leads"], start=dt.date(2026, 3, 3), end=dt.date(2026, 3, 3))
    with django_capture_on_commit_callbacks(execute=True):
        upsert_leads(organization=org, items=[{"external_id": "api-1", "created": created.isoformat()}])
    day3 = CrmRollupDaily.objects.filter(organization=org, day=dt.date(2026, 3, 3), kind="lead")
    assert day3.exists()
    assert not day3.filter(count__lt=0).exists()
    for day in (dt.date(2026, 3, 2), dt.date(2026, 3, 4)):
        if CrmRollupDaily.objects.filter(organization=org, day=day).exists():
            assert CrmRollupDaily.objects.filter(organization=org, day=day, count=-1).exists()
    rollups.rebuild(org)  # the honest figure, then compare with the raw count
    after = kpi_rows(organization=org, kpis=["leads"], start=dt.date(2026, 3, 3), end=dt.date(2026, 3, 3))
    assert after[0].values["leads"].value == (before[0].values["leads"].value or 0) + 1


def test_an_inbox_status_change_refreshes_its_day(org, facts, django_capture_on_commit_callbacks):
    rollups.rebuild(org)
    item = InboxItem.objects.filter(organization=org, is_from_account=False).exclude(status="resolved").first()
    day = item.created_at.astimezone(org.tzinfo).date()
    resolved_before = sum(InboxRollupDaily.objects.filter(organization=org, day=day).values_list("resolved", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        item.status = "resolved"
        item.save(update_fields=["status"])
    assert sum(InboxRollupDaily.objects.filter(organization=org, day=day).values_list("resolved", flat=True)) == (
        resolved_before + 1
    )


def test_a_refresh_that_dies_half_way_leaves_the_previous_rows(org, facts, monkeypatch):
    rollups.rebuild(org)
    before = _snapshot(org)
    # The account rows are deleted, then the INSERT fails (as a worker killed mid-statement would).
    broken = dict(rollups._INSERTS)
    broken[rollups.ACCOUNT] = [(AccountRollupDaily._meta.db_table, "SELECT 1 / 0")]
    monkeypatch.setattr(rollups, "_INSERTS", broken)
    with pytest.raises(Exception, match="division by zero"):
        rollups.refresh(org.pk, rollups.KINDS, [dt.date(2026, 3, d) for d in range(1, 32)])
    assert _snapshot(org) == before


def test_an_organization_is_read_raw_until_built_and_after_a_time_zone_change(org, facts):
    rollups.rebuild(org)
    assert rollups.covered(org)
    org.timezone = "Europe/Moscow"
    org.save(update_fields=["timezone"])
    assert not rollups.covered(org)
    # The next refresh rebuilds everything in the new time zone.
    rollups.refresh(org.pk, [rollups.ACCOUNT], [dt.date(2026, 3, 1)])
    org.refresh_from_db()
    assert org.rollups_timezone == "Europe/Moscow"
    assert rollups.covered(org)


def test_deleting_a_campaign_sends_the_organization_back_to_raw_rows(org, facts, django_capture_on_commit_callbacks):
    rollups.rebuild(org)
    with django_capture_on_commit_callbacks(execute=True):
        AdCampaign.objects.filter(organization=org).first().delete()
    org.refresh_from_db()
    assert rollups.covered(org)  # rebuilt on commit
    got = _got(kpi_rows(organization=org, kpis=KEYS, start=PERIODS[1][0], end=PERIODS[1][1], group_by="campaign"))
    rollups.forget(org.pk)
    org.refresh_from_db()
    assert got == _got(
        kpi_rows(organization=org, kpis=KEYS, start=PERIODS[1][0], end=PERIODS[1][1], group_by="campaign")
    )


def test_rebuild_command(org, facts):
    call_command("rebuild_rollups", "--org", org.slug)
    org.refresh_from_db()
    assert rollups.covered(org)
    call_command("rebuild_rollups", "--org", org.slug, "--start", "2026-03-01", "--end", "2026-03-05")
    assert Decimal(AccountRollupDaily.objects.filter(organization=org).count()) > 0
    with pytest.raises(CommandError):
        call_command("rebuild_rollups", "--org", "nobody")
    with pytest.raises(CommandError):
        call_command("rebuild_rollups", "--start", "2026-03-05")
    with pytest.raises(CommandError):
        call_command("rebuild_rollups", "--start", "2026-03-05", "--end", "2026-03-01")


@pytest.mark.django_db(transaction=True)
def test_a_refresh_whose_connection_dies_half_way_leaves_the_previous_rows(monkeypatch):
    """A worker killed mid-refresh: its database session ends with the DELETE done and the INSERT
    running; the server rolls the transaction back and every other session still sees the rows."""
    org = OrganizationFactory(slug="dying-worker")
    generate(org, seed=3)
    rollups.rebuild(org)
    before = _snapshot(org)
    stalled = dict(rollups._INSERTS)
    stalled[rollups.ACCOUNT] = [(AccountRollupDaily._meta.db_table, "SELECT pg_sleep(60) /* rollup-stall */")]
    monkeypatch.setattr(rollups, "_INSERTS", stalled)
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            rollups.refresh(org.pk, rollups.KINDS, [dt.date(2026, 3, d) for d in range(1, 32)])
        except BaseException as exc:  # the killed session's error, expected
            failures.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=worker)
    thread.start()
    with connection.cursor() as cursor:
        for _ in range(200):
            cursor.execute(
                # This database only: another test run on the server (an xdist worker) may stall too.
                "SELECT pid FROM pg_stat_activity WHERE query LIKE %s AND pid <> pg_backend_pid()"
                " AND datname = current_database()",
                ["%rollup-stall%"],
            )
            found = cursor.fetchone()
            if found:
                break
            time.sleep(0.05)
        assert found, "the refresh never reached its INSERT"
        # Meanwhile the half-done refresh is invisible: the days' rows are still there.
        assert _snapshot(org) == before
        cursor.execute("SELECT pg_terminate_backend(%s)", [found[0]])
    thread.join(timeout=30)
    assert failures
    assert _snapshot(org) == before


def test_a_lead_refresh_also_re_sums_the_days_of_its_sales(org, facts):

    rollups.rebuild(org)
    sale = Sale.objects.filter(organization=org, lead__isnull=False, refunded=False).select_related("lead").first()
    sale_day = sale.sold_at.astimezone(org.tzinfo).date()
    lead_day = sale.lead.created.astimezone(org.tzinfo).date()
    if sale_day == lead_day:
        pytest.skip("the generated sale fell on its lead's day")
    CrmRollupDaily.objects.filter(organization=org, day=sale_day, kind="sale").update(count=-1)
    rollups.refresh(org.pk, [rollups.CRM], [sale.lead.created])
    assert not CrmRollupDaily.objects.filter(organization=org, day=sale_day, count=-1).exists()
    assert CrmRollupDaily.objects.filter(organization=org, day=sale_day, kind="sale").exists()


# --- Deletes, first responses and followers: the rollup path equals the raw path after each write.

DIMS = [Dimension.TOTAL, Dimension.DAY, Dimension.PLATFORM, Dimension.CAMPAIGN, Dimension.GOAL]


def _assert_rollups_equal_raw(org) -> None:
    """Every KPI by every rolled-up dimension read from the rollups, then from the raw rows."""
    org.refresh_from_db()
    assert rollups.covered(org)
    start, end = PERIODS[1]
    on_rollups = {d: _got(kpi_rows(organization=org, kpis=KEYS, start=start, end=end, group_by=d)) for d in DIMS}
    timezone_built = org.rollups_timezone
    rollups.forget(org.pk)
    org.refresh_from_db()
    on_raw = {d: _got(kpi_rows(organization=org, kpis=KEYS, start=start, end=end, group_by=d)) for d in DIMS}
    Organization.objects.filter(pk=org.pk).update(rollups_timezone=timezone_built)
    org.refresh_from_db()
    for d in DIMS:
        assert on_rollups[d] == on_raw[d], d


def _delete_one_inbox_item(org):
    InboxItem.objects.filter(organization=org, is_from_account=False).order_by("pk").first().delete()


def _delete_a_days_inbox_items(org):
    item = InboxItem.objects.filter(organization=org, is_from_account=False).order_by("pk").first()
    day = item.created_at.astimezone(org.tzinfo).date()
    InboxItem.objects.filter(
        organization=org, created_at__gte=dt.datetime.combine(day, dt.time.min, tzinfo=org.tzinfo)
    ).filter(created_at__lt=dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=org.tzinfo)).delete()


def _delete_a_lead_with_sales(org):
    # Its sales stay, unattributed: their days are re-summed too.
    sale = Sale.objects.filter(organization=org, lead__isnull=False, refunded=False).order_by("pk").first()
    sale.lead.delete()


def _delete_attributed_leads(org):
    ids = list(Lead.objects.filter(organization=org).exclude(attributed_platform="").values_list("pk", flat=True)[:5])
    Lead.objects.filter(organization=org, pk__in=ids).delete()


def _delete_one_sale(org):
    Sale.objects.filter(organization=org, refunded=False).order_by("pk").first().delete()


def _delete_sales(org):
    Sale.objects.filter(organization=org, refunded=False, amount__gt=100).delete()


def _first_response(org):
    item = InboxItem.objects.filter(organization=org, is_from_account=False, first_response_seconds__isnull=True)
    item = item.order_by("pk").first()
    item.first_response_seconds = 600
    item.status = "resolved"
    item.save(update_fields=["first_response_seconds", "status"])


def _followers(org):
    row = AccountMetricDaily.objects.filter(organization=org).order_by("-day").first()
    bulk_upsert(
        AccountMetricDaily,
        [{"organization_id": org.pk, "account_id": row.account_id, "day": row.day, "followers": 123_456, "reach": 5}],
        key_fields=["organization_id", "account_id", "day"],
    )


@pytest.mark.parametrize(
    "write",
    [
        _delete_one_inbox_item,
        _delete_a_days_inbox_items,
        _delete_a_lead_with_sales,
        _delete_attributed_leads,
        _delete_one_sale,
        _delete_sales,
        _first_response,
        _followers,
    ],
)
def test_rollup_kpis_equal_raw_kpis_after_each_write(org, facts, write, django_capture_on_commit_callbacks):
    rollups.rebuild(org)
    _assert_rollups_equal_raw(org)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        write(org)
    assert len([c for c in callbacks if is_refresh(c)]) == 1  # one task for the transaction
    _assert_rollups_equal_raw(org)


def test_a_delete_outside_the_rolled_up_days_is_caught_without_a_rebuild(
    org, facts, django_capture_on_commit_callbacks
):
    """A delete refreshes days (one query for them), it does not send the organization to raw rows."""
    rollups.rebuild(org)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _delete_one_sale(org)
    org.refresh_from_db()
    assert rollups.covered(org)
    (pending,) = [c for c in callbacks if is_refresh(c)]
    assert not pending.rebuild
    assert pending.kinds == {rollups.CRM}


def test_deleting_all_campaigns_queues_one_rebuild(org, facts, django_capture_on_commit_callbacks):
    rollups.rebuild(org)
    assert AdCampaign.objects.filter(organization=org).count() > 1
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        Lead.objects.filter(organization=org).order_by("pk").first().delete()  # folded into the rebuild
        AdCampaign.objects.filter(organization=org).delete()
    refreshes = [c for c in callbacks if is_refresh(c)]
    assert len(refreshes) == 1
    assert refreshes[0].rebuild
    _assert_rollups_equal_raw(org)


def test_a_rolled_back_savepoint_drops_its_refresh_and_a_later_write_queues_its_own(
    org, facts, django_capture_on_commit_callbacks
):
    rollups.rebuild(org)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        try:
            with transaction.atomic():
                _delete_one_sale(org)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        _delete_one_inbox_item(org)
    (pending,) = [c for c in callbacks if is_refresh(c)]
    assert pending.kinds == {rollups.INBOX}
    _assert_rollups_equal_raw(org)
