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

# The stateful run over leads, posts and goals is in `make test` (fuzz stage); the run over every
# operation is `make conformance` (marked `conformance`), outside `make test` until it reaches zero.
pytestmark = [pytest.mark.fuzz]

MAX_EXAMPLES = int(os.environ.get("CONFORMANCE_MAX_EXAMPLES", "5"))  # per operation and phase
# Unique failures still open over every operation (seed 20261130, 2 examples: 229 operations,
# about 10,500 cases, 30–38 minutes on a loaded 2-core machine): 91 before the hooks (ST202
# schema-valid request rejected 75, ST201 schema-violating request accepted 13, ST108 response off
# schema 3); 92 with the hooks and links (74, 15, 3: the links add stateful scenarios). The fixes
# that followed (NUL and unknown-field patterns, strict text fields, nullable answers, unique names,
# periods ending after they start) were measured on the stateful run only (zero failures).
# What remains: docs/api-changelog.md. Lower this as they are fixed; it must never grow, and a
# server error always fails.
KNOWN_FAILURES = 92


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


@pytest.mark.conformance
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
        print(
            f"\nschemathesis: {operations.get('tested')} operations tested of {operations.get('selected')}; "
            f"{cases.get('generated')} cases; {cases.get('unique_failures')} unique failures"
        )
        for failure in failures:
            print(
                f"  {failure.get('code')} {failure.get('title')}: {failure.get('count')} in {failure.get('operations')}"
            )
    assert report, output[-5000:]
    assert not [f for f in failures if f.get("code") == "ST101"], output[-20000:]  # never a 5xx
    unique = cases.get("unique_failures", 0)
    assert unique <= KNOWN_FAILURES, output[-20000:]


def test_stateful_links_of_leads_posts_and_goals(live_server, demo_token, tmp_path, capsys):
    """The stateful phase alone over leads, posts and goals: it follows the schema's links from a
    create to reading, updating and deleting what was created, every check on every step."""
    base = live_server.url
    schema_url = f"{base}/api/schema/?format=json"
    schema = httpx.get(schema_url, timeout=60).json()
    headers = {"Authorization": f"Bearer {demo_token}"}
    get_json = lambda path: httpx.get(base + path, headers=headers, timeout=60).json()  # noqa: E731
    _code, output, report = conformance.run(
        schema_url=schema_url,
        token=demo_token,
        slug="zerno",
        ids=conformance.demo_ids(schema, "zerno", get_json),
        references=conformance.referenced_ids(schema, "zerno", get_json),
        hooks=conformance.hook_data("zerno", get_json),
        workdir=tmp_path,
        max_examples=MAX_EXAMPLES,
        phases="stateful",
        extra=("--include-path-regex", "/(leads|posts|goals)/(\\{id\\}/)?$"),
    )
    operations, cases = report.get("operations", {}), report.get("test_cases", {})
    with capsys.disabled():
        print(
            f"\nschemathesis (stateful: leads, posts, goals): {operations.get('tested')} operations tested of "
            f"{operations.get('selected')}; {cases.get('generated')} cases; "
            f"{cases.get('unique_failures')} unique failures"
        )
        for failure in report.get("failures", []):
            print(f"  {failure.get('code')} {failure.get('title')}: {failure.get('operations')}")
    assert report, output[-5000:]
    assert "Stateful" in output, output[-5000:]
    assert cases.get("generated", 0) > 0, output[-5000:]
    assert not report.get("failures"), output[-20000:]
