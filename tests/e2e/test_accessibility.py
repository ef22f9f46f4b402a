"""Every navigation page, for each of the five demo roles: no serious or critical axe-core
violation, and no in-app link of the navigation, the settings menu or the onboarding checklist
that leads to a 403.

One browser for the run; one context (one signed-in session) per role. axe-core comes bundled
with `axe-playwright-python` (no network).
"""

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.e2e

ROLES = ["owner", "admin", "marketer", "analyst", "client"]
BLOCKING_IMPACTS = {"serious", "critical"}
# Links whose targets are checked for a 403: main navigation, settings menu, onboarding checklist.
CHECKED_LINKS = "nav.mainnav a[href], nav.settings-nav a[href], ol.steps a[href]"


def _axe_problems(axe, page) -> list[str]:
    results = axe.run(page)
    problems = []
    for violation in results.response["violations"]:
        if violation.get("impact") not in BLOCKING_IMPACTS:
            continue
        nodes = violation["nodes"]
        targets = [", ".join(map(str, node.get("target", []))) for node in nodes[:5]]
        more = f" and {len(nodes) - 5} more" if len(nodes) > 5 else ""
        summary = nodes[0].get("failureSummary", "").replace("\n", " ")[:300] if nodes else ""
        problems.append(
            f"{page.url}: {violation['id']} ({violation['impact']}) {violation['help']} — {targets}{more}; {summary}"
        )
    return problems


def _same_origin_paths(page, selector: str, origin: str) -> set[str]:
    hrefs = page.eval_on_selector_all(selector, "els => els.map(e => e.href)")
    paths = set()
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" == origin:
            paths.add(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


@pytest.fixture
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def test_every_page_is_accessible_and_links_are_allowed_for_each_role(browser, live_server, demo, axe):
    slug = demo["slug"]
    origin = live_server.url
    problems: list[str] = []
    forbidden: list[str] = []
    visited_total = 0
    for role in ROLES:
        context = browser.new_context(base_url=origin, locale="ru-RU")
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            page.goto("/accounts/login/")
            problems += _axe_problems(axe, page) if role == ROLES[0] else []
            page.fill("input[name=username]", f"{role}@zerno.demo")
            page.fill("input[name=password]", demo["password"])
            page.click("button[type=submit]")
            page.wait_for_url(f"**/o/{slug}/")

            to_visit = [f"/o/{slug}/"]
            seen: set[str] = set()
            checked: set[str] = set()
            while to_visit:
                path = to_visit.pop(0)
                if path in seen:
                    continue
                seen.add(path)
                response = page.goto(path)
                status = response.status if response else 0
                if status == 403:
                    forbidden.append(f"{role}: {path} -> 403")
                    continue
                assert status == 200, f"{role}: {path} answered {status}"
                visited_total += 1
                problems += [f"[{role}] {p}" for p in _axe_problems(axe, page)]
                links = _same_origin_paths(page, CHECKED_LINKS, origin)
                # Nav and settings pages are visited (and axe-checked); other linked pages only
                # have their status checked.
                for link in sorted(links):
                    if link.startswith(f"/o/{slug}/") and link not in seen and link not in to_visit:
                        if page.locator(f'nav.mainnav a[href="{link}"], nav.settings-nav a[href="{link}"]').count():
                            to_visit.append(link)
                        elif link not in checked:
                            checked.add(link)
                            head = context.request.get(origin + link, max_redirects=0)
                            if head.status == 403:
                                forbidden.append(f"{role}: {path} links to {link} -> 403")
            assert len(seen) >= 9, f"{role} visited only {sorted(seen)}"
            # The error pages render inside the shell and must be accessible too.
            response = page.goto(f"/o/{slug}/no-such-page/")
            assert response.status == 404, role
            problems += [f"[{role}] {p}" for p in _axe_problems(axe, page)]
            if role not in ("owner", "admin"):
                response = page.goto(f"/o/{slug}/settings/tokens/")
                assert response.status == 403, role
                problems += [f"[{role}] {p}" for p in _axe_problems(axe, page)]
        finally:
            context.close()
    print(f"axe-checked {visited_total} pages for {len(ROLES)} roles")
    report = "\n".join(["Links to 403:", *forbidden, "axe violations:", *problems])
    assert (forbidden, problems) == ([], []), report
