"""The inbox end to end in headless Chromium: a community manager (the demo marketer) filters the
negative comments, opens one, fills the reply from a saved reply, sends it (through the demo
platform's connector) and resolves the item. Selectors use names/ids, so it holds in either language."""

import re

import pytest

from moderation.models import InboxItem, InboxReply, ReplyStatus

from .test_accessibility import _axe_problems

pytestmark = pytest.mark.e2e

COMPLAINT = "Кофе остыл, пока несли заказ"


def test_community_manager_filters_negative_replies_with_a_saved_reply_and_resolves(
    browser, live_server, login, page, demo
):
    from axe_playwright_python.sync_playwright import Axe

    axe, problems, slug = Axe(), [], demo["slug"]
    item = (
        InboxItem.objects.unscoped()
        .filter(organization__slug=slug, is_from_account=False, kind="comment", replies__isnull=True)
        .order_by("-pk")
        .first()
    )
    InboxItem.objects.unscoped().filter(pk=item.pk).update(
        sentiment="negative", text=COMPLAINT, author_name="Ольга", status="new"
    )
    login("marketer")

    def resolved_kpi() -> int:
        page.goto(f"/o/{slug}/analytics/")
        cell = page.locator("tr[data-kpi='resolved_in_social'] td[data-col='current']").inner_text()
        digits = re.sub(r"\D", "", cell)
        return int(digits) if digits else 0

    before = resolved_kpi()
    page.goto(f"/o/{slug}/moderation/")
    page.select_option("#f-tone", "negative")
    page.locator("main form[method=get] button[type=submit]").click()
    page.wait_for_url(re.compile(r"tone=negative"))
    problems += _axe_problems(axe, page)
    row = page.locator(f"tr[data-item='{item.pk}']")
    assert COMPLAINT in row.inner_text()

    page.locator(f"tr[data-item='{item.pk}'] a[href*='/items/']").first.click()
    page.wait_for_url(re.compile(rf"/moderation/items/{item.pk}/"))
    problems += _axe_problems(axe, page)

    page.fill("#saved-q", "Уточнить")
    page.locator("form[role=search] button[type=submit]").click()
    page.locator("a[data-saved-reply]").first.click()
    page.wait_for_url(re.compile(r"use=\d+"))
    text = page.input_value("#reply-text")
    assert text.startswith("Ольга, извините")
    page.locator("#reply-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/moderation/items/{item.pk}/$"))

    reply = InboxReply.objects.unscoped().get(item=item)
    assert (reply.status, reply.text) == (ReplyStatus.SENT, text)
    assert reply.external_id
    page.locator("#resolve-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/moderation/items/{item.pk}/$"))
    item.refresh_from_db()
    assert item.status == "resolved"
    assert item.first_response_seconds is not None
    # The KPI the owner sees moved: one more request resolved in social media.
    assert resolved_kpi() == before + 1
    problems += _axe_problems(axe, page)
    assert problems == []


def test_reputation_and_keywords_pages(browser, live_server, login, page, demo):
    from axe_playwright_python.sync_playwright import Axe

    axe, problems, slug = Axe(), [], demo["slug"]
    login("owner")
    page.goto(f"/o/{slug}/moderation/reputation/")
    page.select_option("#r-days", "90")
    page.locator("main form[method=get] button[type=submit]").click()
    page.wait_for_url(re.compile(r"days=90"))
    assert page.locator("table[data-reputation] tbody tr").count() == 90
    problems += _axe_problems(axe, page)

    page.goto(f"/o/{slug}/moderation/keywords/")
    page.fill("#kw-phrase", "Зерно на Баумана")
    page.fill("#kw-exclusions", "пшеница")
    page.locator("#keyword-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/moderation/keywords/$"))
    assert "Зерно на Баумана" in page.locator("table[data-keywords]").inner_text()
    problems += _axe_problems(axe, page)
    assert problems == []
