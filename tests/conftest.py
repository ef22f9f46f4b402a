"""Shared fixtures: organizations, members by role, access objects and API clients."""

import os

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from tenancy.access import Access
from tenancy.roles import Role, role_permissions
from tenancy.services import api_token_create

from .tenancy.factories import MembershipFactory, OrganizationFactory, UserFactory


def pytest_configure(config):
    """Two xdist workers on one Redis db would flush each other's cache: tests/xdist_redis.py gives
    each its own, and must be loaded first (`-p tests.xdist_redis`, as the Makefile does)."""
    workers = getattr(config.option, "numprocesses", None)
    if workers and os.environ.get("REDIS_URL") and not config.pluginmanager.has_plugin("tests.xdist_redis"):
        raise pytest.UsageError("pytest-xdist with Redis: run `python -m pytest -p tests.xdist_redis -n N`")


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are asserted in the source language (English), whatever the Russian catalog holds.
    Browser tests still get Russian: they send Accept-Language: ru."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _celery_eager_unless_integration(request):
    """Unit tests run tasks in-process; only `integration` tests talk to a real worker."""
    from smm_platform.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = request.node.get_closest_marker("integration") is None
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _no_report_pdf_unless_e2e(request, settings):
    """Printing a report's PDF starts Chromium (seconds): unit tests see "no PDF" (the report is
    still a page); `e2e` tests print real PDFs."""
    if request.node.get_closest_marker("e2e") is None:
        settings.REPORT_PDF_CHROMIUM = "/nonexistent/chromium"


@pytest.fixture
def org(db):
    return OrganizationFactory(name="Зерно", slug="zerno")


@pytest.fixture
def other_org(db):
    return OrganizationFactory(name="Чужая компания", slug="other")


@pytest.fixture
def make_member(db):
    def make(organization, role=Role.MARKETER, **user_kwargs):
        return MembershipFactory(organization=organization, role=role, user=UserFactory(**user_kwargs))

    return make


@pytest.fixture
def owner(org, make_member):
    return make_member(org, Role.OWNER).user


@pytest.fixture
def marketer(org, make_member):
    return make_member(org, Role.MARKETER).user


@pytest.fixture
def client_user(org, make_member):
    return make_member(org, Role.CLIENT).user


def access_of(organization, user, role) -> Access:
    return Access(organization=organization, user=user, role=role, permissions=role_permissions(role))


@pytest.fixture
def owner_access(org, owner):
    return access_of(org, owner, Role.OWNER)


@pytest.fixture
def marketer_access(org, marketer):
    return access_of(org, marketer, Role.MARKETER)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def owner_client(owner):
    client = APIClient()
    client.force_authenticate(owner)
    return client


@pytest.fixture
def make_token(db):
    def make(access: Access, scopes=("read", "write"), **kwargs):
        return api_token_create(access=access, name=kwargs.pop("name", "CRM"), scopes=list(scopes), **kwargs)

    return make


@pytest.fixture
def token_client(owner_access, make_token):
    """An API client authenticated by a read+write token of `org`."""
    created = make_token(owner_access)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {created.secret}")
    return client


@pytest.fixture
def owner_web(client, owner):
    """A browser-like Django test client signed in as the org owner."""
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    return client
