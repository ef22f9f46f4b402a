"""CSV import of campaign statistics: preview, per-row errors, all or nothing, tenancy."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ads import csv_import
from ads.models import AdCampaign, AdStatDaily
from core.errors import DomainError
from tests.integrations.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db

GOOD = """day;campaign;spend;impressions;clicks;reach;leads
2026-06-01;Поиск — Казань;1 250,50;10000;120;8000;4
2026-06-02;Поиск — Казань;990;9000;;7000;
"""
BAD = """day,campaign,spend,impressions,clicks
2026-06-01,A,100,1000,10
2026-13-01,A,100,1000,10
2026-06-02,,-5,1000,ten
2026-06-01,A,1,1,1
"""


def test_preview_then_import_writes_every_row(org, owner_access):
    account = SocialAccountFactory(organization=org, platform="demo")
    preview = csv_import.preview(access=owner_access, account_id=account.pk, text=GOOD)
    assert preview.ok
    assert preview.new_campaigns == ["Поиск — Казань"]
    assert not AdStatDaily.objects.filter(organization=org).exists()  # the preview writes nothing
    assert csv_import.import_rows(access=owner_access, account_id=account.pk, text=GOOD) == 2
    rows = {s.day: s for s in AdStatDaily.objects.filter(organization=org)}
    assert rows[dt.date(2026, 6, 1)].spend == Decimal("1250.50")
    assert rows[dt.date(2026, 6, 2)].clicks is None  # empty = not reported, not 0
    # Importing again updates, never duplicates.
    csv_import.import_rows(access=owner_access, account_id=account.pk, text=GOOD)
    assert AdStatDaily.objects.filter(organization=org).count() == 2
    assert AdCampaign.objects.filter(organization=org).count() == 1


def test_bad_rows_are_reported_each_and_nothing_is_written(org, owner_access):
    account = SocialAccountFactory(organization=org, platform="demo")
    preview = csv_import.preview(access=owner_access, account_id=account.pk, text=BAD)
    errors = {row.line: row.errors for row in preview.rows}
    assert errors[2] == []
    assert errors[3] == ["day: use YYYY-MM-DD."]
    assert errors[4] == [
        "spend: enter an amount that is not negative.",
        "clicks: enter a whole number that is not negative.",
        "campaign: required.",
    ]
    assert errors[5] == ["The same campaign and day as line 2."]
    with pytest.raises(DomainError) as caught:
        csv_import.import_rows(access=owner_access, account_id=account.pk, text=BAD)
    assert set(caught.value.fields) == {"line 3", "line 4", "line 5"}
    assert not AdStatDaily.objects.filter(organization=org).exists()
    assert not AdCampaign.objects.filter(organization=org).exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty."),
        ("day,name\n2026-01-01,x\n", "Columns must be"),
        ("day,campaign\n", "The file has no rows."),
    ],
)
def test_file_errors(org, owner_access, text, message):
    account = SocialAccountFactory(organization=org, platform="demo")
    with pytest.raises(DomainError) as caught:
        csv_import.preview(access=owner_access, account_id=account.pk, text=text)
    assert message in str(caught.value)


def test_api_dry_run_import_and_foreign_account(org, other_org, owner_client):
    account = SocialAccountFactory(organization=org, platform="demo")
    url = f"/api/v1/orgs/{org.slug}/ads/stats/import/"
    dry = owner_client.post(url, {"account": account.pk, "csv": BAD, "dry_run": True}, format="json").json()
    assert dry["ok"] is False
    assert dry["rows"][1]["messages"] == ["day: use YYYY-MM-DD."]
    refused = owner_client.post(url, {"account": account.pk, "csv": BAD}, format="json")
    assert refused.status_code == 400
    assert "line 3" in refused.json()["error"]["fields"]
    done = owner_client.post(url, {"account": account.pk, "csv": GOOD}, format="json")
    assert done.status_code == 201
    assert done.json()["imported"] == 2
    foreign = SocialAccountFactory(organization=other_org, platform="demo")
    assert owner_client.post(url, {"account": foreign.pk, "csv": GOOD}, format="json").status_code == 404


def test_import_page_preview_and_confirm(org, owner_web, owner):
    account = SocialAccountFactory(organization=org, platform="demo")
    upload = SimpleUploadedFile("stats.csv", BAD.encode("cp1251"), content_type="text/csv")
    html = owner_web.post(f"/o/{org.slug}/ads/import/", {"account": account.pk, "file": upload}).content.decode()
    assert "day: use YYYY-MM-DD." in html
    assert 'name="confirm"' not in html
    upload = SimpleUploadedFile("stats.csv", GOOD.encode(), content_type="text/csv")
    html = owner_web.post(f"/o/{org.slug}/ads/import/", {"account": account.pk, "file": upload}).content.decode()
    assert 'name="confirm"' in html
    response = owner_web.post(f"/o/{org.slug}/ads/import/", {"account": account.pk, "text": GOOD, "confirm": "1"})
    assert response.status_code == 302
    assert AdStatDaily.objects.filter(organization=org).count() == 2
