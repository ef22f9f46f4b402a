"""Fixtures shared by the row-level security tests (test_rls*.py)."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from .rls_support import APP_ROLE


@pytest.fixture(scope="session")
def app_role(django_db_setup, django_db_blocker) -> str:
    if connection.vendor != "postgresql":
        pytest.skip("Row-level security exists only on PostgreSQL")
    with django_db_blocker.unblock():
        call_command("create_app_role", role=APP_ROLE, stdout=io.StringIO())
    return APP_ROLE
