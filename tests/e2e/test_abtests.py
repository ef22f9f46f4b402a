"""A/B tests end to end in headless Chromium: a marketer plans a test with the calculator, starts
it, enters the counts and sees the verdict; the demo's inconclusive test reads as such. Every page
passes axe. Selectors use names, ids and data attributes, so the test holds in either language."""

import re

import pytest

from abtests.models import ABTest

from .test_accessibility import _axe_problems

pytestmark = pytest.mark.e2e


def test_marketer_plans_an_ab_test_and_sees_its_result(browser, live_server, login, page, demo):
    from axe_playwright_python.sync_playwright import Axe

    axe, problems, slug = Axe(), [], demo["slug"]
    login("marketer")

    page.goto(f"/o/{slug}/abtests/")
    problems += _axe_problems(axe, page)
    assert page.locator("tr[data-test]").count() == 3  # the demo: a winner, an inconclusive, a running one
    page.locator(f"main a[href='/o/{slug}/abtests/plan/']").first.click()
    page.wait_for_url(re.compile(r"/abtests/plan/$"))
    problems += _axe_problems(axe, page)

    page.fill("#id_title", "Subject line with a price")
    page.fill("#id_hypothesis", "Showing the price in the first line raises the click rate.")
    page.select_option("#id_varies", "creative")
    page.select_option("#id_metric", "ctr")
    page.fill("#id_mde_percent", "50")
    page.fill("#id_baseline_percent", "10")
    page.fill("#id_daily_traffic", "100")
    page.fill("#id_variant_1_name", "No price")
    page.fill("#id_variant_2_name", "Price")
    page.locator("button[name=action][value=calculate]").click()
    page.wait_for_selector("#calculator-result")
    problems += _axe_problems(axe, page)
    assert page.inner_text("[data-value=per-variant]").strip() == "686"  # Fleiss: 10 % → 15 %
    assert page.inner_text("[data-value=days]").strip().startswith("14")

    page.locator("button[name=action][value=save]").click()
    page.wait_for_url(re.compile(r"/abtests/\d+/$"))
    test = ABTest.objects.unscoped().get(title="Subject line with a price")
    assert test.required_per_variant == 686
    page.locator("form:has(input[name=action][value=start]) button").click()
    page.wait_for_load_state()

    # Counts far below the plan first: no winner, whatever the numbers say.
    units, conversions = page.locator("input[name$='-units']"), page.locator("input[name$='-conversions']")
    for i, (u, c) in enumerate([(300, 20), (300, 50)]):
        units.nth(i).fill(str(u))
        conversions.nth(i).fill(str(c))
    page.locator("form:has(input[name=action][value=counts]) button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#verdict progress").count() == 1
    assert ABTest.objects.unscoped().get(pk=test.pk).status == "running"
    problems += _axe_problems(axe, page)
    assert "collecting" in page.locator("[data-value=verdict]").get_attribute("data-state")

    # At the planned sample: 69/686 vs 103/686 is a winner.
    units, conversions = page.locator("input[name$='-units']"), page.locator("input[name$='-conversions']")
    for i, (u, c) in enumerate([(686, 69), (686, 103)]):
        units.nth(i).fill(str(u))
        conversions.nth(i).fill(str(c))
    page.locator("form:has(input[name=action][value=counts]) button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[data-value=verdict]").get_attribute("data-state") == "winner"
    assert page.locator("tr[data-variant] td[data-col=ci]").nth(1).inner_text().strip() != "—"
    page.select_option("#id_decision", "adopt")
    page.locator("form:has(input[name=action][value=conclude]) button[type=submit]").click()
    page.wait_for_load_state()
    problems += _axe_problems(axe, page)
    test.refresh_from_db()
    assert (test.status, test.verdict, test.winner_name, test.decision) == ("concluded", "winner", "Price", "adopt")

    inconclusive = ABTest.objects.unscoped().get(organization__slug=slug, verdict="inconclusive")
    page.goto(f"/o/{slug}/abtests/{inconclusive.pk}/")
    assert page.locator("[data-value=verdict]").get_attribute("data-state") == "inconclusive"
    problems += _axe_problems(axe, page)
    assert problems == []
