"""Browser tests: Playwright drives Debian's headless Chromium against pytest-django's live server."""

import io
import os
import shutil
import threading

import pytest
from django.core.management import call_command

# Playwright's sync API runs an event loop in this thread; Django must still allow ORM calls here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM}: apt-get install -y chromium"
        if os.environ.get("E2E_REQUIRED") or os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


SNAPSHOT_SCHEMA = "e2e_demo_snapshot"
_snapshot: dict[str, object] = {}  # the calendar days the snapshot was seeded on, its tables


def _seed_demo(settings) -> None:
    settings.DEBUG = True  # seed_demo refuses the public demo password with DEBUG off
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False


def _seed_days() -> tuple:
    """seed_demo writes figures relative to today (UTC and the demo's Moscow calendar): a snapshot
    from before either midnight is seeded again."""
    import zoneinfo

    from django.utils import timezone

    now = timezone.now()
    return now.date(), timezone.localdate(now, zoneinfo.ZoneInfo("Europe/Moscow"))


def _restore_snapshot(connection, tables: list[str]) -> None:
    """Every model table back to the seeded state: emptied, then copied from the snapshot schema
    (foreign-key triggers off while reloading; sequences only grow, so new rows get new ids)."""
    from django.db import transaction

    quoted = ", ".join(connection.ops.quote_name(t) for t in tables)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(f"TRUNCATE {quoted}")
        for table in tables:
            name = connection.ops.quote_name(table)
            # Names from Django's introspection, quoted: no outside input.
            cursor.execute(f"INSERT INTO {name} OVERRIDING SYSTEM VALUE SELECT * FROM {SNAPSHOT_SCHEMA}.{name}")  # noqa: S608


@pytest.fixture
def demo(transactional_db, settings):
    """The full demo organization (all apps' demo data); password is the seed_demo default.

    seed_demo took most of each browser test (~15 s of a ~20 s test on two cores), so on
    PostgreSQL it runs once per session (again after midnight) into a snapshot schema that each
    test reloads in about a second. Every test still starts from exactly the seeded rows, whatever
    the test before it changed (pytest-django flushes after each test, as before), and an empty
    cache (a reseeded organization used to get new ids, so nothing cached under the old ones
    applied: the same ids now must not find a previous test's cache entries or rate-limit counts)."""
    from django.core.cache import cache
    from django.db import connection

    from tenancy.management.commands.seed_demo import DEMO_PASSWORD, DEMO_SLUG

    cache.clear()
    if connection.vendor != "postgresql":
        _seed_demo(settings)
    elif _snapshot.get("days") == _seed_days():
        _restore_snapshot(connection, _snapshot["tables"])  # type: ignore[arg-type]
    else:
        days = _seed_days()
        _seed_demo(settings)
        tables = sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {SNAPSHOT_SCHEMA} CASCADE")
            cursor.execute(f"CREATE SCHEMA {SNAPSHOT_SCHEMA}")
            for table in tables:
                name = connection.ops.quote_name(table)
                cursor.execute(f"CREATE TABLE {SNAPSHOT_SCHEMA}.{name} AS TABLE {name}")
        _snapshot.update(days=days, tables=tables)
    return {"slug": DEMO_SLUG, "password": DEMO_PASSWORD}


@pytest.fixture
def login(page, demo):
    """login("owner") signs the page in as that demo user and lands on the dashboard."""

    def do(role: str = "owner"):
        page.goto("/accounts/login/")
        page.fill("input[name=username]", f"{role}@zerno.demo")
        page.fill("input[name=password]", demo["password"])
        page.click("button[type=submit]")
        page.wait_for_url(f"**/o/{demo['slug']}/")
        return page

    return do


APP_ROLE = os.environ.get("E2E_APP_ROLE", "smm_app")
server_roles: list[str] = []


@pytest.fixture(scope="session", autouse=True)
def _server_runs_as_app_role(django_db_setup, django_db_blocker):
    """On PostgreSQL the live server serves every request as the app role (no superuser, no
    BYPASSRLS, row-level security applies), as in production; the test thread stays the owner,
    so fixtures and seed_demo write freely. Each server request thread opens its own connection."""
    from django.db import connection
    from django.db.backends.signals import connection_created

    if connection.vendor != "postgresql":
        yield
        return
    with django_db_blocker.unblock():
        call_command("create_app_role", role=APP_ROLE, stdout=io.StringIO())
    test_thread = threading.current_thread()

    def become_app_role(sender, connection, **kwargs):
        if threading.current_thread() is test_thread:
            return
        with connection.cursor() as cursor:
            cursor.execute(f"SET ROLE {APP_ROLE}")
            cursor.execute("SELECT current_user, rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
            role, privileged = cursor.fetchone()
        if role != APP_ROLE or privileged:
            raise RuntimeError(f"the live server must run as the plain app role, not {role} (privileged={privileged})")
        server_roles.append(role)

    connection_created.connect(become_app_role, weak=False, dispatch_uid="e2e-app-role")
    yield
    connection_created.disconnect(dispatch_uid="e2e-app-role")
    if os.environ.get("CI"):
        assert server_roles, "the live server never connected: the app role was not exercised"
