"""Property-based fuzzing of every API operation from the OpenAPI schema (schemathesis).

Whatever a client sends, the API must answer without a server error, and every 4xx must use the
one documented error format. Runs in-process over WSGI against the test database.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from smm_platform.wsgi import application
from tenancy.roles import Role

from ..conftest import access_of
from ..factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.fuzz


# Loaded at collection: the schema view needs no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Werkzeug's WSGI requests fire Django's request signals, which close the DB connection — and
    with it the test transaction. Django's own test client detaches the same handler."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_token(db, make_token):
    org = OrganizationFactory(slug="fuzz", name="Fuzz")
    owner = MembershipFactory(organization=org, role=Role.OWNER).user
    return make_token(access_of(org, owner, Role.OWNER), scopes=["read", "write"]).secret


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_fails_with_a_server_error(case, fuzz_token):
    if "org_slug" in (case.path_parameters or {}):
        case.path_parameters["org_slug"] = "fuzz"
    response = case.call(headers={"Authorization": f"Bearer {fuzz_token}"})
    assert response.status_code < 500, f"{case.method} {case.formatted_path} → {response.status_code}"
    if 400 <= response.status_code < 500 and response.headers.get("Content-Type", "").startswith("application/json"):
        error = response.json()["error"]
        assert set(error) >= {"code", "message", "fields"}
