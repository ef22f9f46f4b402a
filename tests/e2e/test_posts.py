"""A post end to end in headless Chromium: a marketer creates a lead generation post with a call
to action, sees the preview (refreshed by htmx as they type), submits it; the owner approves and
schedules it; the publisher (run here directly, on the demo connector) publishes it; after the sync
finds it, its result shows in the plan. Selectors use ids and names, so the test holds in either language."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from analytics import plan_links
from analytics.models import PostMetricDaily, SocialPost
from content import tasks
from content.models import Notification, Post, Publication
from integrations.models import Platform, SocialAccount
from strategy.launch_gate import current_strategy
from strategy.models import ContentPillar, Goal
from tenancy.models import Organization

from .test_accessibility import _axe_problems

pytestmark = pytest.mark.e2e

TITLE = "Кофе-брейк для офиса за 15 минут"
TEXT = "Привезём кофе-брейк на 10–50 человек к 9:00. Оставьте заявку по ссылке."


def _sign_in(browser, live_server, demo, role):
    context = browser.new_context(base_url=live_server.url, locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/accounts/login/")
    page.fill("input[name=username]", f"{role}@zerno.demo")
    page.fill("input[name=password]", demo["password"])
    page.click("button[type=submit]")
    page.wait_for_url(f"**/o/{demo['slug']}/")
    return context, page


def test_marketer_writes_owner_approves_post_is_published_with_its_result(browser, live_server, demo):
    from axe_playwright_python.sync_playwright import Axe

    axe, problems, slug = Axe(), [], demo["slug"]
    org = Organization.objects.get(slug=slug)
    strategy = current_strategy(organization=org)
    goal = Goal.objects.unscoped().get(strategy=strategy, title="Заявки на корпоративный кофе и предзаказы из соцсетей")
    pillar = ContentPillar.objects.unscoped().get(strategy=strategy, name="Предзаказ и кофе для офиса")

    # 1. The marketer adds a draft with a call to action from the content plan.
    context, page = _sign_in(browser, live_server, demo, "marketer")
    page.goto(f"/o/{slug}/content/")
    problems += _axe_problems(axe, page)
    page.fill("#id_title", TITLE)
    page.select_option("#id_platform", "vk")
    page.select_option("#id_objective", "lead_generation")
    page.select_option("#id_goal", str(goal.pk))
    page.select_option("#id_pillar", str(pillar.pk))
    page.fill("#id_text", TEXT)
    page.select_option("#id_cta_type", "sign_up")
    page.fill("#id_cta_url", "https://zerno-coffee.ru/office")
    page.locator("section[aria-labelledby=new-post-title] button[type=submit]").click()
    page.wait_for_url(f"**/o/{slug}/content/")
    post = Post.objects.unscoped().get(organization=org, title=TITLE)
    assert "/l/" in post.cta_short_url

    # 2. Its page: the preview shows the text with the tracked short link, and follows the typing.
    page.locator(f"tr[data-post='{post.pk}'] a[href$='/posts/{post.pk}/']").click()
    page.wait_for_url(re.compile(rf"/posts/{post.pk}/$"))
    preview = page.locator("#preview [data-platform=vk] .preview-text")
    assert TEXT in preview.inner_text()
    assert post.cta_short_url in preview.inner_text()
    page.fill("#id_text", TEXT + " Первая доставка бесплатно.")
    page.wait_for_function(
        "() => document.querySelector('#preview [data-platform=vk] .preview-text').innerText.includes('бесплатно')"
    )
    problems += _axe_problems(axe, page)
    page.locator("main form:has(#id_title) button[type=submit]:not([name])").click()
    page.wait_for_url(re.compile(rf"/posts/{post.pk}/$"))
    page.click("#submit-review")
    page.wait_for_url(re.compile(rf"/posts/{post.pk}/$"))
    post.refresh_from_db()
    assert post.status == Post.Status.IN_REVIEW
    assert page.locator("#approve").count() == 0  # a marketer does not approve
    context.close()

    # 3. The owner approves and schedules it.
    context, page = _sign_in(browser, live_server, demo, "owner")
    page.goto(f"/o/{slug}/content/posts/{post.pk}/")
    page.fill("#approve-comment", "Отлично, публикуем")
    page.click("#approve")
    page.wait_for_url(re.compile(rf"/posts/{post.pk}/$"))
    problems += _axe_problems(axe, page)
    # The schedule form: the best time for the objective (or "not enough data") and the accounts
    # to publish to, among the connected ones; the demo account is chosen.
    assert page.locator("#best-time [data-best]").count() >= 1
    demo_account = SocialAccount.objects.unscoped().get(organization=org, platform=Platform.DEMO)
    page.check(f"#schedule-accounts input[value='{demo_account.pk}']")
    when = timezone.localtime(timezone.now() + dt.timedelta(days=1), org.tzinfo).replace(hour=10, minute=0)
    page.fill("#schedule-at", when.strftime("%Y-%m-%dT%H:%M"))
    page.click("#schedule")
    page.wait_for_url(re.compile(rf"/posts/{post.pk}/$"))
    post.refresh_from_db()
    assert post.status == Post.Status.SCHEDULED
    assert list(Publication.objects.unscoped().filter(post=post).values_list("account_id", flat=True)) == [
        demo_account.pk
    ]
    problems += _axe_problems(axe, page)

    # 4. It becomes due and the publisher runs (Celery is eager in tests): the demo connector publishes.
    Publication.objects.unscoped().filter(post=post).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    assert tasks.fan_out_due_publications() >= 1
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    publication = Publication.objects.unscoped().filter(post=post).first()

    # 5. The sync finds the platform post (simulated here) and links it by id; the plan shows its result.
    social = SocialPost.objects.create(
        organization=org,
        account=publication.account,
        external_id=publication.external_id,
        published_at=publication.published_at,
        text=TEXT,
    )
    PostMetricDaily.objects.create(
        organization=org, account=publication.account, post=social, day=timezone.localdate(), reach=1200, likes=60
    )
    plan_links.link_account_posts(account=publication.account, external_ids=[publication.external_id])
    page.goto(f"/o/{slug}/content/")
    result = page.locator(f"tr[data-post='{post.pk}'] .post-result").inner_text()
    assert "1200" in result.replace("\u00a0", "").replace(" ", "")
    assert "5" in result  # ER 5.00 %
    problems += _axe_problems(axe, page)
    page.goto(f"/o/{slug}/content/posts/{post.pk}/")
    assert page.locator("[data-publication=published]").count() >= 1
    problems += _axe_problems(axe, page)
    context.close()
    assert problems == []


def test_author_reads_the_failed_publication_and_retries_it(browser, live_server, demo):
    """The demo's failed publication: its author sees the unread count in the navigation, reads the
    reason in plain words on the notifications page, retries; the demo connector publishes it."""
    from axe_playwright_python.sync_playwright import Axe

    from content.demo import FAILED_TITLE

    axe, slug = Axe(), demo["slug"]
    org = Organization.objects.get(slug=slug)
    failed = Publication.objects.unscoped().get(organization=org, post__title=FAILED_TITLE)
    assert failed.status == Publication.Status.FAILED
    assert failed.error_message
    context, page = _sign_in(browser, live_server, demo, "marketer")
    count = page.locator("#unread-count[data-unread]")  # loaded by htmx after the page
    count.wait_for(state="attached")
    assert count.get_attribute("data-unread") != "0"
    page.locator("a.notifications-link").click()
    page.wait_for_url(f"**/o/{slug}/content/notifications/")
    problems = _axe_problems(axe, page)
    item = page.locator(f"[data-notification]:has([data-retry='{failed.pk}'])")
    assert failed.error_message[:40] in item.locator(".notification-reason").inner_text()
    item.locator(f"[data-retry='{failed.pk}']").click()
    page.wait_for_url(f"**/o/{slug}/content/notifications/")
    failed.refresh_from_db()
    assert failed.status == Publication.Status.SCHEDULED
    assert tasks.fan_out_due_publications() >= 1
    failed.refresh_from_db()
    assert failed.status == Publication.Status.PUBLISHED
    page.click("#read-all")
    page.wait_for_url(f"**/o/{slug}/content/notifications/")
    assert page.locator("h1[data-unread]").get_attribute("data-unread") == "0"
    page.locator("#unread-count[data-unread]").wait_for(state="attached")
    assert page.locator("#unread-count").get_attribute("data-unread") == "0"
    assert (
        not Notification.objects.unscoped()
        .filter(organization=org, read_at__isnull=True, user__email__startswith="marketer")
        .exists()
    )
    problems += _axe_problems(axe, page)
    context.close()
    assert problems == []
