"""The content calendar in a real browser: a marketer opens it, switches month, week and list,
filters, and moves a post — by dragging it to another day (htmx) and with the plain form; every
view passes axe."""

import datetime as dt

import pytest

from content.models import Post
from content.plan_models import PlannedSlot

from .test_accessibility import _axe_problems

pytestmark = pytest.mark.e2e


@pytest.fixture
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def test_marketer_plans_on_the_calendar(login, axe):
    page = login("marketer")
    problems = []
    page.goto("/o/zerno/content/")
    page.locator("a[data-calendar-link]").click()
    page.wait_for_url("**/o/zerno/content/calendar/")
    assert page.locator("table.plan-grid.plan-month").is_visible()
    problems += _axe_problems(axe, page)

    post = Post.objects.filter(organization__slug="zerno", status="scheduled").order_by("scheduled_at").first()
    org = post.organization
    local = post.scheduled_at.astimezone(org.tzinfo)
    page.goto(f"/o/zerno/content/calendar/?view=month&date={local.date().isoformat()}")
    page.locator("a[data-view=week]").click()
    assert page.locator("table.plan-grid.plan-week").is_visible()
    problems += _axe_problems(axe, page)
    page.locator("a[data-view=list]").click()
    assert page.locator("table.plan-list").is_visible()
    problems += _axe_problems(axe, page)

    # Filters: only lead-generation posts remain.
    page.select_option("select[name=objective]", "lead_generation")
    page.locator("form.plan-filters button[type=submit]").click()
    page.wait_for_load_state()
    objectives = set(
        Post.objects.filter(
            pk__in=[
                int(v)
                for v in page.locator("tr[data-post-row]").evaluate_all("rows => rows.map(r => r.dataset.postRow)")
            ]
        ).values_list("objective", flat=True)
    )
    assert objectives <= {"lead_generation"}

    # Drag and drop in the month view: the post moves to the next day, same time.
    target_day = local.date() + dt.timedelta(days=1)
    # The week view shows both days unless the post is on a Sunday; then the month view does.
    view = "week" if local.weekday() < 6 else "month"
    page.goto(f"/o/zerno/content/calendar/?view={view}&date={local.date().isoformat()}")
    with page.expect_navigation():
        page.locator(f"article[data-post='{post.pk}']").drag_to(
            page.locator(f"td[data-drop-day='{target_day.isoformat()}']")
        )
    post.refresh_from_db()
    assert post.scheduled_at.astimezone(org.tzinfo) == local + dt.timedelta(days=1)
    problems += _axe_problems(axe, page)

    # Without JavaScript's drag: the «Move» form of a draft in the list view.
    draft_slot = PlannedSlot.objects.filter(organization=org).select_related("post").order_by("planned_at").first()
    when = draft_slot.planned_at.astimezone(org.tzinfo)
    page.goto(f"/o/zerno/content/calendar/?view=list&date={when.date().isoformat()}")
    row = page.locator(f"tr[data-post-row='{draft_slot.post_id}']")
    row.locator("summary").click()
    new_time = (when + dt.timedelta(days=2)).replace(hour=17, minute=45)
    row.locator("input[name=planned_at]").fill(new_time.strftime("%Y-%m-%dT%H:%M"))
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    draft_slot.refresh_from_db()
    assert draft_slot.planned_at.astimezone(org.tzinfo) == new_time
    assert problems == [], "\n".join(problems)
