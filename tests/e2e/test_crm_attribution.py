"""Leads list in a real browser: a marketer sees which demo post or campaign each lead came from
(and which came from nowhere known); the owner sees the attribution model choice; both pass axe."""

import pytest

from .test_accessibility import _axe_problems

pytestmark = pytest.mark.e2e


@pytest.fixture
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def test_marketer_sees_attributed_posts_and_campaigns_of_demo_leads(login, axe):
    page = login("marketer")
    page.locator("nav.mainnav a[href='/o/zerno/crm/leads/']").click()
    page.wait_for_url("**/o/zerno/crm/leads/")
    assert page.locator("td[data-attribution='post']").count() > 0
    assert page.locator("td[data-attribution='campaign']").count() > 0
    assert page.locator("select[name=attribution_model]").count() == 0  # owners and admins choose it
    problems = _axe_problems(axe, page)
    # The list is newest first over 60 days; the unattributed leads are among all of them.
    page.goto("/o/zerno/crm/leads/?page=2")
    seen_none = page.locator("td[data-attribution='none']").count()
    page.goto("/o/zerno/crm/leads/?page=3")
    seen_none += page.locator("td[data-attribution='none']").count()
    page.goto("/o/zerno/crm/leads/")
    seen_none += page.locator("td[data-attribution='none']").count()
    assert seen_none > 0
    assert problems == [], "\n".join(problems)


def test_owner_switches_to_first_touch(login, axe):
    page = login("owner")
    page.goto("/o/zerno/crm/leads/")
    problems = _axe_problems(axe, page)
    page.select_option("select[name=attribution_model]", "first_touch")
    page.locator("select[name=attribution_model] ~ button[type=submit]").click()
    page.wait_for_url("**/o/zerno/crm/leads/")
    assert page.locator("select[name=attribution_model]").input_value() == "first_touch"
    problems += _axe_problems(axe, page)
    assert problems == [], "\n".join(problems)
