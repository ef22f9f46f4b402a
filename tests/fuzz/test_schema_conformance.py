"""The schema tells the truth: schemathesis, as an outside client, with every check over every
operation against a live server holding the demo organization (tests/fuzz/conformance.py).

Checks: response schema conformance, status code conformance, content-type and header conformance,
negative data rejection (schema-violating requests are refused), positive data acceptance
(schema-valid requests are not refused with a 400), ignored auth, and the stateful phase that
follows the schema's links (create → read → update → delete). Fixed seed, bounded examples.
"""

import os
import re

import httpx
import pytest
from django.core.management import call_command

from tenancy.access import Access
from tenancy.models import Membership, Organization
from tenancy.roles import Role, role_permissions
from tenancy.services import api_token_create
from tests.paths import PLATFORM_FIXTURES

from . import conformance

# `make test` (fuzz stage) runs every operation with every check (examples, fuzzing and stateful
# phases: zero failures) and the stateful run over leads, posts and goals; `make conformance`
# (marked `conformance`) is the deeper run over every operation, with the coverage phase.
pytestmark = [pytest.mark.fuzz]

MAX_EXAMPLES = int(os.environ.get("CONFORMANCE_MAX_EXAMPLES", "5"))  # per operation and phase
# `make test` (fuzz stage): every operation without the coverage phase, 2 examples — 965 cases,
# measured at 3.5 to 9 minutes on the shared 2-core machine (load 2.8–3.3).
FAST_PHASES = "examples,fuzzing,stateful"
FAST_EXAMPLES = 2
# Unique failures still open over every operation with the coverage phase (seed 20261130, 2
# examples: 229 operations, 13,454 cases, 27 minutes on a loaded 2-core machine): 41 (ST202
# schema-valid request rejected 37, ST201 schema-violating request accepted 4) measured with API
# 1.4.0's first fixes; 92 before. Later fixes were measured over the 115 operations those failures
# were in (41 → 20, coverage phase only). What remains: docs/api-changelog.md, "Known gaps". Lower this as they are
# fixed; it must never grow, and a server error always fails.
KNOWN_FAILURES = 41
# A measurement over a group of operations: `CONFORMANCE_PATH_REGEX='/abtests/' make conformance`.
FILTER = (
    ("--include-path-regex", os.environ["CONFORMANCE_PATH_REGEX"]) if os.environ.get("CONFORMANCE_PATH_REGEX") else ()
)


@pytest.fixture
def telegram(httpserver, monkeypatch):
    """A local server playing Telegram for `connect-telegram`: any well-formed bot token is a bot
    that administers the channel (tests/integrations cover Telegram's refusals)."""
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", httpserver.url_for("/").rstrip("/"))
    for method in ("getChat", "getChatMemberCount"):
        body = (PLATFORM_FIXTURES / "telegram" / f"{method}.json").read_text()
        httpserver.expect_request(re.compile(rf"^/bot[^/]+/{method}$")).respond_with_data(
            body, content_type="application/json"
        )
    bot = {"ok": True, "result": {"id": 7012345678, "is_bot": True, "first_name": "Zerno", "username": "zerno_smm_bot"}}
    httpserver.expect_request(re.compile(r"^/bot[^/]+/getMe$")).respond_with_json(bot)
    return httpserver


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


def run_every_operation(base, token, tmp_path, capsys, *, phases, max_examples, label, extra=()):
    """Every operation (or those `extra` selects), every check; prints the operation count, the
    generated cases and each unique failure. Returns (report, console output)."""
    schema = httpx.get(f"{base}/api/schema/?format=json", timeout=60).json()
    headers = {"Authorization": f"Bearer {token}"}
    get_json = lambda path: httpx.get(base + path, headers=headers, timeout=60).json()  # noqa: E731
    _code, output, report = conformance.run(
        schema_url=f"{base}/api/schema/?format=json",
        token=token,
        slug="zerno",
        ids=conformance.demo_ids(schema, "zerno", get_json),
        references=conformance.referenced_ids(schema, "zerno", get_json),
        hooks=conformance.hook_data("zerno", get_json),
        workdir=tmp_path,
        max_examples=max_examples,
        phases=phases,
        extra=extra,
    )
    operations, cases = report.get("operations", {}), report.get("test_cases", {})
    with capsys.disabled():
        print(
            f"\nschemathesis ({label}; phases {phases}, {max_examples} examples, seed {conformance.SEED}): "
            f"{operations.get('tested')} operations tested of {operations.get('selected')}; "
            f"{cases.get('generated')} cases; {cases.get('unique_failures')} unique failures"
        )
        for failure in report.get("failures", []):
            print(
                f"  {failure.get('code')} {failure.get('title')}: {failure.get('count')} in {failure.get('operations')}"
            )
    assert report, output[-5000:]
    return report, output


def test_every_operation_passes_every_check(live_server, demo_token, telegram, tmp_path, capsys):
    """`make test`: every operation, every check, no failure at all — the examples, fuzzing and
    stateful phases (the coverage phase, 86 % of the deeper run's time, is `make conformance`)."""
    report, output = run_every_operation(
        live_server.url,
        demo_token,
        tmp_path,
        capsys,
        phases=FAST_PHASES,
        max_examples=FAST_EXAMPLES,
        label="every operation",
    )
    operations, cases = report.get("operations", {}), report.get("test_cases", {})
    schema = httpx.get(f"{live_server.url}/api/schema/?format=json", timeout=60).json()
    count = sum(1 for item in schema["paths"].values() for method in item if method in conformance.METHODS)
    assert operations.get("selected") == operations.get("tested") == count, operations
    assert cases.get("generated", 0) >= count, cases  # at least one case per operation
    assert "Stateful" in output, output[-5000:]
    assert not report.get("failures"), output[-20000:]


@pytest.mark.conformance
def test_schemathesis_with_every_check(live_server, demo_token, telegram, tmp_path, capsys):
    """`make conformance`: the deeper run, with the coverage phase."""
    report, output = run_every_operation(
        live_server.url,
        demo_token,
        tmp_path,
        capsys,
        phases=os.environ.get("CONFORMANCE_PHASES", conformance.PHASES),
        max_examples=MAX_EXAMPLES,
        label="every operation" if not FILTER else f"operations matching {FILTER[1]}",
        extra=FILTER,
    )
    failures = report.get("failures", [])
    assert not [f for f in failures if f.get("code") == "ST101"], output[-20000:]  # never a 5xx
    assert report.get("test_cases", {}).get("unique_failures", 0) <= KNOWN_FAILURES, output[-20000:]


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
