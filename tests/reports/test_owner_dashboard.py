"""The owner's line on the dashboard: this month against the same days of last month, and the
latest report's findings."""

import datetime as dt
from decimal import Decimal

import pytest

from analytics.dashboard import month_to_date_periods
from crm.models import Lead
from tests.reports.factories import ReportFactory

pytestmark = pytest.mark.django_db


def test_month_to_date_compares_the_same_days():
    assert month_to_date_periods(dt.date(2026, 3, 17)) == (
        (dt.date(2026, 3, 1), dt.date(2026, 3, 17)),
        (dt.date(2026, 2, 1), dt.date(2026, 2, 17)),
    )
    assert month_to_date_periods(dt.date(2026, 3, 31))[1] == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))


def test_the_owner_sees_this_month_against_last_and_the_latest_findings(owner_web, org, owner_client):
    (start, end), (last_start, _last_end) = month_to_date_periods(org.today())
    noon = dt.time(12)
    for n in range(3):
        Lead.objects.create(
            organization=org, external_id=f"now{n}", created=dt.datetime.combine(end, noon, tzinfo=org.tzinfo)
        )
    Lead.objects.create(
        organization=org, external_id="before", created=dt.datetime.combine(last_start, noon, tzinfo=org.tzinfo)
    )
    finding = {
        "dimension": "format",
        "segment": "carousel",
        "metric": "ctr",
        "direction": "better",
        "evidence": "Carousels got 2.1 % CTR vs 1.0 % for other formats (12 vs 40 posts)",
    }
    report = ReportFactory(
        organization=org,
        snapshot={"insights": [finding], "recommendations": [{"text": "Post more carousels.", "insights": [0]}]},
    )
    response = owner_web.get(f"/o/{org.slug}/")
    # The month lines arrive after the page (htmx), from their own fragment.
    assert f'hx-get="/o/{org.slug}/month/"' in response.content.decode()
    fragment = owner_web.get(f"/o/{org.slug}/month/", HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode()
    lines = {line.key: line for line in fragment.context["month_lines"]}
    # Without JavaScript the same address is a page of its own with the same lines.
    page = owner_web.get(f"/o/{org.slug}/month/")
    assert "<html" in page.content.decode()
    assert [line.key for line in page.context["month_lines"]] == list(lines)
    assert list(lines) == ["leads", "sales", "revenue", "cpl", "romi", "support_savings"]
    assert (lines["leads"].this_month, lines["leads"].last_month) == (Decimal(3), Decimal(1))
    assert lines["leads"].improved is True
    api = owner_client.get(f"/api/v1/orgs/{org.slug}/kpis/?kpis=leads&start={start}&end={end}").json()
    assert Decimal(api["rows"][0]["values"]["leads"]["value"]) == lines["leads"].this_month
    html = response.content.decode()
    assert finding["evidence"] in html
    assert "Post more carousels." in html
    assert f"/o/{org.slug}/reports/{report.pk}/" in html
