"""CRM webhooks: recorded amoCRM and Bitrix24 payloads mapped onto the lead upsert; wrong secret 404."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client

from crm.models import CrmWebhook, Lead
from crm.services import crm_webhook_regenerate
from crm.webhooks import amocrm_items, parse_form
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "crm"
FORM = "application/x-www-form-urlencoded"


def body(name: str) -> str:
    return (FIXTURES / name).read_text().strip()


@pytest.fixture
def hook_url(owner_access):
    def make(kind):
        return f"/hooks/crm/{kind}/{crm_webhook_regenerate(access=owner_access, kind=kind)}/"

    return make


@pytest.fixture
def anonymous():
    return Client(enforce_csrf_checks=True)


def test_parse_form_nests_bracket_keys():
    form = parse_form([("leads[add][0][id]", "1"), ("leads[add][0][custom_fields][0][name]", "utm_source"), ("x", "y")])
    assert form == {"leads": {"add": {"0": {"id": "1", "custom_fields": {"0": {"name": "utm_source"}}}}}, "x": "y"}


def test_amocrm_deal_added_then_won(anonymous, hook_url, org):
    url = hook_url("amocrm")
    response = anonymous.post(url, body("amocrm.leads_add.txt"), content_type=FORM)
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 2
    first = Lead.objects.for_organization(org).get(external_id="31926520")
    assert first.status == "new"
    assert first.value == Decimal("12500")
    assert (first.utm_source, first.utm_campaign, first.utm_content) == ("vk", "spring-office", "p-7KQ2")
    assert first.created == dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC)
    assert Lead.objects.for_organization(org).get(external_id="31926521").value is None  # price 0: no value

    # The same call again (amoCRM retries on a timeout) changes nothing.
    assert anonymous.post(url, body("amocrm.leads_add.txt"), content_type=FORM).json()["unchanged"] == 2

    response = anonymous.post(url, body("amocrm.leads_status.txt"), content_type=FORM)
    assert response.json()["updated"] == 2
    first.refresh_from_db()
    assert (first.status, first.value, first.utm_source) == ("won", Decimal("13900"), "vk")
    assert first.created == dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC)  # not touched by a status event
    assert Lead.objects.for_organization(org).get(external_id="31926521").status == "qualified"
    assert [c.to_status for c in first.status_changes.all()] == ["new", "won"]
    assert CrmWebhook.objects.for_organization(org).get(kind="amocrm").last_received_at is not None


def test_amocrm_delete_and_empty_calls_change_nothing(anonymous, hook_url, org):
    url = hook_url("amocrm")
    assert anonymous.post(url, body("amocrm.leads_delete.txt"), content_type=FORM).json()["items"] == []
    assert anonymous.post(url, "", content_type=FORM).json()["items"] == []
    assert not Lead.objects.for_organization(org).exists()


def test_amocrm_lost_status():
    items = amocrm_items(parse_form([("leads[status][0][id]", "7"), ("leads[status][0][status_id]", "143")]))
    assert items == [{"external_id": "7", "status": "lost"}]


def test_bitrix24_deal_and_lead_events(anonymous, hook_url, org):
    url = hook_url("bitrix24")
    assert anonymous.post(url, body("bitrix24.deal_add.txt"), content_type=FORM).json()["created"] == 1
    deal = Lead.objects.for_organization(org).get(external_id="deal-1287")
    assert deal.status == "new"
    assert deal.created == dt.datetime.fromtimestamp(1772359260, tz=dt.UTC)
    assert anonymous.post(url, body("bitrix24.deal_update.txt"), content_type=FORM).json()["unchanged"] == 1
    assert anonymous.post(url, body("bitrix24.lead_add.txt"), content_type=FORM).json()["created"] == 1
    assert Lead.objects.for_organization(org).filter(external_id="lead-905").exists()


def test_wrong_or_old_secret_or_kind_is_404(anonymous, hook_url, owner_access, org):
    url = hook_url("amocrm")
    payload = body("amocrm.leads_add.txt")
    assert anonymous.post("/hooks/crm/amocrm/not-the-secret/", payload, content_type=FORM).status_code == 404
    assert anonymous.post(url.replace("amocrm", "bitrix24", 1), payload, content_type=FORM).status_code == 404
    assert anonymous.post(url.replace("amocrm", "salesforce", 1), payload, content_type=FORM).status_code == 404
    crm_webhook_regenerate(access=owner_access, kind="amocrm")  # the old URL stops working
    assert anonymous.post(url, payload, content_type=FORM).status_code == 404
    assert anonymous.get(url).status_code in (404, 405)
    assert not Lead.objects.for_organization(org).exists()


def test_each_secret_writes_only_into_its_own_organization(anonymous, hook_url, org, make_member):
    from tests.conftest import access_of

    other = OrganizationFactory(slug="elsewhere")
    other_owner = make_member(other, "owner").user
    other_url = (
        f"/hooks/crm/amocrm/{crm_webhook_regenerate(access=access_of(other, other_owner, 'owner'), kind='amocrm')}/"
    )
    anonymous.post(other_url, body("amocrm.leads_add.txt"), content_type=FORM)
    assert Lead.objects.for_organization(other).count() == 2
    assert not Lead.objects.for_organization(org).exists()


def test_an_invalid_mapped_value_is_400_and_nothing_is_written(anonymous, hook_url, org):
    payload = "leads[add][0][id]=1&leads[add][0][price]=lots&leads[add][1][id]=2"
    response = anonymous.post(hook_url("amocrm"), payload, content_type=FORM)
    assert response.status_code == 400
    assert "items.0.value" in response.json()["error"]["fields"]
    assert not Lead.objects.for_organization(org).exists()


def test_only_the_secret_hash_is_stored(owner_access, org):
    secret = crm_webhook_regenerate(access=owner_access, kind="bitrix24")
    stored = CrmWebhook.objects.for_organization(org).get()
    assert secret not in stored.secret_hash
    assert len(stored.secret_hash) == 64


def test_the_settings_page_shows_a_new_url_once(owner_web, org, marketer):
    page = f"/o/{org.slug}/crm/webhooks/"
    assert owner_web.get(page).status_code == 200
    response = owner_web.post(page, {"kind": "amocrm"}, follow=True)
    assert b"/hooks/crm/amocrm/" in response.content
    assert b"/hooks/crm/amocrm/" not in owner_web.get(page).content
    owner_web.force_login(marketer, backend="django.contrib.auth.backends.ModelBackend")
    assert owner_web.get(page).status_code == 403
    assert owner_web.post(page, {"kind": "bitrix24"}).status_code == 403


def test_a_webhook_call_starts_no_session(anonymous, hook_url):
    response = anonymous.post(hook_url("amocrm"), body("bitrix24.deal_add.txt"), content_type=FORM)
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert "csrftoken" not in response.cookies
