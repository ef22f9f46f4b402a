"""The daily metric facts (`metrics/posts/`, `metrics/accounts/`) pass schemathesis with every check
and no failure at all: their filters, cursor and page size are stated so that every schema-valid
request is answered and every schema-violating one refused (tests/fuzz/conformance.py)."""

import httpx
import pytest

from analytics.models import AccountMetricDaily, PostMetricDaily
from tenancy.models import Organization

from . import conformance
from .test_schema_conformance import demo_token  # noqa: F401  # the fixture: demo data and a token

pytestmark = [pytest.mark.fuzz, pytest.mark.conformance]

MAX_EXAMPLES = 50


def test_metric_facts_pass_every_check(live_server, demo_token, tmp_path, capsys):  # noqa: F811
    org = Organization.objects.get(slug="zerno")
    assert PostMetricDaily.objects.for_organization(org).exists()  # real rows to page through
    assert AccountMetricDaily.objects.for_organization(org).exists()
    base = live_server.url
    schema_url = f"{base}/api/schema/?format=json"
    schema = httpx.get(schema_url, timeout=60).json()
    _code, output, report = conformance.run(
        schema_url=schema_url,
        token=demo_token,
        slug="zerno",
        ids=conformance.demo_ids(schema, "zerno", lambda path: {}),
        workdir=tmp_path,
        max_examples=MAX_EXAMPLES,
        extra=("--include-path-regex", "/metrics/(posts|accounts)/$"),
    )
    cases = report.get("test_cases", {})
    failures = report.get("failures", [])
    with capsys.disabled():
        print(f"\nschemathesis (metric facts): {report.get('operations')} operations; test cases {cases}")
        for failure in failures:
            print(f"  {failure.get('code')} {failure.get('title')}: {failure.get('operations')}")
    assert report, output[-5000:]
    assert report.get("operations", {}).get("selected") == 2, report.get("operations")
    assert not failures, output[-20000:]
