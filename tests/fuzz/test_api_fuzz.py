"""Property-based fuzzing of every API operation from the OpenAPI schema (schemathesis).

Whatever a client sends, the API must answer without a server error, and every 4xx must use the
one documented error format. Runs in-process over WSGI against the test database.

Besides schemathesis' own generation, the classes of input that once caused 500s are sent on
purpose: dates at the edges of the calendar (generated for every `date`/`date-time` field and sent
to every date parameter), JSON nested thousands of levels deep (to every operation with a body), and
odd unicode (superscript digits, NUL, right-to-left marks, other scripts' digits) in every query and
path parameter.
"""

from urllib.parse import quote, urlencode

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from rest_framework.views import APIView

from smm_platform.wsgi import application
from tenancy.roles import Role

from ..conftest import access_of
from ..tenancy.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.fuzz


BOUNDARY_DATES = ("0001-01-01", "0001-01-02", "9999-12-30", "9999-12-31")
BOUNDARY_DATETIMES = (
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-12:00",
)
ODD_TEXT = (
    "²",  # str.isdigit() says yes, int() says no
    "a\x00b",  # PostgreSQL refuses NUL in text
    "\u202e\u200f1",  # right-to-left override and mark
    "١٢",  # Arabic-Indic digits: int() accepts them
    "9" * 40,  # beyond any bigint
)
DEEP_JSON = "[" * 5000 + "]" * 5000

# Dates and times: the calendar's edges half of the time, ordinary values otherwise.
schemathesis.openapi.format("date", st.sampled_from(BOUNDARY_DATES) | st.dates().map(str))
schemathesis.openapi.format(
    "date-time",
    st.sampled_from(BOUNDARY_DATETIMES) | st.datetimes().map(lambda value: value.isoformat() + "Z"),
)

# Loaded at collection: the schema view needs no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
OPERATIONS = [result.ok() for result in schema.get_all_operations()]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Werkzeug's WSGI requests fire Django's request signals, which close the DB connection — and
    with it the test transaction. Django's own test client detaches the same handler."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _no_rate_limit(monkeypatch):
    """Thousands of requests a minute from one token: the answers are under test here, not the
    rate limit (which has its own tests)."""
    monkeypatch.setattr(APIView, "check_throttles", lambda self, request: None)


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


# --------------------------------------------------------------------------- the known hostile classes


def assert_clean(response, label: str) -> None:
    assert response.status_code < 500, f"{label} → {response.status_code}"
    if 400 <= response.status_code < 500 and response.get("Content-Type", "").startswith("application/json"):
        assert set(response.json()["error"]) >= {"code", "message", "fields"}, label


def send(client: APIClient, operation, *, path_values=None, query=None, body=None):
    values = {"org_slug": "fuzz"} | {p.name: "1" for p in operation.path_parameters if p.name != "org_slug"}
    values |= path_values or {}
    path = operation.path.format(**{name: quote(value, safe="") for name, value in values.items()})
    if query:
        path += "?" + urlencode(query)
    method = getattr(client, operation.method.lower())
    if body is None:
        return method(path)
    return method(path, body, content_type="application/json")


@pytest.fixture
def fuzz_client(fuzz_token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {fuzz_token}")
    return client


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: f"{op.method.upper()} {op.path}")
def test_odd_unicode_and_boundary_dates_in_parameters(operation, fuzz_client):
    for parameter in [*operation.query, *operation.path_parameters]:
        if parameter.name == "org_slug":
            continue
        fmt = parameter.definition.get("schema", {}).get("format")
        values = ODD_TEXT + {"date": BOUNDARY_DATES, "date-time": BOUNDARY_DATETIMES}.get(fmt, ())
        for value in values:
            where = {"query": {parameter.name: value}} if parameter in operation.query else {}
            where = where or {"path_values": {parameter.name: value}}
            response = send(fuzz_client, operation, **where)
            assert_clean(response, f"{operation.method.upper()} {operation.path} {parameter.name}={value!r}")


BODY_OPERATIONS = [op for op in OPERATIONS if "application/json" in op.get_request_payload_content_types()]


@pytest.mark.parametrize("operation", BODY_OPERATIONS, ids=lambda op: f"{op.method.upper()} {op.path}")
def test_deeply_nested_json_body(operation, fuzz_client):
    response = send(fuzz_client, operation, body=DEEP_JSON)

    assert_clean(response, f"{operation.method.upper()} {operation.path} with JSON nested 5,000 levels")
    # Refused before the body is read (scope, missing object, method) or parsed and refused.
    assert response.status_code in (400, 403, 404, 405)
    if response.status_code == 400:
        assert response.json()["error"]["code"] == "parse_error"
