"""Export of an organization's data: exactly its rows, exact numbers, no secrets, expiring links."""

import base64
import csv
import io
import json
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.utils import timezone
from rest_framework.test import APIClient

from ads.models import AdStatDaily
from analytics.models import AccountMetricDaily, PostMetricDaily
from integrations.models import SocialAccount
from moderation.models import InboxItem
from portability.exports import export_build, exports_expire, write_export_zip
from portability.models import ExportStatus, OrganizationExport
from portability.tables import exported_fields, exported_models, tenant_models
from tenancy.models import ApiToken, AuditLog, Invitation, TenantModel
from tenancy.roles import Role
from tenancy.services import api_token_create, invitation_create
from tests.conftest import access_of
from tests.integrations.factories import OAuthStateFactory
from tests.portability.factories import OrganizationExportFactory
from tests.reports.factories import ReportFactory

pytestmark = pytest.mark.django_db


def _zip(org) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    write_export_zip(org, buffer)
    return zipfile.ZipFile(io.BytesIO(buffer.getvalue()))


def _jsonl(archive, label) -> list[dict]:
    return [json.loads(line) for line in archive.read(f"tables/{label}.jsonl").decode().splitlines()]


def _csv(archive, name) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read(f"csv/{name}").decode())))


def test_every_tenant_model_is_exported_except_oauth_state():
    labels = {m._meta.label for m in apps.get_models() if issubclass(m, TenantModel)}
    assert {m._meta.label for m in tenant_models()} == labels
    assert {m._meta.label for m in exported_models()} == labels - {"integrations.OAuthState"}
    assert "portability.OrganizationExport" in labels


def test_secret_columns_are_not_exported():
    def names(model):
        return {f.name for f in exported_fields(model)}

    assert "credentials_ciphertext" not in names(SocialAccount)
    assert "token_hash" not in names(ApiToken)
    assert "token_hash" not in names(Invitation)
    assert {"display_name", "external_id", "options"} <= names(SocialAccount)
    assert {"prefix", "scopes", "name"} <= names(ApiToken)


def test_export_holds_exactly_the_rows_of_the_organization(demo_pair):
    org, other = demo_pair["a"], demo_pair["b"]
    archive = _zip(org)
    assert archive.testzip() is None
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["organization"] == {"id": org.pk, "slug": "zerno", "name": "Зерно"}
    assert _jsonl(archive, "tenancy.Organization") == [
        {
            "id": org.pk,
            "name": "Зерно",
            "slug": "zerno",
            "timezone": org.timezone,
            "currency": org.currency,
            "language": org.language,
            "created_at": org.created_at.isoformat(),
        }
    ]
    non_empty = 0
    for model in exported_models():
        label = model._meta.label
        rows = _jsonl(archive, label)
        db_ids = list(model._default_manager.for_organization(org).order_by("pk").values_list("pk", flat=True))
        assert [row["id"] for row in rows] == db_ids, label
        assert manifest["row_counts"][label] == len(db_ids), label
        assert {row["organization_id"] for row in rows} <= {org.pk}, label
        non_empty += bool(db_ids)
        # B has rows of the same kinds, none of which leaked in.
        other_ids = set(model._default_manager.for_organization(other).values_list("pk", flat=True))
        assert not other_ids & {row["id"] for row in rows}, label
    assert non_empty >= 20
    members = demo_pair["a_users"].values()
    assert _jsonl(archive, "auth.User") == [
        {"id": u.pk, "email": u.email, "first_name": u.first_name, "last_name": u.last_name}
        for u in sorted(members, key=lambda u: u.pk)
    ]
    assert manifest["row_counts"]["auth.User"] == 5
    assert "tables/integrations.OAuthState.jsonl" not in archive.namelist()


def test_jsonl_values_equal_the_database(demo_pair):
    org = demo_pair["a"]
    archive = _zip(org)
    (account_row,) = _jsonl(archive, "integrations.SocialAccount")
    account = SocialAccount.objects.for_organization(org).get()
    assert account_row["display_name"] == account.display_name
    assert account_row["options"] == account.options
    assert account_row["created_at"] == account.created_at.isoformat()  # microseconds kept
    stat = AdStatDaily.objects.for_organization(org).order_by("pk").first()
    row = next(r for r in _jsonl(archive, "ads.AdStatDaily") if r["id"] == stat.pk)
    assert Decimal(row["spend"]) == stat.spend
    assert row["clicks"] == stat.clicks
    assert row["day"] == stat.day.isoformat()


def _as_int(text):
    return None if text == "" else int(text)


def _as_decimal(text):
    return None if text == "" else Decimal(text)


def test_fact_csvs_hold_the_database_numbers(demo_pair):
    org = demo_pair["a"]
    archive = _zip(org)

    ads = _csv(archive, "ad_stats_daily.csv")
    db_ads = {s.pk: s for s in AdStatDaily.objects.for_organization(org).select_related("campaign", "account")}
    assert len(ads) == len(db_ads) > 0
    for row in ads:
        stat = db_ads[int(row["id"])]
        assert row["day"] == stat.day.isoformat()
        assert _as_decimal(row["spend"]) == stat.spend
        assert _as_int(row["impressions"]) == stat.impressions
        assert _as_int(row["clicks"]) == stat.clicks
        assert _as_int(row["leads"]) == stat.leads
        assert _as_int(row["conversions"]) == stat.conversions
        assert _as_decimal(row["revenue"]) == stat.revenue
        assert row["campaign_name"] == stat.campaign.name
        assert row["account_platform"] == stat.account.platform
    assert sum(_as_decimal(r["spend"]) for r in ads) == sum(s.spend for s in db_ads.values())

    metrics = _csv(archive, "account_metrics_daily.csv")
    db_metrics = {m.pk: m for m in AccountMetricDaily.objects.for_organization(org)}
    assert len(metrics) == len(db_metrics) > 0
    for row in metrics:
        metric = db_metrics[int(row["id"])]
        for name in ("followers", "reach", "views", "engaged", "interactions", "likes", "link_clicks"):
            assert _as_int(row[name]) == getattr(metric, name), name

    posts = _csv(archive, "post_metrics_daily.csv")
    db_posts = {m.pk: m for m in PostMetricDaily.objects.for_organization(org).select_related("post")}
    assert len(posts) == len(db_posts) > 0
    for row in posts:
        metric = db_posts[int(row["id"])]
        assert row["post_external_id"] == metric.post.external_id
        for name in ("reach", "views", "likes", "comments", "shares", "link_clicks"):
            assert _as_int(row[name]) == getattr(metric, name), name

    inbox = _csv(archive, "inbox_items.csv")
    db_inbox = {i.pk: i for i in InboxItem.objects.for_organization(org)}
    assert len(inbox) == len(db_inbox) > 0
    assert {int(r["id"]) for r in inbox} == set(db_inbox)
    first = inbox[0]
    assert first["text"] == db_inbox[int(first["id"])].text


def test_no_secret_reaches_the_file(org, owner, make_member):
    access = access_of(org, owner, Role.OWNER)
    account = SocialAccount(organization=org, platform="vk", external_id="1", display_name="VK")
    account.set_credentials({"access_token": "vk1.a.SECRET-ACCESS-TOKEN", "refresh_token": "REFRESH-SECRET"})
    account.save()
    token = api_token_create(access=access, name="CRM", scopes=["read"])
    invitation = invitation_create(access=access, email="new@example.com", role=Role.MARKETER)
    OAuthStateFactory(organization=org, state="STATE-SECRET-123", code_verifier="VERIFIER-SECRET", user=owner)
    buffer = io.BytesIO()
    write_export_zip(org, buffer)
    archive = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    everything = b"".join(archive.read(name) for name in archive.namelist())
    token_row = ApiToken.objects.for_organization(org).get()
    invitation_row = Invitation.objects.for_organization(org).get()
    for secret in (
        account.credentials_ciphertext,
        "SECRET-ACCESS-TOKEN",
        "REFRESH-SECRET",
        token.secret,
        token_row.token_hash,
        invitation.token,
        invitation_row.token_hash,
        "STATE-SECRET-123",
        "VERIFIER-SECRET",
        owner.password,
    ):
        assert secret.encode() not in everything, secret
    assert b"credentials_ciphertext" not in everything
    assert b"token_hash" not in everything
    # The non-secret parts are there.
    assert token_row.prefix.encode() in everything
    assert b"new@example.com" in everything


# --- requests, the task, downloads and expiry ---------------------------------------------------------


def _request_and_build(web, org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post(f"/o/{org.slug}/settings/data/exports/")
    assert response.status_code == 302
    return OrganizationExport.objects.for_organization(org).get()


def test_owner_requests_an_export_built_by_the_task_and_downloads_it(
    owner_web, org, owner, django_capture_on_commit_callbacks
):
    export = _request_and_build(owner_web, org, django_capture_on_commit_callbacks)
    assert export.status == ExportStatus.READY
    assert export.requested_by == owner
    assert export.file.name.startswith(f"exports/{org.pk}/")
    assert default_storage.exists(export.file.name)
    assert timedelta(hours=23, minutes=59) < export.expires_at - export.finished_at <= timedelta(hours=24)
    assert export.row_counts["tenancy.Membership"] == 1

    page = owner_web.get(f"/o/{org.slug}/settings/data/")
    assert page.status_code == 200
    download_url = f"/o/{org.slug}/settings/data/exports/{export.pk}/download/"
    assert download_url in page.content.decode()

    response = owner_web.get(download_url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="zerno-export-')
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert json.loads(archive.read("manifest.json"))["row_counts"] == export.row_counts
    actions = list(AuditLog.objects.for_organization(org).order_by("id").values_list("action", flat=True))
    assert actions[-2:] == ["export.request", "export.download"]


def test_the_download_link_expires_and_the_cleanup_deletes_the_file(owner_web, org, django_capture_on_commit_callbacks):
    export = _request_and_build(owner_web, org, django_capture_on_commit_callbacks)
    name = export.file.name
    url = f"/o/{org.slug}/settings/data/exports/{export.pk}/download/"
    OrganizationExport.objects.for_organization(org).filter(pk=export.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert owner_web.get(url).status_code == 410
    assert default_storage.exists(name)  # until the periodic cleanup
    assert exports_expire() == 1
    export.refresh_from_db()
    assert (export.status, export.file.name) == (ExportStatus.EXPIRED, "")
    assert not default_storage.exists(name)
    assert owner_web.get(url).status_code == 410
    assert exports_expire() == 0


def test_a_lost_export_is_failed_by_the_cleanup(org):
    export = OrganizationExportFactory(organization=org, created_at=timezone.now() - timedelta(hours=7))
    fresh = OrganizationExportFactory(organization=org)
    assert exports_expire() == 1
    export.refresh_from_db()
    fresh.refresh_from_db()
    assert (export.status, fresh.status) == (ExportStatus.FAILED, ExportStatus.PENDING)


def test_the_task_is_idempotent(org):
    export = OrganizationExportFactory(organization=org)
    assert export_build(organization_id=org.pk, export_id=export.pk).status == ExportStatus.READY
    file_name = OrganizationExport.objects.for_organization(org).get().file.name
    assert export_build(organization_id=org.pk, export_id=export.pk) is None  # delivered twice
    assert OrganizationExport.objects.for_organization(org).get().file.name == file_name
    # Another organization's id never builds this export.
    other = OrganizationExportFactory(organization=org)
    assert export_build(organization_id=org.pk + 1000, export_id=other.pk) is None
    assert OrganizationExport.objects.for_organization(org).get(pk=other.pk).status == ExportStatus.PENDING


@pytest.mark.parametrize("role", [Role.MARKETER, Role.ANALYST, Role.CLIENT])
def test_other_roles_cannot_export(client, org, owner, make_member, role, django_capture_on_commit_callbacks):
    ready = OrganizationExportFactory(organization=org)
    export_build(organization_id=org.pk, export_id=ready.pk)
    user = make_member(org, role).user
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(f"/o/{org.slug}/settings/data/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/o/{org.slug}/settings/data/exports/").status_code == 403
    assert client.get(f"/o/{org.slug}/settings/data/exports/{ready.pk}/download/").status_code == 403
    api = APIClient()
    api.force_authenticate(user)
    assert api.get(f"/api/v1/orgs/{org.slug}/exports/").status_code == 403
    assert api.post(f"/api/v1/orgs/{org.slug}/exports/").status_code == 403
    assert api.get(f"/api/v1/orgs/{org.slug}/exports/{ready.pk}/download/").status_code == 403
    assert OrganizationExport.objects.for_organization(org).count() == 1
    assert not AuditLog.objects.for_organization(org).filter(action__startswith="export.").exists()


def test_admin_can_export_and_an_api_token_cannot(client, org, owner_access, make_member, token_client):
    admin = make_member(org, Role.ADMIN).user
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(f"/o/{org.slug}/settings/data/").status_code == 200
    assert token_client.post(f"/api/v1/orgs/{org.slug}/exports/").status_code == 403
    assert token_client.get(f"/api/v1/orgs/{org.slug}/exports/").status_code == 403
    assert not OrganizationExport.objects.for_organization(org).exists()


def test_another_organization_gets_404(client, org, other_org, make_member):
    ready = OrganizationExportFactory(organization=org)
    export_build(organization_id=org.pk, export_id=ready.pk)
    stranger = make_member(other_org, Role.OWNER).user
    client.force_login(stranger, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(f"/o/{org.slug}/settings/data/").status_code == 404
    assert client.post(f"/o/{org.slug}/settings/data/exports/").status_code == 404
    assert client.get(f"/o/{org.slug}/settings/data/exports/{ready.pk}/download/").status_code == 404
    # Its own organization's URL with this organization's export id: not found either.
    assert client.get(f"/o/{other_org.slug}/settings/data/exports/{ready.pk}/download/").status_code == 404
    api = APIClient()
    api.force_authenticate(stranger)
    assert api.get(f"/api/v1/orgs/{org.slug}/exports/").status_code == 404
    assert api.get(f"/api/v1/orgs/{other_org.slug}/exports/{ready.pk}/download/").status_code == 404
    assert api.get(f"/api/v1/orgs/{other_org.slug}/exports/").json()["results"] == []
    assert not OrganizationExport.objects.for_organization(other_org).exists()
    assert not AuditLog.objects.for_organization(org).filter(action="export.download").exists()


def test_api_requests_lists_and_downloads(owner_client, org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/api/v1/orgs/{org.slug}/exports/")
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    export_id = response.json()["id"]
    listed = owner_client.get(f"/api/v1/orgs/{org.slug}/exports/").json()["results"]
    assert [(e["id"], e["status"]) for e in listed] == [(export_id, "ready")]
    download_url = f"/api/v1/orgs/{org.slug}/exports/{export_id}/download/"
    assert listed[0]["download_url"] == download_url
    response = owner_client.get(download_url)
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "csv/ad_stats_daily.csv" in archive.namelist()
    OrganizationExport.objects.for_organization(org).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = owner_client.get(download_url)
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "expired"
    assert owner_client.get(f"/api/v1/orgs/{org.slug}/exports/").json()["results"][0]["download_url"] is None


def test_at_most_two_exports_in_flight(owner_client, org):
    assert owner_client.post(f"/api/v1/orgs/{org.slug}/exports/").status_code == 202
    assert owner_client.post(f"/api/v1/orgs/{org.slug}/exports/").status_code == 202
    response = owner_client.post(f"/api/v1/orgs/{org.slug}/exports/")
    assert response.status_code == 409
    assert OrganizationExport.objects.for_organization(org).count() == 2


def test_data_page_query_count_is_constant(owner_web, org, owner, make_member, django_assert_max_num_queries):
    for _ in range(3):
        export = OrganizationExportFactory(organization=org, requested_by=owner)
        export_build(organization_id=org.pk, export_id=export.pk)
    with django_assert_max_num_queries(12) as few:
        assert owner_web.get(f"/o/{org.slug}/settings/data/").status_code == 200
    for _ in range(10):
        OrganizationExportFactory(organization=org, requested_by=make_member(org, Role.ADMIN).user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = owner_web.get(f"/o/{org.slug}/settings/data/")
    assert page.content.decode().count("/download/") == 3


def test_binary_columns_are_exported_as_base64(org):
    """A report's stored PDF (a BinaryField reads back as memoryview) must not break the export."""
    report = ReportFactory(organization=org, pdf=b"%PDF-1.7 demo")
    archive = _zip(org)
    (row,) = [r for r in _jsonl(archive, "reports.Report") if r["id"] == report.pk]
    assert base64.b64decode(row["pdf"]["base64"]) == b"%PDF-1.7 demo"
