"""The schema tells the truth: schemathesis, as an outside client, with every check over every
operation against a live server holding the demo organization (tests/fuzz/conformance.py).

Checks: response schema conformance, status code conformance, content-type and header conformance,
negative data rejection (schema-violating requests are refused), positive data acceptance
(schema-valid requests are not refused with a 400), ignored auth, and the stateful phase that
follows the schema's links (create → read → update → delete). Fixed seed, bounded examples.
"""

import os

import httpx
import pytest
from django.core.management import call_command

from tenancy.access import Access
from tenancy.models import Membership, Organization
from tenancy.roles import Role, role_permissions
from tenancy.services import api_token_create

from . import conformance

pytestmark = [pytest.mark.fuzz, pytest.mark.conformance]  # `make conformance`, outside `make test`

MAX_EXAMPLES = int(os.environ.get("CONFORMANCE_MAX_EXAMPLES", "5"))  # per operation and phase
# Unique failures still open (seed 20261130, 5 examples: 172 operations, ~7,600 cases; 85 against a
# development server, 87 against the live test server — the stateful phase depends on the rows). Was 246 with
# 10 examples before the schema was corrected. What remains (docs/api-changelog.md): filters taking an
# id accept 0 in the schema, business rules OpenAPI cannot state (unique names, end after start,
# references to rows of the organization), `cursor` together with `page`, form-encoded empty values,
# CompetitorSnapshot.competitor nullability. Lower this as they are fixed; it must never grow, and a
# server error always fails.
KNOWN_FAILURES = 90


@pytest.fixture
def demo_token(transactional_db, settings):
    settings.DEBUG = True  # seed_demo refuses the public demo password with DEBUG off
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False
    # Thousands of requests a minute from one token: the answers are under test, not the limit.
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": "100000/min", "organization": "100000/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    org = Organization.objects.get(slug="zerno")
    owner = Membership.objects.for_organization(org).get(role=Role.OWNER).user
    access = Access(organization=org, user=owner, role=Role.OWNER, permissions=role_permissions(Role.OWNER))
    return api_token_create(access=access, name="Conformance", scopes=["read", "write"]).secret


def test_schemathesis_with_every_check(live_server, demo_token, tmp_path, capsys):
    base = live_server.url
    schema = httpx.get(f"{base}/api/schema/?format=json", timeout=60).json()
    headers = {"Authorization": f"Bearer {demo_token}"}
    get_json = lambda path: httpx.get(base + path, headers=headers, timeout=60).json()  # noqa: E731
    ids = conformance.demo_ids(schema, "zerno", get_json)
    references = conformance.referenced_ids(schema, "zerno", get_json)
    hooks = conformance.hook_data("zerno", get_json)

    _code, output, report = conformance.run(
        schema_url=f"{base}/api/schema/?format=json",
        token=demo_token,
        slug="zerno",
        ids=ids,
        references=references,
        hooks=hooks,
        workdir=tmp_path,
        max_examples=MAX_EXAMPLES,
    )

    operations = report.get("operations", {})
    cases = report.get("test_cases", {})
    failures = report.get("failures", [])
    with capsys.disabled():
        print(f"\nschemathesis: {operations} operations; test cases {cases}; failures {len(failures)}")
        for failure in failures:
            print(
                f"  {failure.get('code')} {failure.get('title')}: {failure.get('count')} in {failure.get('operations')}"
            )
    assert report, output[-5000:]
    assert not [f for f in failures if f.get("code") == "ST101"], output[-20000:]  # never a 5xx
    unique = cases.get("unique_failures", 0)
    assert unique <= KNOWN_FAILURES, output[-20000:]
