"""The marketer's analytics in a real browser: the posts table sorted by leads, a post's page, the
heatmap switched to leads and its CSV downloaded; every chart drawn by Plotly with no console error,
and no serious or critical axe-core violation on the analytics pages."""

import pytest

from tests.e2e.test_accessibility import _axe_problems

pytestmark = pytest.mark.e2e


@pytest.fixture
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def console_errors(page):
    found = []
    page.on("console", lambda msg: found.append(f"{page.url}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: found.append(f"{page.url}: {exc}"))
    return found


def _charts_drawn(page) -> int:
    """Waits until every chart container holds a Plotly SVG; returns how many there are."""
    expected = page.locator("[data-plotly-figure]").count()
    for index in range(expected):
        page.locator("[data-plotly-figure]").nth(index).locator("svg.main-svg").first.wait_for()
    return expected


def test_marketer_sorts_posts_by_leads_opens_one_and_exports_the_leads_heatmap(
    login, page, demo, console_errors, axe, tmp_path
):
    slug = demo["slug"]
    login("marketer")
    console_errors.clear()  # the sign-in page's missing favicon is not ours
    problems: list[str] = []

    page.goto(f"/o/{slug}/analytics/posts/")
    page.wait_for_selector("table[data-table=posts] tbody tr")
    problems += _axe_problems(axe, page)
    with page.expect_navigation():
        page.click("a[data-sort=leads]")
    assert "sort=leads" in page.url
    assert page.get_attribute("th[aria-sort] a", "data-sort") == "leads"
    assert page.get_attribute("th[aria-sort]", "aria-sort") == "descending"

    with page.expect_navigation():
        page.locator("table[data-table=posts] tbody tr th a").first.click()
    assert "/analytics/posts/" in page.url
    assert _charts_drawn(page) == 1
    page.wait_for_selector("[data-figures]")
    problems += _axe_problems(axe, page)

    page.goto(f"/o/{slug}/analytics/performs/")
    assert _charts_drawn(page) == 5
    page.select_option("#f-metric", "leads")
    with page.expect_navigation():
        page.locator("#f-metric").locator("xpath=ancestor::form").locator("button[type=submit]").click()
    assert "metric=leads" in page.url
    assert _charts_drawn(page) == 5
    problems += _axe_problems(axe, page)
    page.hover("#chart-heatmap .nsewdrag")
    page.wait_for_selector('#chart-heatmap .modebar-btn[data-attr="format"], #chart-heatmap .modebar-btn')
    with page.expect_download() as info:
        page.click("#chart-heatmap-title ~ p a[data-export=csv]")
    saved = tmp_path / "heatmap.csv"
    info.value.save_as(saved)
    assert info.value.suggested_filename.startswith("heatmap-")
    lines = saved.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) > 1
    assert len(lines[0].split(",")) >= 5

    for section in ("overview", "audience"):
        page.goto(f"/o/{slug}/analytics/{section}/?period=90")
        assert _charts_drawn(page) >= 2, section
        problems += _axe_problems(axe, page)

    assert console_errors == [], "\n".join(console_errors)
    assert problems == [], "\n".join(problems)
