"""Every page of the demo organization, read as its owner in Russian and English: no KPI figure is
shown bare (without its unit, its currency or its grouping). The rule is in number_rules.py."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client

from crm.services import upsert_leads, upsert_sales
from tenancy.models import Membership, Organization
from tenancy.roles import Role
from tenancy.services import audit_log_record
from tests.tenancy.route_isolation import organization_routes, path_variants

from .number_rules import Findings, check_page

pytestmark = pytest.mark.django_db

# A bad page the rule must catch, so the walk cannot pass by checking nothing.
BAD_PAGES = [
    ('<html lang="ru"><div data-kpi="reach">Охват <b>50620</b></div>', "not grouped"),
    ('<html lang="ru"><div data-kpi="reach">Охват 52\u00a0912,37</div>', "count with a fraction"),
    ('<html lang="ru"><div data-kpi="cpl">CPL 328,54</div>', "no currency"),
    ('<html lang="en"><div data-kpi="first_response_time">Now 95, target 30</div>', "no unit"),
    ('<html lang="en"><tr><td>12345</td></tr>', "ungrouped number"),
]
GOOD_PAGES = [
    '<html lang="ru"><div data-kpi="reach"><h3>Охват 2026</h3>50\u00a0620 · 475\u00a0% от цели · 01.03.2027</div>',
    '<html lang="ru"><div data-kpi="cpl">328,54\u00a0₽ → 320\u00a0₽ (+12,5\u00a0%)</div>',
    '<html lang="en"><tr data-kpi="positive_share"><th>Positive share</th><td>5.82%</td>'
    '<td data-col="formula">÷ reach * 100</td></tr><tr><td>1,500 $</td><td>Post 2026</td></tr>',
]


@pytest.mark.parametrize(("html", "problem"), BAD_PAGES)
def test_the_rule_catches_a_bare_number(html, problem):
    findings = Findings()
    check_page(html, where="bad", findings=findings)
    assert any(problem in p for p in findings.problems), findings.problems


@pytest.mark.parametrize("html", GOOD_PAGES)
def test_the_rule_accepts_formatted_figures(html):
    findings = Findings()
    check_page(html, where="good", findings=findings)
    assert findings.problems == []


@pytest.fixture
def demo(settings):
    """The demo organization with every app's data, a lead and a sale with amounts in thousands,
    and an audit entry with a code that must be shown in words."""
    settings.DEBUG = True  # seed_demo refuses the public demo password with DEBUG off
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False
    org = Organization.objects.get(slug="zerno")
    upsert_leads(
        organization=org, items=[{"external_id": "L-1", "status": "new", "value": "12500.50", "currency": "RUB"}]
    )
    sale = {"external_id": "S-1", "amount": "48000", "currency": "RUB", "sold_at": "2026-01-01T00:00:00Z"}
    upsert_sales(organization=org, items=[{**sale, "lead_external_id": "L-1"}])
    owner = Membership.objects.for_organization(org).get(role=Role.OWNER).user
    audit_log_record(organization=org, actor=owner, action="strategy.approve", object_type="strategy.strategy")
    return org, owner


def _ids_of(org):
    def ids_of(model):
        pk = model._default_manager.for_organization(org).order_by("pk").values_list("pk", flat=True).first()
        return pk if pk is not None else 0

    return ids_of


def _page_paths(org) -> list[str]:
    paths = []
    for route in organization_routes():
        if route.is_api or "get" not in route.methods:
            continue
        paths.extend(path_variants(route, org.slug, _ids_of(org)))
    return paths


def test_every_demo_page_shows_kpi_figures_with_units_and_grouping(demo):
    org, owner = demo
    findings = Findings()
    pages = 0
    for language in ("ru", "en"):
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
        for path in [*_page_paths(org), f"/o/{org.slug}/analytics/?platform=demo"]:
            response = client.get(path)
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                continue
            html = response.content.decode()
            if "<html" not in html:  # an htmx fragment: read it in the language asked for
                html = f'<html lang="{language}">{html}'
            assert f'<html lang="{language}' in html, path
            check_page(html, where=f"{language} {path}", findings=findings)
            pages += 1
    assert pages > 40
    # The walk saw figures of every kind of unit, so the rule was applied, not skipped.
    assert findings.units_seen >= {"count", "money", "percent", "minutes"}, findings.units_seen
    assert findings.problems == []


def test_demo_pages_show_words_not_codes(demo):
    org, owner = demo
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    audit = client.get(f"/o/{org.slug}/settings/audit-log/").content.decode()
    assert "Стратегия утверждена" in audit
    assert ">strategy.approve<" not in audit
    ads = client.get(f"/o/{org.slug}/ads/").content.decode()
    assert "OUTCOME_" not in ads
    analytics = client.get(f"/o/{org.slug}/analytics/").content.decode()
    assert "Изменение" in analytics
    assert "Изменить" not in analytics


def test_the_platform_filter_offers_the_demo_platform_and_it_has_data(demo):
    org, owner = demo
    client = Client()
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(f"/o/{org.slug}/analytics/?platform=demo")
    assert ("demo", "Demo platform") in response.context["platform_choices"]
    assert response.context["platform"] == "demo"
    assert response.context["has_data"]
    reach = next(r for r in response.context["rows"] if r.key == "reach")
    assert reach.current is not None
    assert reach.current > Decimal(0)
