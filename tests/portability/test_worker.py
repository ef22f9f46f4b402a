"""The export and the purge on a real Celery worker with committed transactions: the snapshot
transaction, server-side cursors and file storage of the export, and the foreign-key constraints
(checked at each commit) of a purge that deletes children before parents."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage

from portability.deletion import deletion_schedule
from portability.models import DeletedOrganizationRecord, DeletionStatus, ExportStatus
from portability.tasks import build_export, purge_organization
from tenancy.models import Organization
from tenancy.roles import Role
from tests.conftest import access_of
from tests.portability.factories import OrganizationExportFactory
from tests.worker import celery_worker, require_worker

from .conftest import digest, seed_organization, tenant_rows

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shared_media(settings, tmp_path, monkeypatch):
    # The worker process reads MEDIA_ROOT from its environment.
    media = str(tmp_path / "worker-media")
    monkeypatch.setenv("MEDIA_ROOT", media)
    settings.MEDIA_ROOT = media
    return media


def test_worker_builds_the_export_and_purges_one_of_two_organizations(shared_media, monkeypatch):
    require_worker()
    monkeypatch.setattr("integrations.demo.DEMO_BACKFILL_DAYS", 7)
    org, users = seed_organization(slug="zerno", name="Зерно")
    other, _ = seed_organization(slug="boby", name="Бобы")
    export = OrganizationExportFactory(organization=org, requested_by=users["owner"])
    deletion = deletion_schedule(access=access_of(org, users["owner"], Role.OWNER), confirmation="zerno")
    deletion.status = DeletionStatus.PURGING
    deletion.save(update_fields=["status"])
    rows_before = {label: len(rows) for label, rows in tenant_rows(org.pk).items() if rows}
    other_before = digest(other.pk)

    with celery_worker() as queue:
        assert build_export.apply_async((org.pk, export.pk), queue=queue).get(timeout=120) == ExportStatus.READY
        export.refresh_from_db()
        with default_storage.open(export.file.name, "rb") as file:
            archive = zipfile.ZipFile(io.BytesIO(file.read()))
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["row_counts"]["analytics.AccountMetricDaily"] == rows_before["analytics.AccountMetricDaily"]
        assert manifest["row_counts"]["moderation.InboxItem"] == rows_before["moderation.InboxItem"]

        assert purge_organization.apply_async((org.pk,), queue=queue).get(timeout=120) == "done"

    assert not Organization.objects.filter(pk=org.pk).exists()
    assert not any(tenant_rows(org.pk).values())
    assert digest(other.pk) == other_before
    assert not default_storage.exists(export.file.name)
    record = DeletedOrganizationRecord.objects.get(organization_id=org.pk)
    # The export row and its deletion request were counted before they went.
    expected = rows_before | {"tenancy.Organization": 1}
    assert record.row_counts == expected
    assert record.deleted_at - record.purge_started_at < timedelta(minutes=2)
