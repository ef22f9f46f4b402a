"""Leads → CSV import in a real browser: a file with a bad row is refused row by row, the fixed
file is previewed and confirmed, and the leads appear in the list; every step passes axe."""

import datetime as dt

import pytest

from .test_accessibility import _axe_problems

pytestmark = pytest.mark.e2e

# Dated today so the imported leads head the list (newest first) above the demo's leads.
TODAY = dt.datetime.now(dt.UTC).date().isoformat()
GOOD = (
    "external_id,created,status,value,currency,utm_source\n"
    f"E2E-1,{TODAY} 10:00,new,1500,RUB,vk\n"
    f"E2E-2,{TODAY},won,990,RUB,telegram\n"
)
BAD = GOOD + f"E2E-3,{TODAY},paid,-5,RUB,vk\n"


@pytest.fixture
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def _upload(page, text: str):
    page.locator("input[name=kind][value=leads]").check()
    page.set_input_files(
        "input[name=file]", files=[{"name": "leads.csv", "mimeType": "text/csv", "buffer": text.encode()}]
    )
    page.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
    page.wait_for_load_state()


def test_marketer_imports_leads_from_csv(login, axe):
    page = login("marketer")
    problems = []
    page.locator("nav.mainnav a[href='/o/zerno/crm/leads/']").click()
    page.wait_for_url("**/o/zerno/crm/leads/")
    problems += _axe_problems(axe, page)
    page.locator("a[href='/o/zerno/crm/import/']").click()
    page.wait_for_url("**/o/zerno/crm/import/")
    problems += _axe_problems(axe, page)

    _upload(page, BAD)
    bad_row = page.locator("tr[data-line='4']")
    assert bad_row.locator("ul.error li").count() == 2  # status and value
    assert page.locator("button[name=confirm]").count() == 0
    problems += _axe_problems(axe, page)

    _upload(page, GOOD)
    assert page.locator("[role=status]").is_visible()
    problems += _axe_problems(axe, page)
    page.locator("button[name=confirm]").click()
    page.wait_for_url("**/o/zerno/crm/leads/")
    assert page.locator("tr[data-lead='E2E-1']").is_visible()
    assert page.locator("tr[data-lead='E2E-2']").is_visible()
    assert page.locator("tr[data-lead='E2E-3']").count() == 0
    problems += _axe_problems(axe, page)
    assert problems == [], "\n".join(problems)


def test_owner_makes_a_webhook_url(login, axe):
    page = login("owner")
    page.goto("/o/zerno/settings/")
    page.locator("nav.settings-nav a[href='/o/zerno/crm/webhooks/']").click()
    page.wait_for_url("**/o/zerno/crm/webhooks/")
    problems = _axe_problems(axe, page)
    page.locator("form:has(input[name=kind][value=amocrm]) button").click()
    page.wait_for_load_state()
    url = page.locator("[data-testid=webhook-url-amocrm]").inner_text()
    assert "/hooks/crm/amocrm/" in url
    problems += _axe_problems(axe, page)
    page.reload()
    assert page.locator("[data-testid=webhook-url-amocrm]").count() == 0  # shown once
    assert problems == [], "\n".join(problems)
