"""Deleting an organization: typed confirmation, a read-only grace period that can be cancelled,
then a batched purge that leaves no row of it and does not touch any other organization."""

import io
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from rest_framework.test import APIClient

from analytics.models import AccountMetricDaily
from analytics.rollup_hooks import is_refresh
from core.errors import PermissionDenied
from integrations.models import SocialAccount
from portability import deletion as deletion_module
from portability.deletion import deletion_schedule, deletions_start_due, organization_purge
from portability.exports import write_export_zip
from portability.models import DeletedOrganizationRecord, DeletionStatus, OrganizationDeletion
from portability.tables import deletion_order, tenant_models
from strategy.models import TrendNote
from tenancy.models import AuditLog, Invitation, Organization
from tenancy.roles import Role
from tests.conftest import access_of
from tests.portability.factories import OrganizationExportFactory
from tests.strategy.factories import TrendNoteFactory

from .conftest import digest, tenant_rows

pytestmark = pytest.mark.django_db


def _web(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_deletion_order_puts_children_before_parents():
    order = [m._meta.label for m in deletion_order()]
    assert sorted(order) == sorted(m._meta.label for m in tenant_models())
    for model in tenant_models():
        for field in model._meta.concrete_fields:
            target = field.related_model if field.is_relation else None
            if target is not None and target is not model and target._meta.label in order:
                assert order.index(model._meta.label) < order.index(target._meta.label), (model, field.name)
    assert order.index("analytics.PostMetricDaily") < order.index("analytics.SocialPost")
    assert order.index("content.Post") < order.index("strategy.Strategy")  # PROTECT holds


# --- scheduling, confirmation and permissions ---------------------------------------------------------


def test_owner_schedules_with_the_typed_address(client, org, owner, settings):
    settings.ORGANIZATION_DELETION_GRACE_DAYS = 7
    web = _web(client, owner)
    response = web.post(f"/o/{org.slug}/settings/data/delete/", {"confirmation": "Зерно"})
    assert response.status_code == 302
    assert not OrganizationDeletion.objects.for_organization(org).exists()

    before = timezone.now()
    response = web.post(f"/o/{org.slug}/settings/data/delete/", {"confirmation": "zerno"})
    assert response.status_code == 302
    deletion = OrganizationDeletion.objects.for_organization(org).get()
    assert deletion.status == DeletionStatus.SCHEDULED
    assert deletion.requested_by == owner
    assert before + timedelta(days=7) <= deletion.purge_after <= timezone.now() + timedelta(days=7)
    entry = AuditLog.objects.for_organization(org).get(action="organization.deletion_schedule")
    assert entry.actor == owner
    page = web.get(f"/o/{org.slug}/settings/data/").content.decode()
    assert 'data-testid="deletion-pending"' in page
    # Twice is refused.
    web.post(f"/o/{org.slug}/settings/data/delete/", {"confirmation": "zerno"})
    assert OrganizationDeletion.objects.for_organization(org).count() == 1


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MARKETER, Role.ANALYST, Role.CLIENT])
def test_only_an_owner_can_delete(client, org, owner, make_member, role):
    user = make_member(org, role).user
    response = _web(client, user).post(f"/o/{org.slug}/settings/data/delete/", {"confirmation": "zerno"})
    assert response.status_code == 403
    assert not OrganizationDeletion.objects.for_organization(org).exists()
    with pytest.raises(PermissionDenied):
        deletion_schedule(access=access_of(org, user, role), confirmation="zerno")
    assert not OrganizationDeletion.objects.for_organization(org).exists()


def test_another_organization_gets_404(client, org, other_org, owner, make_member):
    deletion_schedule(access=access_of(org, owner, Role.OWNER), confirmation="zerno")
    stranger = make_member(other_org, Role.OWNER).user
    web = _web(client, stranger)
    assert web.post(f"/o/{org.slug}/settings/data/delete/", {"confirmation": "zerno"}).status_code == 404
    assert web.post(f"/o/{org.slug}/settings/data/delete/cancel/").status_code == 404
    # A write to the organization in its grace period is the usual 404, not "read-only".
    assert web.post(f"/o/{org.slug}/settings/members/").status_code == 404
    api = APIClient()
    api.force_authenticate(stranger)
    assert api.post(f"/api/v1/orgs/{org.slug}/invitations/", {"email": "x@example.com"}).status_code == 404
    deletion = OrganizationDeletion.objects.for_organization(org).get()
    assert deletion.status == DeletionStatus.SCHEDULED
    assert not OrganizationDeletion.objects.for_organization(other_org).exists()


def test_the_organization_is_read_only_during_the_grace_period_and_cancelling_restores_it(
    client, org, owner, make_member, token_client, django_capture_on_commit_callbacks
):
    marketer = make_member(org, Role.MARKETER).user
    # Real sign-ins (a session cookie, a token): the middleware sees what a browser or CRM sends.
    owner_client = APIClient()
    owner_client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    deletion_schedule(access=access_of(org, owner, Role.OWNER), confirmation="zerno")
    notes = f"/api/v1/orgs/{org.slug}/trend-notes/"
    body = {"title": "Reels", "kind": "feature", "platform": "vk", "noted_on": "2026-11-01"}

    api = APIClient()
    api.force_login(marketer, backend="django.contrib.auth.backends.ModelBackend")
    response = api.post(notes, body, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "read_only"
    assert token_client.post(notes, body, format="json").status_code == 409
    assert api.get(notes).status_code == 200  # reading goes on
    page = _web(client, marketer).post(f"/o/{org.slug}/settings/members/")
    assert page.status_code == 302
    assert page["Location"] == f"/o/{org.slug}/"  # the dashboard: a marketer cannot open the data page
    page = client.post(f"/o/{org.slug}/content/", HTTP_REFERER=f"http://testserver/o/{org.slug}/content/")
    assert (page.status_code, page["Location"]) == (302, f"http://testserver/o/{org.slug}/content/")
    page = client.post(f"/o/{org.slug}/content/", HTTP_REFERER="https://evil.example/")
    assert page["Location"] == f"/o/{org.slug}/"
    page = _web(client, owner).post(f"/o/{org.slug}/settings/")
    assert page["Location"] == f"/o/{org.slug}/settings/data/"
    assert owner_client.post(f"/api/v1/orgs/{org.slug}/invitations/", {"email": "a@b.c"}).status_code == 409
    assert not TrendNote.objects.for_organization(org).exists()
    assert not Invitation.objects.for_organization(org).exists()
    # Exporting stays possible.
    with django_capture_on_commit_callbacks(execute=True):
        assert owner_client.post(f"/api/v1/orgs/{org.slug}/exports/").status_code == 202

    owner_web = _web(client, owner)
    assert owner_web.post(f"/o/{org.slug}/settings/data/delete/cancel/").status_code == 302
    deletion = OrganizationDeletion.objects.for_organization(org).get()
    assert (deletion.status, deletion.cancelled_by) == (DeletionStatus.CANCELLED, owner)
    assert AuditLog.objects.for_organization(org).filter(action="organization.deletion_cancel").count() == 1
    assert api.post(notes, body, format="json").status_code == 201
    assert deletions_start_due(now=timezone.now() + timedelta(days=30)) == []


def test_only_due_deletions_start_and_a_lost_purge_is_queued_again(
    org, other_org, owner, make_member, django_capture_on_commit_callbacks
):
    deletion = deletion_schedule(access=access_of(org, owner, Role.OWNER), confirmation="zerno")
    other_owner = make_member(other_org, Role.OWNER).user
    deletion_schedule(access=access_of(other_org, other_owner, Role.OWNER), confirmation="other")
    OrganizationDeletion.objects.for_organization(other_org).update(
        purge_after=deletion.purge_after + timedelta(days=1)
    )
    assert deletions_start_due(now=deletion.purge_after - timedelta(seconds=1)) == []
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert deletions_start_due(now=deletion.purge_after) == [org.pk]
    assert len([c for c in callbacks if not is_refresh(c)]) == 1
    assert OrganizationDeletion.objects.for_organization(org).get().status == DeletionStatus.PURGING
    assert OrganizationDeletion.objects.for_organization(other_org).get().status == DeletionStatus.SCHEDULED
    # The purge message was lost (Redis flushed): the next fan-out queues it again.
    with django_capture_on_commit_callbacks(execute=True):
        assert deletions_start_due(now=deletion.purge_after) == [org.pk]
    assert not Organization.objects.filter(pk=org.pk).exists()
    assert deletions_start_due(now=deletion.purge_after + timedelta(days=1)) == [other_org.pk]


# --- the purge -------------------------------------------------------------------------------------------


def test_purge_deletes_every_row_of_one_organization_and_nothing_of_another(
    demo_pair, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(deletion_module, "PURGE_CHUNK_SIZE", 40)  # several chunks per large table
    org, other = demo_pair["a"], demo_pair["b"]
    owner = demo_pair["a_users"]["owner"]
    org_id = org.pk
    account = SocialAccount.objects.for_organization(org).get()
    account.set_credentials({"access_token": "SECRET"})
    account.save()
    # A ready export of A has a file that must go too.
    export = OrganizationExportFactory(organization=org, status="ready")
    buffer = io.BytesIO()
    write_export_zip(org, buffer)
    export.file.save(f"exports/{org_id}/x.zip", ContentFile(buffer.getvalue()))
    file_name = export.file.name
    assert default_storage.exists(file_name)

    deletion = deletion_schedule(access=access_of(org, owner, Role.OWNER), confirmation="zerno")
    rows_before = {label: len(rows) for label, rows in tenant_rows(org_id).items()}
    assert sum(1 for n in rows_before.values() if n) >= 20
    other_before = digest(other.pk)
    assert sum(len(r) for r in tenant_rows(other.pk).values()) > 300

    with django_capture_on_commit_callbacks(execute=True):
        assert deletions_start_due(now=deletion.purge_after + timedelta(seconds=1)) == [org_id]

    assert not Organization.objects.filter(pk=org_id).exists()
    leftovers = {label: len(rows) for label, rows in tenant_rows(org_id).items() if rows}
    assert leftovers == {}
    assert digest(other.pk) == other_before
    assert Organization.objects.filter(pk=other.pk, slug="boby").exists()
    assert not default_storage.exists(file_name)

    record = DeletedOrganizationRecord.objects.get(organization_id=org_id)
    assert (record.name, record.slug) == ("Зерно", "zerno")
    assert (record.requested_by_id, record.requested_by_label) == (owner.pk, owner.email)
    assert record.requested_at == deletion.requested_at
    assert record.deleted_at is not None
    expected = {label: n for label, n in rows_before.items() if n} | {"tenancy.Organization": 1}
    assert record.row_counts == expected


def test_purge_in_small_batches_resumes_and_counts_exactly(org, owner, make_member):
    make_member(org, Role.MARKETER)
    access = access_of(org, owner, Role.OWNER)
    for n in range(25):
        TrendNoteFactory(organization=org, title=f"note {n}", kind="niche", noted_on="2026-11-01", created_by=owner)
    deletion_schedule(access=access, confirmation="zerno")
    OrganizationDeletion.objects.for_organization(org).update(status=DeletionStatus.PURGING)
    before = {label: len(rows) for label, rows in tenant_rows(org.pk).items() if rows}
    assert before["strategy.TrendNote"] == 25

    runs = 1
    while not organization_purge(organization_id=org.pk, chunk_size=4, time_budget=timedelta(0)):
        runs += 1
        assert runs < 100
    assert runs >= 10  # 25 notes in chunks of 4 alone take 7 runs
    assert not any(tenant_rows(org.pk).values())
    record = DeletedOrganizationRecord.objects.get(organization_id=org.pk)
    assert record.row_counts == before | {"tenancy.Organization": 1}
    # Delivered again after it finished: nothing happens.
    assert organization_purge(organization_id=org.pk) is True
    again = DeletedOrganizationRecord.objects.get(organization_id=org.pk)
    assert (again.row_counts, again.deleted_at) == (record.row_counts, record.deleted_at)


def test_a_cancelled_or_unclaimed_deletion_is_never_purged(org, owner):
    deletion_schedule(access=access_of(org, owner, Role.OWNER), confirmation="zerno")
    assert organization_purge(organization_id=org.pk) is True  # scheduled, not claimed: no-op
    assert Organization.objects.filter(pk=org.pk).exists()
    assert not DeletedOrganizationRecord.objects.exists()
    assert deletion_module.pending_deletion(organization=org).status == DeletionStatus.SCHEDULED


def test_rows_written_after_the_purge_are_swept_by_the_next_fan_outs(org, owner):
    deletion_schedule(access=access_of(org, owner, Role.OWNER), confirmation="zerno")
    OrganizationDeletion.objects.for_organization(org).update(status=DeletionStatus.PURGING)
    assert organization_purge(organization_id=org.pk) is True
    record = DeletedOrganizationRecord.objects.get(organization_id=org.pk)
    # A sync that loaded its account before the purge writes a day of metrics after it (the fact
    # tables have no database foreign key, so nothing stops the insert).
    AccountMetricDaily.objects.bulk_create(
        [AccountMetricDaily(organization_id=org.pk, account_id=10**9, day="2026-11-01", reach=5)]
    )
    deletions_start_due(now=record.deleted_at + timedelta(hours=1))
    assert not AccountMetricDaily.objects.for_organization(org.pk).exists()
    swept = DeletedOrganizationRecord.objects.get(organization_id=org.pk)
    assert swept.row_counts == record.row_counts | {"analytics.AccountMetricDaily": 1}
    # Only for a day after the purge.
    AccountMetricDaily.objects.bulk_create(
        [AccountMetricDaily(organization_id=org.pk, account_id=10**9, day="2026-11-02", reach=5)]
    )
    deletions_start_due(now=record.deleted_at + timedelta(days=2))
    assert AccountMetricDaily.objects.for_organization(org.pk).count() == 1
