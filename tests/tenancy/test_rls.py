# ruff: noqa: S608 - the SQL names tables from the models, never from input
"""Row-level security, the second fence (tenancy/rls.py, docs/decisions/0001-row-level-security.md).

The suite connects as the superuser `postgres` (which bypasses RLS), so fixtures are written
freely; each check switches the test's own transaction to the app role (`SET LOCAL ROLE`), which
neither owns the tables nor bypasses RLS, exactly like the deployed application. PostgreSQL only.
"""

import datetime as dt
import importlib
import io
import os
import re
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import ProgrammingError, connection, transaction
from django.http import HttpResponse
from django.urls import include, path
from django.utils import timezone

from integrations.models import OAuthState, SocialAccount, SyncRun
from integrations.services import demo_account_connect
from portability.models import DeletionStatus, OrganizationDeletion, OrganizationExport
from strategy.models import Experiment
from tenancy import rls
from tenancy.models import ApiToken, Invitation, Membership, TenantModel
from tenancy.roles import Role
from tenancy.services import api_token_create, invitation_create

from ..conftest import access_of
from ..factories import MembershipFactory, OrganizationFactory, UserFactory
from ..strategy.factories import ExperimentFactory

APP_ROLE = os.environ.get("RLS_TEST_ROLE", "smm_app")
DEMO_APPS = ["integrations", "strategy", "content", "moderation", "ads", "links", "analytics"]

pytestmark = pytest.mark.django_db


def tenant_models() -> list:
    return sorted(
        (m for m in apps.get_models() if issubclass(m, TenantModel) and not m._meta.proxy),
        key=lambda m: m._meta.db_table,
    )


@pytest.fixture(scope="session")
def app_role(django_db_setup, django_db_blocker) -> str:
    if connection.vendor != "postgresql":
        pytest.skip("Row-level security exists only on PostgreSQL")
    with django_db_blocker.unblock():
        call_command("create_app_role", role=APP_ROLE, stdout=io.StringIO())
    return APP_ROLE


SCOPE_SQL = (
    "SELECT set_config('app.organization_id', %s, true), set_config('app.user_id', %s, true),"
    " set_config('app.rls_bypass', %s, true)"
)


@contextmanager
def as_app(organization=None, *, user=None, keep: bool = False):
    """This block runs as the app role with this scope. Its writes are rolled back unless `keep`."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")
        cursor.execute(SCOPE_SQL, [str(organization.pk) if organization else "", str(user.pk) if user else "", ""])
        yield cursor
        if keep:
            cursor.execute("RESET ROLE")
            cursor.execute(SCOPE_SQL, ["", "", ""])
        else:
            transaction.set_rollback(True)


def scalar(cursor, sql: str, params=()):
    cursor.execute(sql, params)
    return cursor.fetchone()[0]


def owner_counts(organization) -> dict[str, int]:
    return {m._meta.db_table: m._default_manager.filter(organization=organization).count() for m in tenant_models()}


def seed_everything(organization, users) -> None:
    """Rows in every tenant table: the demo data of each app plus the tables the demo leaves empty."""
    for app in DEMO_APPS:
        try:
            module = importlib.import_module(f"{app}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.demo":
                raise
            continue
        module.seed(organization=organization, users=users)
    access = access_of(organization, users["owner"], Role.OWNER)
    invitation_create(access=access, email=f"new@{organization.slug}.test", role=Role.ANALYST)
    api_token_create(access=access, name="CRM", scopes=["read"])
    OAuthState.objects.create(
        organization=organization, platform="vk", state=f"state-{organization.slug}", user=users["owner"]
    )
    OrganizationExport.objects.create(organization=organization, requested_by=users["owner"])
    OrganizationDeletion.objects.create(
        organization=organization, status=DeletionStatus.CANCELLED, purge_after=timezone.now()
    )


@pytest.fixture
def two_orgs(app_role, monkeypatch):
    monkeypatch.setattr("integrations.demo.DEMO_BACKFILL_DAYS", 10)  # enough fact rows, faster
    orgs = []
    for slug in ("alpha", "beta"):
        org = OrganizationFactory(slug=slug, name=slug.title())
        users = {
            role: MembershipFactory(organization=org, role=role, user=UserFactory(username=f"{role}@{slug}.test")).user
            for role in ("owner", "marketer")
        }
        seed_everything(org, users)
        orgs.append(org)
    return orgs


def test_every_tenant_table_is_fenced_for_reads_and_writes(two_orgs):
    a, b = two_orgs
    a_counts, b_counts = owner_counts(a), owner_counts(b)
    empty = sorted(t for t in a_counts if not a_counts[t] or not b_counts[t])
    assert empty == [], f"give these tenant tables demo data or a row in seed_everything(): {empty}"

    with as_app() as cursor:  # (a) no scope at all: nothing, although rows exist
        assert {t: scalar(cursor, f'SELECT count(*) FROM "{t}"') for t in a_counts} == dict.fromkeys(a_counts, 0)
        assert Experiment.objects.count() == 0

    with as_app(a) as cursor:  # (c) A's scope: all of A's rows, none of B's
        assert {t: scalar(cursor, f'SELECT count(*) FROM "{t}"') for t in a_counts} == a_counts

    samples = {}
    for table in a_counts:  # one row of A per table, read as the owner (superuser) to replay below
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT row_to_json(t)::text FROM "{table}" t WHERE organization_id = %s LIMIT 1', [a.pk])
            samples[table] = cursor.fetchone()[0]

    for table in a_counts:  # (b) B's scope: A's rows can be neither read, changed, deleted nor inserted
        with as_app(b) as cursor:
            assert scalar(cursor, f'SELECT count(*) FROM "{table}"') == b_counts[table], table
            assert scalar(cursor, f'SELECT count(*) FROM "{table}" WHERE organization_id = %s', [a.pk]) == 0
            cursor.execute(f'UPDATE "{table}" SET organization_id = organization_id WHERE organization_id = %s', [a.pk])
            assert cursor.rowcount == 0, table
            cursor.execute(f'DELETE FROM "{table}" WHERE organization_id = %s', [a.pk])
            assert cursor.rowcount == 0, table
            with pytest.raises(ProgrammingError, match="row-level security"), transaction.atomic():
                cursor.execute(
                    f'INSERT INTO "{table}" SELECT * FROM json_populate_record(NULL::"{table}", %s::json)',
                    [samples[table]],
                )
            with pytest.raises(ProgrammingError, match="row-level security"), transaction.atomic():
                cursor.execute(f'UPDATE "{table}" SET organization_id = %s WHERE organization_id = %s', [a.pk, b.pk])
    assert owner_counts(a) == a_counts
    assert owner_counts(b) == b_counts


def test_forced_rls_tables_are_exactly_the_tenant_models(app_role):
    """(d) A new tenant model whose migration lacks `rls_operations(...)` fails here."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')"
            " AND c.relrowsecurity AND c.relforcerowsecurity ORDER BY 1"
        )
        forced = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT tablename, policyname, cmd, roles::text[] FROM pg_policies ORDER BY 1, 2")
        policies = cursor.fetchall()
    models = tenant_models()
    assert len(models) >= 27
    assert len(forced) == len(models)
    assert forced == [m._meta.db_table for m in models]
    expected = [(t, rls.POLICY_NAME, "ALL", ["public"]) for t in forced]
    expected.append(("tenancy_membership", rls.MEMBERSHIP_USER_POLICY, "SELECT", ["public"]))
    assert sorted(policies) == sorted(expected)


def test_app_role_is_plain(app_role):
    """(e) Neither superuser nor BYPASSRLS, and it owns no table (owners could alter the policies)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb, rolcanlogin FROM pg_roles WHERE rolname = %s",
            [app_role],
        )
        assert cursor.fetchone() == (False, False, False, False, True)
        owned = scalar(cursor, "SELECT count(*) FROM pg_tables WHERE tableowner = %s", [app_role])
        assert owned == 0
    with as_app() as cursor:
        assert scalar(cursor, "SELECT current_user") == app_role
        with pytest.raises(ProgrammingError, match="must be owner"), transaction.atomic():
            cursor.execute("ALTER TABLE content_post DISABLE ROW LEVEL SECURITY")


def test_create_app_role_is_idempotent_and_refuses_the_app_role_itself(app_role):
    out = io.StringIO()
    call_command("create_app_role", role=app_role, stdout=out)
    assert f"Role {app_role} ready" in out.getvalue()
    with as_app(), pytest.raises(CommandError, match="owner"):
        call_command("create_app_role", role=app_role, stdout=io.StringIO())


def test_membership_rows_of_the_user_are_readable_without_an_organization(app_role):
    user = UserFactory()
    mine = [MembershipFactory(user=user).pk, MembershipFactory(user=user).pk]
    elsewhere = MembershipFactory()  # someone else's, in another organization
    with as_app(user=user):
        assert sorted(Membership.objects.values_list("pk", flat=True)) == sorted(mine)
        # Read-only: joining another organization needs that organization's scope.
        with pytest.raises(ProgrammingError, match="row-level security"), transaction.atomic():
            Membership.objects.create(organization_id=elsewhere.organization_id, user=user, role=Role.OWNER)
    assert Membership.objects.filter(user=user).count() == 2


# --------------------------------------------------------------------------- the scopes


def test_contexts_nest_and_restore(app_role, org, other_org):
    ExperimentFactory(organization=org)
    ExperimentFactory(organization=other_org)
    with as_app():
        with rls.organization_context(org):
            assert list(Experiment.objects.values_list("organization_id", flat=True)) == [org.pk]
            with rls.unscoped_context("test: crossing on purpose"):
                assert Experiment.objects.count() == 2
                with rls.organization_context(other_org.pk):
                    assert list(Experiment.objects.values_list("organization_id", flat=True)) == [other_org.pk]
                assert Experiment.objects.count() == 2
            assert list(Experiment.objects.values_list("organization_id", flat=True)) == [org.pk]
            with rls.organization_session(other_org):  # inside a transaction: SET LOCAL, then restored
                assert list(Experiment.objects.values_list("organization_id", flat=True)) == [other_org.pk]
            assert list(Experiment.objects.values_list("organization_id", flat=True)) == [org.pk]
        assert Experiment.objects.count() == 0
    with pytest.raises(ValueError):
        rls.unscoped_context(" ")


@pytest.mark.django_db(transaction=True)
def test_session_scope_spans_the_transactions_a_task_opens_and_is_reset(app_role):
    org = OrganizationFactory()
    ExperimentFactory(organization=org)
    ExperimentFactory()
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {app_role}")
    try:
        with rls.organization_session(org):
            assert Experiment.objects.count() == 1  # autocommit
            with transaction.atomic():
                assert list(Experiment.objects.values_list("organization_id", flat=True)) == [org.pk]
        assert Experiment.objects.count() == 0  # reset for the next task on this connection
        with rls.unscoped_session("test: a fan-out"):
            assert Experiment.objects.count() == 2
        assert Experiment.objects.count() == 0
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


# --------------------------------------------------------------------------- requests (f)


def _leaky_view(request, org_slug):
    # Deliberately forgets the organization filter: only row-level security keeps B's rows out.
    return HttpResponse("|".join(sorted(Experiment.objects.values_list("title", flat=True))))


urlpatterns = [
    path("o/<slug:org_slug>/leaky/", _leaky_view),
    path("", include("smm_platform.urls")),
]


@pytest.fixture
def leaky_urls(settings):
    settings.ROOT_URLCONF = __name__


def test_request_sees_only_its_organization_even_if_the_view_forgets_the_filter(
    app_role, leaky_urls, client, org, other_org, owner
):
    ExperimentFactory(organization=org, title="ours")
    ExperimentFactory(organization=other_org, title="theirs")
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/o/zerno/leaky/").content == b"ours|theirs"  # as the superuser: the leak is real
    with as_app():
        assert client.get("/o/zerno/leaky/").content == b"ours"
        assert client.get("/o/other/leaky/").content == b"theirs"  # the route's org, not the user's
        assert client.get("/o/nobody/leaky/").content == b""


def test_member_pages_and_api_work_under_the_app_role(app_role, client, org, other_org, owner, make_member):
    make_member(org, Role.ANALYST, username="colleague@zerno.test")
    make_member(other_org, Role.OWNER, username="stranger@other.test")
    MembershipFactory(organization=other_org, user=owner, role=Role.CLIENT)  # the owner is also in B
    ExperimentFactory(organization=org, title="Рилсы в будни")
    ExperimentFactory(organization=other_org, title="Чужой эксперимент")
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    with as_app():
        members = client.get("/o/zerno/settings/members/")
        assert members.status_code == 200
        assert "colleague@zerno.test" in members.text
        assert "stranger@other.test" not in members.text
        experiments = client.get("/o/zerno/strategy/experiments/")
        assert experiments.status_code == 200
        assert "Рилсы в будни" in experiments.text
        assert "Чужой эксперимент" not in experiments.text
        api = client.get("/api/v1/orgs/zerno/experiments/", HTTP_ACCEPT="application/json")
        assert api.status_code == 200
        assert [e["title"] for e in api.json()["results"]] == ["Рилсы в будни"]
        me = client.get("/api/v1/me/", HTTP_ACCEPT="application/json").json()
        assert sorted(o["slug"] for o in me["organizations"]) == ["other", "zerno"]
        assert client.get("/").url == "/o/zerno/"  # the home redirect reads the user's memberships
        assert client.get("/o/elsewhere/settings/members/").status_code == 404


def test_api_token_finds_its_organization_under_the_app_role(app_role, client, org, other_org, owner_access):
    secret = api_token_create(access=owner_access, name="CRM", scopes=["read"]).secret
    ExperimentFactory(organization=org, title="ours")
    ExperimentFactory(organization=other_org, title="theirs")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}", "HTTP_ACCEPT": "application/json"}
    with as_app(keep=True):
        ours = client.get("/api/v1/orgs/zerno/experiments/", **headers)
        assert ours.status_code == 200
        assert [e["title"] for e in ours.json()["results"]] == ["ours"]
        assert client.get("/api/v1/orgs/other/experiments/", **headers).status_code == 404
        assert client.get("/api/v1/orgs/zerno/experiments/", HTTP_AUTHORIZATION="Bearer smm_x_y").status_code == 401
    assert ApiToken.objects.get().last_used_at is not None


def test_sign_up_and_invitation_accept_under_the_app_role(app_role, client, org, owner_access, mailoutbox):
    invitation = invitation_create(access=owner_access, email="new@zerno.test", role=Role.ANALYST)
    with as_app():
        started = client.post("/accounts/signup/", {"email": "new@zerno.test", "organization_name": "Новая кофейня"})
        assert started.status_code == 302, started.content[:500]
        link = re.search(r"http://[^\s]+(/accounts/signup/confirm/[^\s]+/)", mailoutbox[-1].body).group(1)
        signup = client.post(link, {"organization_name": "Новая кофейня", "password": "Long-pass-2026!"})
        assert signup.status_code == 302, signup.content[:500]
        page = client.get(f"/invitations/{invitation.token}/")
        assert page.status_code == 200
        assert "Зерно" in page.text
        accepted = client.post(f"/invitations/{invitation.token}/")
        assert accepted.status_code == 302
        assert accepted.url == "/o/zerno/"
        with rls.unscoped_context("test: check the result"):
            roles = sorted(Membership.objects.filter(user__email="new@zerno.test").values_list("role", flat=True))
    assert roles == [Role.ANALYST, Role.OWNER]


# --------------------------------------------------------------------------- tasks (g)


def test_sync_task_and_fan_outs_work_under_the_app_role(app_role, org, other_org, owner_access):
    from integrations.tasks import fan_out_due_syncs, sync_account
    from tenancy.tasks import expire_invitations

    account = demo_account_connect(organization=org, sync=False)
    other = demo_account_connect(organization=other_org, sync=False)
    SocialAccount.objects.update(next_sync_at=timezone.now() - dt.timedelta(minutes=1))
    Invitation.objects.create(
        organization=other_org,
        email="late@x.test",
        token_hash="x" * 64,
        expires_at=timezone.now() - dt.timedelta(days=1),
    )
    with as_app(keep=True):
        assert fan_out_due_syncs.apply().get() == 2  # both organizations' due accounts (unscoped)
        assert expire_invitations.apply().get() == 1
        result = sync_account.apply(args=[account.pk], kwargs={"plan": "daily"}).get()
        assert result["status"] == "done"
        assert len(result["runs"]) > 0
        assert SyncRun.objects.count() == 0  # the task's scope ended with it: back to no organization
    assert set(SyncRun.objects.values_list("organization_id", flat=True)) == {org.pk}
    assert sorted(SyncRun.objects.values_list("pk", flat=True)) == sorted(result["runs"])
    assert SyncRun.objects.exclude(status="success").count() == 0
    assert not SyncRun.objects.filter(account=other).exists()
    assert Invitation.objects.get().status == Invitation.Status.EXPIRED


def test_admin_crosses_organizations_for_staff_only(app_role, client, org, other_org):
    from tenancy.services import audit_log_record

    audit_log_record(organization=org, action="ours.thing", object_type="x")
    audit_log_record(organization=other_org, action="theirs.thing", object_type="x")
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    with as_app():
        page = client.get("/admin/tenancy/auditlog/")
        assert page.status_code == 200
        assert "ours.thing" in page.text
        assert "theirs.thing" in page.text
    staff.is_staff = False
    staff.save(update_fields=["is_staff"])
    with as_app():
        assert client.get("/admin/tenancy/auditlog/").status_code == 302  # to the admin login; no bypass


def test_oauth_connect_round_trip_under_the_app_role(app_role, owner_web, org, monkeypatch, httpserver):
    """The callback URL names no organization: the state row (found unscoped) does."""
    from urllib.parse import parse_qs, urlparse

    monkeypatch.setenv("VK_CLIENT_ID", "51234567")
    monkeypatch.setenv("VK_ID_BASE_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("SITE_URL", "https://smm.example.com")
    tokens = {"access_token": "vk2.a.access-0123456789", "refresh_token": "vk2.a.refresh-0123456789"}
    httpserver.expect_oneshot_request("/oauth2/auth", method="POST").respond_with_json(
        tokens | {"token_type": "Bearer", "expires_in": 3600, "user_id": 1234567890, "state": "x", "scope": "wall"}
    )
    with as_app(keep=True):
        start = owner_web.post(
            "/o/zerno/integrations/connect/vk/", {"vk-platform": "vk", "vk-external_id": "218450731"}
        )
        assert start.status_code == 302
        state = parse_qs(urlparse(start["Location"]).query)["state"][0]
        callback = owner_web.get(
            "/integrations/oauth/vk/callback/", {"code": "c", "state": state, "device_id": "d", "type": "code_v2"}
        )
        assert callback.status_code == 302
        assert callback.url == "/o/zerno/integrations/"
    account = SocialAccount.objects.get(platform="vk", external_id="218450731")
    assert account.organization_id == org.pk
    assert account.credentials["access_token"] == tokens["access_token"]
    assert OAuthState.objects.get(state=state).used_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_session_scope_survives_a_reconnect(org):
    """A sync's connection can die mid-step (found by the fault suite): the new connection Django
    opens gets the open session scope again, and the scope still ends cleanly."""
    with rls.organization_session(org.pk):
        connection.close()  # the backend went away
        assert scalar(connection.cursor(), "SELECT current_setting('app.organization_id', true)") == str(org.pk)
    assert scalar(connection.cursor(), "SELECT coalesce(current_setting('app.organization_id', true), '')") == ""
