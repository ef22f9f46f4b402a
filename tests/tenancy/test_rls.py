# ruff: noqa: S608 - the SQL names tables from the models, never from input
"""Row-level security, the second fence (tenancy/rls.py, docs/decisions/0001-row-level-security.md).

The suite connects as the superuser `postgres` (which bypasses RLS), so fixtures are written
freely; each check switches the test's own transaction to the app role (`SET LOCAL ROLE`), which
neither owns the tables nor bypasses RLS, exactly like the deployed application. PostgreSQL only.
"""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import ProgrammingError, connection, transaction

from strategy.models import Experiment
from tenancy import rls
from tenancy.models import Membership
from tenancy.roles import Role

from ..strategy.factories import ExperimentFactory
from .factories import MembershipFactory, OrganizationFactory, UserFactory
from .rls_support import as_app, owner_counts, scalar, tenant_models
from .seed import seed_everything

pytestmark = pytest.mark.django_db


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


@pytest.mark.django_db(transaction=True)
def test_a_session_scope_survives_a_reconnect(org):
    """A sync's connection can die mid-step (found by the fault suite): the new connection Django
    opens gets the open session scope again, and the scope still ends cleanly."""
    with rls.organization_session(org.pk):
        connection.close()  # the backend went away
        assert scalar(connection.cursor(), "SELECT current_setting('app.organization_id', true)") == str(org.pk)
    assert scalar(connection.cursor(), "SELECT coalesce(current_setting('app.organization_id', true), '')") == ""
