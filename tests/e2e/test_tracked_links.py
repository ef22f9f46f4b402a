"""Tracked links end to end in headless Chromium: a marketer adds a link to a demo post from the
content plan, edits its UTM tags, and visitors follow `/l/<code>` to the tagged address; the
headless browser's own User-Agent is a bot (not counted), a normal one is counted once per hour.
Selectors use names/ids, so the test holds in either language."""

import re

import pytest

from links.models import TrackedLink

from .test_accessibility import _axe_problems

pytestmark = pytest.mark.e2e

POST_TITLE = "Как выбрать зерно для турки"  # a demo draft on Telegram serving a goal
PERSON_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"


def _clicks(code: str) -> int:
    return TrackedLink.objects.unscoped().get(code=code).clicks


def _visit(browser, origin: str, code: str, **context_kwargs) -> str:
    context = browser.new_context(base_url=origin, **context_kwargs)
    try:
        page = context.new_page()
        page.goto(f"/l/{code}")
        return page.url
    finally:
        context.close()


def test_marketer_adds_edits_and_visitors_follow_a_tracked_link(browser, live_server, login, page, demo):
    from axe_playwright_python.sync_playwright import Axe

    axe, problems, slug, origin = Axe(), [], demo["slug"], live_server.url
    login("marketer")

    # From the content plan: the post's "add a tracked link" action preselects the post.
    page.goto(f"/o/{slug}/content/")
    row = page.locator(f"tr[data-post]:has-text('{POST_TITLE}')")
    row.locator("a[href*='/links/new/?post=']").click()
    page.wait_for_url(re.compile(r"/links/new/\?post=\d+$"))
    problems += _axe_problems(axe, page)
    assert page.locator("#id_post option:checked").inner_text() == POST_TITLE
    page.fill("#id_target_url", f"{origin}/healthz?from=e2e")
    page.locator("main form button[type=submit]").click()

    # The editor shows the default tags; the marketer adds a term.
    page.wait_for_url(re.compile(r"/links/\d+/edit/$"))
    problems += _axe_problems(axe, page)
    code = re.search(r"/l/([A-Za-z0-9]{7})$", page.inner_text("#short-url")).group(1)
    assert page.input_value("#id_utm_source") == "telegram"
    assert page.input_value("#id_utm_medium") == "social"
    assert page.input_value("#id_utm_campaign") == "vovlechennost-auditorii"
    assert page.input_value("#id_utm_content") == code
    page.fill("#id_utm_term", "e2e")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "utm_term=e2e" in page.inner_text("#tagged-url")
    problems += _axe_problems(axe, page)

    # The post shows its new link; the list shows it with no clicks yet.
    page.goto(f"/o/{slug}/content/")
    assert row.locator(f"a[href='/l/{code}']").count() == 1
    page.goto(f"/o/{slug}/links/")
    problems += _axe_problems(axe, page)
    assert page.inner_text(f"tr[data-link='{code}'] td[data-col=clicks]") == "0"

    # Visitors: the headless browser says "HeadlessChrome" (a bot: redirected, not counted); a
    # person is counted once however often they click within the hour.
    landed = _visit(browser, origin, code)
    assert landed.startswith(f"{origin}/healthz?from=e2e&utm_source=telegram&utm_medium=social")
    assert landed.endswith(f"&utm_content={code}&utm_term=e2e")
    assert _clicks(code) == 0
    for _ in range(2):
        assert _visit(browser, origin, code, user_agent=PERSON_UA) == landed
    assert _clicks(code) == 1
    page.reload()
    assert page.inner_text(f"tr[data-link='{code}'] td[data-col=clicks]") == "1"

    assert problems == [], "\n".join(problems)
