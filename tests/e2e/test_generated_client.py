"""A Python client generated from the OpenAPI schema works against a live server.

What a CRM integrator does: generate a client with openapi-python-client (the version pinned in
requirements.txt) from `/api/schema/`, then, with that client only — create an API token (signed
in as the owner), post a bulk of leads, post a sale, read the KPIs and the attribution report, list
the posts. The generated code lives in a temporary directory; nothing of it is committed.

The figures read back are checked against the rows the test itself posted (a quiet month of the
demo organization, so nothing else counts).
"""

import datetime as dt
import importlib
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.e2e

PACKAGE = "smm_generated_client"
MONTH_START, MONTH_END = dt.date(2024, 2, 1), dt.date(2024, 2, 29)  # before the demo's history


@pytest.fixture
def generated(live_server, tmp_path):
    schema = httpx.get(f"{live_server.url}/api/schema/?format=json", timeout=60)
    assert schema.status_code == 200
    (tmp_path / "schema.json").write_bytes(schema.content)
    generator = Path(sys.executable).with_name("openapi-python-client")
    if not generator.exists():
        generator = Path(shutil.which("openapi-python-client") or "openapi-python-client")
    done = subprocess.run(
        [
            str(generator),
            "generate",
            "--path",
            str(tmp_path / "schema.json"),
            "--output-path",
            str(tmp_path / PACKAGE),
            "--meta",
            "none",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        yield lambda name: importlib.import_module(f"{PACKAGE}.{name}")
    finally:
        sys.path.remove(str(tmp_path))
        for module in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[module]


def owner_session(base_url: str, password: str) -> tuple[dict, str]:
    """Signs in like a browser; returns the session cookies and the CSRF token."""
    with httpx.Client(base_url=base_url, follow_redirects=False, timeout=30) as browser:
        page = browser.get("/accounts/login/")
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        signed_in = browser.post(
            "/accounts/login/",
            data={"username": "owner@zerno.demo", "password": password, "csrfmiddlewaretoken": csrf},
            headers={"Referer": f"{base_url}/accounts/login/"},
        )
        assert signed_in.status_code == 302, signed_in.text[:500]
        return dict(browser.cookies), browser.cookies["csrftoken"]


def test_a_generated_client_runs_the_crm_flow(live_server, demo, generated):
    slug = demo["slug"]
    client_module = generated("client")
    models = generated("models")
    api = {
        name: generated(f"api.orgs.{name}")
        for name in (
            "orgs_tokens_create",
            "orgs_leads_create",
            "orgs_sales_create",
            "orgs_kpis_retrieve",
            "orgs_attribution_retrieve",
            "orgs_posts_list",
        )
    }

    # 1. A token for the integration, created through the API by the signed-in owner.
    cookies, csrf = owner_session(live_server.url, demo["password"])
    session = client_module.Client(
        base_url=live_server.url, cookies=cookies, headers={"X-CSRFToken": csrf, "Referer": live_server.url}
    )
    created = api["orgs_tokens_create"].sync_detailed(
        slug, client=session, body=models.ApiTokenRequest(name="CRM connector", scopes=[models.ScopesEnum.WRITE])
    )
    assert created.status_code == 201, created.content
    crm = client_module.AuthenticatedClient(base_url=live_server.url, token=created.parsed.token)

    # 2. A bulk of leads (idempotent: the retry with the same key changes nothing).
    created_at = dt.datetime(2024, 2, 10, 12, tzinfo=dt.UTC)
    leads = models.LeadBulkRequest(
        items=[
            models.LeadInRequest(external_id=f"contract-{i}", created=created_at, utm_source="vk", utm_campaign="feb")
            for i in range(3)
        ]
    )
    for _attempt in range(2):
        upserted = api["orgs_leads_create"].sync_detailed(slug, client=crm, body=leads, idempotency_key="feb-leads")
        assert upserted.status_code in (200, 201), upserted.content
        assert isinstance(upserted.parsed, models.UpsertResult)
    assert upserted.headers["Idempotent-Replayed"] == "true"

    # 3. A sale of one of them.
    sale = models.SaleInRequest(
        external_id="contract-sale-1",
        amount="1500.00",
        currency="RUB",
        sold_at=dt.datetime(2024, 2, 12, 15, tzinfo=dt.UTC),
        lead_external_id="contract-0",
    )
    recorded = api["orgs_sales_create"].sync_detailed(slug, client=crm, body=sale)
    assert recorded.status_code in (200, 201), recorded.content

    # 4. KPIs of the month: exactly what was posted.
    kpis = api["orgs_kpis_retrieve"].sync_detailed(
        slug, client=crm, start=MONTH_START, end=MONTH_END, kpis="leads,sales,revenue"
    )
    assert kpis.status_code == 200, kpis.content
    assert isinstance(kpis.parsed, models.KpiReport)
    (total,) = kpis.parsed.rows
    values = {key: total.values[key].value for key in ("leads", "sales", "revenue")}
    assert Decimal(values["leads"]) == 3
    assert Decimal(values["sales"]) == 1
    assert Decimal(values["revenue"]) == Decimal("1500")
    assert kpis.headers["ETag"]
    assert "RateLimit-Remaining" in kpis.headers

    # 5. Attribution of the month: every lead and the sale are in some row.
    attribution = api["orgs_attribution_retrieve"].sync_detailed(slug, client=crm, start=MONTH_START, end=MONTH_END)
    assert attribution.status_code == 200, attribution.content
    assert isinstance(attribution.parsed, models.AttributionReport)
    assert sum(row.leads for row in attribution.parsed.rows) == 3
    assert sum(row.sales for row in attribution.parsed.rows) == 1

    # 6. The posts, page by page as the schema says.
    posts = api["orgs_posts_list"].sync_detailed(slug, client=crm, page_size=5)
    assert posts.status_code == 200, posts.content
    assert posts.parsed.count > 0
    assert 0 < len(posts.parsed.results) <= 5
