"""CSV import page: upload → preview with per-row errors → confirm, all or nothing."""

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from crm.models import Lead, Sale
from crm.services import upsert_leads

pytestmark = pytest.mark.django_db

LEADS = (
    "external_id,created,status,value,currency,utm_source,utm_campaign\n"
    "C-1,2026-03-01 10:00,new,1500,RUB,vk,spring\n"
    'C-2,2026-03-02,won,"2 500,50",RUB,telegram,\n'
)


def upload(client, org, text, kind="leads", encoding="utf-8"):
    file = SimpleUploadedFile("data.csv", text.encode(encoding), content_type="text/csv")
    return client.post(f"/o/{org.slug}/crm/import/", {"kind": kind, "file": file})


def confirm(client, org, response):
    html = response.content.decode()
    text = re.search(r'name="text" value="([^"]*)"', html, re.S).group(1)
    import html as html_lib

    kind = re.search(r'name="kind" value="(leads|sales)"', html).group(1)
    return client.post(
        f"/o/{org.slug}/crm/import/", {"confirm": "1", "kind": kind, "text": html_lib.unescape(text)}, follow=True
    )


def test_preview_then_confirm_imports_leads(owner_web, org):
    response = upload(owner_web, org, LEADS)
    assert response.status_code == 200
    assert "Ready: 2 new, 0 changed, 0 unchanged." in response.content.decode()
    assert not Lead.objects.for_organization(org).exists()  # the preview writes nothing

    done = confirm(owner_web, org, response)
    assert done.redirect_chain[-1][0] == f"/o/{org.slug}/crm/leads/"
    assert "2 created" in done.content.decode()
    second = Lead.objects.for_organization(org).get(external_id="C-2")
    assert (second.status, second.value, second.utm_campaign) == ("won", Decimal("2500.50"), "")
    assert "C-1" in done.content.decode()

    again = upload(owner_web, org, LEADS)
    assert "Ready: 0 new, 0 changed, 2 unchanged." in again.content.decode()


def test_bad_rows_are_shown_per_row_and_nothing_is_written(owner_web, org):
    text = LEADS + "C-3,yesterday,paid,-1,RUR,vk,\nC-4,,,,,,\n"
    response = upload(owner_web, org, text)
    page = response.content.decode()
    assert "1 row has errors" in page
    assert 'data-line="4"' in page
    for column in ("created", "status", "value", "currency"):
        assert f"{column}: " in page
    assert 'name="confirm"' not in page
    assert not Lead.objects.for_organization(org).exists()


def test_a_tampered_confirmation_writes_nothing(owner_web, org):
    response = owner_web.post(
        f"/o/{org.slug}/crm/import/", {"confirm": "1", "kind": "leads", "text": LEADS + "C-9,,paid\n"}
    )
    assert response.status_code == 400
    assert not Lead.objects.for_organization(org).exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The submitted file is empty."),
        (" \n", "The file is empty."),
        ("id,status\n1,new\n", "Unknown columns: id"),
        ("status\nnew\n", "The column external_id is required."),
        ("external_id\n", "The file has no rows."),
        ("external_id\n" + "".join(f"X{i}\n" for i in range(1001)), "At most 1000 rows"),
    ],
)
def test_file_level_errors(owner_web, org, text, message):
    assert message in upload(owner_web, org, text).content.decode()
    assert not Lead.objects.for_organization(org).exists()


def test_sales_with_semicolons_windows_1251_and_an_unknown_lead(owner_web, org):
    upsert_leads(organization=org, items=[{"external_id": "L-1"}])
    text = "external_id;amount;currency;sold_at;lead_external_id;refunded\nS-1;990,00;RUB;2026-03-05;L-1;нет\n"
    page = upload(owner_web, org, text, kind="sales", encoding="cp1251").content.decode()
    assert "refunded: " in page  # "нет" is not a boolean the API accepts either

    text = (
        "external_id;amount;currency;sold_at;lead_external_id\n"
        "S-1;990,00;RUB;2026-03-05;L-1\nS-2;5;RUB;2026-03-05;L-404\n"
    )
    page = upload(owner_web, org, text, kind="sales", encoding="cp1251").content.decode()
    assert "lead_external_id: No lead with this id" in page
    assert not Sale.objects.for_organization(org).exists()

    good = upload(owner_web, org, text.replace("L-404", ""), kind="sales")
    confirm(owner_web, org, good)
    sale = Sale.objects.for_organization(org).get(external_id="S-1")
    assert sale.amount == Decimal("990.00")
    assert sale.lead.external_id == "L-1"
    assert Sale.objects.for_organization(org).get(external_id="S-2").lead is None


def test_only_writers_may_import(client, org, make_member):
    analyst = make_member(org, "analyst").user
    client.force_login(analyst, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(f"/o/{org.slug}/crm/import/").status_code == 403
    assert upload(client, org, LEADS).status_code == 403
    assert client.get(f"/o/{org.slug}/crm/leads/").status_code == 200
    assert not Lead.objects.for_organization(org).exists()


def test_leads_page_empty_state_and_pagination(owner_web, org):
    page = owner_web.get(f"/o/{org.slug}/crm/leads/").content.decode()
    assert "No leads yet" in page
    upsert_leads(organization=org, items=[{"external_id": f"P-{i}"} for i in range(60)])
    page = owner_web.get(f"/o/{org.slug}/crm/leads/").content.decode()
    assert page.count("data-lead=") == 50
    assert "Page 1 of 2" in page
    assert owner_web.get(f"/o/{org.slug}/crm/leads/?page=2").content.decode().count("data-lead=") == 10


def test_a_file_over_1_mb_is_refused(owner_web, org):
    text = "external_id,utm_term\n" + "".join(f"X{i},{'я' * 600}\n" for i in range(900))
    assert "larger than 1 MB" in upload(owner_web, org, text).content.decode()
