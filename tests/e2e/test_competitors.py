"""The competitor comparison page in headless Chromium: the demo's competitors are drawn on one
Plotly figure without console errors, the table under it carries the same names, the CSV
downloads, and axe finds no serious accessibility problem. Selectors use ids, so the test holds
in either language."""

import pytest

from .test_accessibility import _axe_problems

pytestmark = pytest.mark.e2e


def test_marketer_compares_with_competitors(page, login, demo):
    from axe_playwright_python.sync_playwright import Axe

    errors: list[str] = []

    def on_console(msg):
        # The browser's own favicon request is not the page's doing.
        if msg.type == "error" and not (msg.location or {}).get("url", "").endswith("/favicon.ico"):
            errors.append(msg.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login("marketer")

    page.goto(f"/o/{demo['slug']}/strategy/competitors/")
    page.wait_for_selector("#competitors-chart.js-plotly-plot svg.main-svg")

    bars = page.locator("#competitors-chart g.point").count()
    rows = page.locator("#competitors-table tbody tr").count()
    assert rows >= 2  # the demo's tracked competitors (and ours when connected on VK)
    assert bars == 3 * rows  # three panels, one bar per row each
    names = page.locator("#competitors-table tbody th").all_inner_texts()
    assert any("Кофе Бум" in n for n in names)

    with page.expect_download() as download:
        page.locator("a[href*='format=csv']").click()
    assert download.value.suggested_filename.startswith("competitors-vk-")

    problems = _axe_problems(Axe(), page)
    assert problems == []
    assert errors == []
