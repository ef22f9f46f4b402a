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


@pytest.fixture
def demo(transactional_db, settings):
    """The full demo organization (all apps' demo data); password is the seed_demo default."""
    from tenancy.management.commands.seed_demo import DEMO_PASSWORD, DEMO_SLUG

    settings.DEBUG = True  # seed_demo refuses the public demo password with DEBUG off
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False
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
