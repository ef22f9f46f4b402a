"""No value lost or hidden: skipped items, repeated natural keys and absent metrics, end to end.

Real connectors read recorded platform answers (mutated the way the issue describes) through an
httpx mock transport; the sync stores them and the SyncRun records what was skipped or merged.
"""

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
import pytest

from ads.models import AdStatDaily
from integrations.bulk import DuplicateKey, DuplicateKeys, bulk_upsert
from integrations.connectors.meta_ads import MetaAdsConnector
from integrations.connectors.vk import VKConnector
from integrations.models import SyncKind, SyncRun, SyncStatus
from integrations.sync import account_sync
from moderation.models import InboxItem
from tests.ads.factories import AdCampaignFactory
from tests.integrations.connectors.conftest import resolve_fixtures_dir
from tests.integrations.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 13, 12, 0, tzinfo=UTC)
AD_ACCOUNT = "1029384756102938"
LEADS = "120210987654321001"


def fixture(name: str):
    return json.loads((resolve_fixtures_dir() / name).read_text(encoding="utf-8"))


def client(route):
    """An httpx client answering ``route(request) -> JSON body`` (status 200)."""
    return httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(200, json=route(request))))


# --------------------------------------------------------------------------- one odd item


def vk_with_deleted_comment():
    wall = fixture("vk/wall.get.json")
    post = next(p for p in wall["response"]["items"] if p["id"] == 1851)
    page = fixture("vk/wall.getComments.json")
    deleted = next(c for c in page["response"]["items"] if c["id"] == 1855)
    del deleted["from_id"]
    deleted.update(deleted=True, text="")
    page2 = fixture("vk/wall.getComments.page2.json")

    def route(request: httpx.Request):
        form = dict(httpx.QueryParams(request.content.decode()))
        if request.url.path.endswith("/wall.get"):
            return {"response": {"count": 1, "items": [post]}}
        return page if form.get("offset") == "0" else page2

    return VKConnector(
        "vk1.a.TEST-token", "218450731", http_client=client(route), clock=lambda: NOW, comments_page_size=5
    )


def test_a_deleted_vk_comment_no_longer_fails_the_comments_step(org):
    """Before: KeyError 'from_id' → the step failed, no comment of the page was stored."""
    account = SocialAccountFactory(organization=org, platform="vk", external_id="218450731")

    outcome = account_sync(
        account_id=account.pk, plan="full", kinds=[SyncKind.COMMENTS], connector=vk_with_deleted_comment()
    )

    run = SyncRun.objects.filter(organization=org).get(pk=outcome.runs[0])
    assert run.status == SyncStatus.SUCCESS
    stored = set(InboxItem.objects.filter(organization=org).values_list("external_id", flat=True))
    assert stored == {"1853", "1854", "1856", "1857", "1860", "1858", "1859", "1861", "1862"}
    assert (run.rows_fetched, run.rows_skipped) == (9, 1)
    assert run.details == {
        "skipped": [{"kind": "comment", "item_id": "1855", "reason": "deleted by its author"}],
        "skipped_total": 1,
    }


# --------------------------------------------------------------------------- repeated keys


def meta_with_repeated_campaign_day():
    """The recorded page 1 plus a zero copy of LEADS on 2026-06-10 after the real row."""
    body = fixture("meta_ads/act.insights.json")
    body.pop("paging", None)
    real = next(r for r in body["data"] if r["campaign_id"] == LEADS and r["date_start"] == "2026-06-10")
    zero = {key: real[key] for key in ("campaign_id", "campaign_name", "date_start", "date_stop")}
    zero.update(spend="0", impressions="0", clicks="0")
    body["data"].append(zero)
    connector = MetaAdsConnector(
        "EAAG-TEST-token", AD_ACCOUNT, currency="USD", http_client=client(lambda _: body), clock=lambda: NOW
    )
    return connector, body["data"]


def test_a_zero_copy_of_a_campaign_day_does_not_overwrite_the_real_row(org):
    """Before: the last row won — spend 24.87 / 143 clicks / 7 leads became 0 / 0 / 0 and the run
    said "success, 4 fetched / 3 written" with no trace of the lost values."""
    account = SocialAccountFactory(organization=org, platform="meta_ads", external_id=AD_ACCOUNT)
    connector, raw = meta_with_repeated_campaign_day()

    outcome = account_sync(account_id=account.pk, plan="full", days=4, kinds=[SyncKind.AD_STATS], connector=connector)

    stat = AdStatDaily.objects.filter(organization=org).get(campaign__external_id=LEADS, day=date(2026, 6, 10))
    assert (stat.spend, stat.clicks, stat.impressions, stat.leads) == (Decimal("24.87"), 143, 9512, 7)
    assert AdStatDaily.objects.filter(organization=org).count() == len(raw) - 1
    run = SyncRun.objects.filter(organization=org).get(pk=outcome.runs[0])
    assert run.status == SyncStatus.SUCCESS
    assert run.rows_fetched == len(raw)
    (duplicate,) = run.details["duplicates"]
    assert duplicate["table"] == "ad_stats"
    assert duplicate["action"] == "kept_most_complete"
    assert duplicate["rows"] == 2
    assert duplicate["kept"]["spend"] == "24.87"
    assert [(d["spend"], d["clicks"], d["leads"]) for d in duplicate["discarded"]] == [("0", 0, 0)]
    assert run.details["duplicates_total"] == 1


def campaign(org):
    account = SocialAccountFactory(organization=org, platform="meta_ads", external_id=AD_ACCOUNT)
    return AdCampaignFactory(organization=org, account=account, external_id=LEADS, name="Leads")


def stat_row(c, **values):
    row = {
        "organization_id": c.organization_id,
        "account_id": c.account_id,
        "campaign_id": c.pk,
        "day": date(2026, 6, 10),
        "spend": Decimal("24.87"),
        "impressions": 9512,
        "clicks": 143,
        "leads": 7,
        "conversions": None,
        "revenue": None,
    }
    row.update(values)
    return row


KEY = ["organization_id", "campaign_id", "day"]


def stored(org):
    return list(AdStatDaily.objects.filter(organization=org).values_list("spend", "impressions", "clicks", "leads"))


def test_most_complete_keeps_the_real_row_whatever_the_order(org):
    c = campaign(org)
    zero = stat_row(c, spend=Decimal(0), impressions=0, clicks=0, leads=0)

    result = bulk_upsert(AdStatDaily, [zero, stat_row(c)], key_fields=KEY, on_duplicate="most_complete")

    assert stored(org) == [(Decimal("24.87"), 9512, 143, 7)]
    assert (result.rows, result.written) == (1, 1)
    (duplicate,) = result.duplicates
    assert duplicate.action == "kept_most_complete"
    assert duplicate.discarded == (zero,)


def test_last_policy_keeps_the_last_row_and_reports_the_other(org):
    c = campaign(org)
    first, last = stat_row(c), stat_row(c, spend=Decimal("30.00"))

    result = bulk_upsert(AdStatDaily, [first, last], key_fields=KEY, on_duplicate="last")

    assert stored(org) == [(Decimal("30.00"), 9512, 143, 7)]
    assert result.duplicates == (DuplicateKey(tuple(first[k] for k in KEY), 2, "kept_last", last, (first,)),)


def test_identical_repeats_collapse_and_are_reported_as_identical(org):
    c = campaign(org)

    result = bulk_upsert(AdStatDaily, [stat_row(c), stat_row(c)], key_fields=KEY, on_duplicate="most_complete")

    assert stored(org) == [(Decimal("24.87"), 9512, 143, 7)]
    assert [(d.action, d.rows, d.discarded) for d in result.duplicates] == [("identical", 2, ())]


def test_reject_refuses_the_whole_batch_and_writes_nothing(org):
    c = campaign(org)
    other_day = stat_row(c, day=date(2026, 6, 11))

    with pytest.raises(DuplicateKeys) as excinfo:
        bulk_upsert(
            AdStatDaily,
            [stat_row(c), stat_row(c, spend=Decimal(0)), other_day],
            key_fields=KEY,
            on_duplicate="reject",
        )

    assert stored(org) == []
    (duplicate,) = excinfo.value.duplicates
    assert duplicate.action == "rejected"
    assert len(duplicate.discarded) == 2


def test_unknown_duplicate_policy_is_refused(org):
    c = campaign(org)
    with pytest.raises(ValueError, match="on_duplicate"):
        bulk_upsert(AdStatDaily, [stat_row(c)], key_fields=KEY, on_duplicate="sum")
    assert stored(org) == []


# --------------------------------------------------------------------------- absent is not zero


def test_meta_campaigns_without_purchases_store_null_revenue_and_conversions(org):
    """Before: 0 revenue / 0 conversions for campaigns that do not track purchases."""
    account = SocialAccountFactory(organization=org, platform="meta_ads", external_id=AD_ACCOUNT)
    body = fixture("meta_ads/act.insights.json")
    body.pop("paging", None)
    connector = MetaAdsConnector(
        "EAAG-TEST-token", AD_ACCOUNT, currency="USD", http_client=client(lambda _: body), clock=lambda: NOW
    )

    account_sync(account_id=account.pk, plan="full", days=4, kinds=[SyncKind.AD_STATS], connector=connector)

    rows = {r.campaign.external_id: r for r in AdStatDaily.objects.filter(organization=org).select_related("campaign")}
    for raw in body["data"]:
        stat = rows[raw["campaign_id"]]
        values = {a["action_type"]: a["value"] for a in raw.get("action_values", [])}
        expected_revenue = Decimal(values["purchase"]) if "purchase" in values else None
        assert stat.revenue == expected_revenue
        assert (stat.conversions is None) is ("purchase" not in values)
