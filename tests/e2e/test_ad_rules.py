"""Ads in a real browser: the ads page, a campaign's detail, and a marketer who previews a shipped
rule (nothing changes) and enables it; every step passes axe."""

import pytest

from adrules.models import OptimizationRule, RuleEvaluation
from tenancy.models import Organization

from .test_accessibility import _axe_problems

pytestmark = pytest.mark.e2e


@pytest.fixture
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def test_marketer_previews_a_rule_and_enables_it(login, axe):
    org = Organization.objects.get(slug="zerno")
    rule = OptimizationRule.objects.for_organization(org).get(template="scale_good_romi")
    assert not rule.enabled
    evaluations = RuleEvaluation.objects.for_organization(org).count()

    page = login("marketer")
    problems = []
    page.locator("nav.mainnav a[href='/o/zerno/ads/']").click()
    page.wait_for_url("**/o/zerno/ads/")
    assert page.locator("tr[data-campaign]").count() > 0
    problems += _axe_problems(axe, page)

    page.locator("tr[data-campaign] td a[href*='/ads/campaigns/']").first.click()
    page.wait_for_url("**/ads/campaigns/**")
    assert page.locator("tr[data-kpi='cpl']").is_visible()
    problems += _axe_problems(axe, page)

    page.goto("/o/zerno/ads/rules/")
    assert page.locator("[data-evaluation]").count() > 0  # the demo's rules fired
    problems += _axe_problems(axe, page)
    page.locator(f"tr[data-rule='{rule.pk}'] a").click()
    page.wait_for_url(f"**/ads/rules/{rule.pk}/")
    problems += _axe_problems(axe, page)

    page.locator("button[name=preview]").click()
    page.wait_for_load_state()
    assert page.locator("#preview").is_visible()
    assert page.locator("tr[data-preview]").count() > 0
    problems += _axe_problems(axe, page)
    rule.refresh_from_db()
    assert not rule.enabled  # the preview saved nothing
    assert RuleEvaluation.objects.for_organization(org).count() == evaluations

    page.locator("input[name=enabled]").check()
    page.locator("button[name=save]").click()
    page.wait_for_url(f"**/ads/rules/{rule.pk}/")
    page.wait_for_load_state()
    rule.refresh_from_db()
    assert rule.enabled
    problems += _axe_problems(axe, page)
    assert problems == [], "\n".join(problems)
