"""The health page: translated wording, when a throttled sync resumes, and a badge derived from
the steps (an account whose every step fails is not "Working")."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from integrations import selectors
from integrations.connectors.vk import VKConnector
from integrations.models import SocialAccount, SyncKind, SyncRun, SyncStatus
from integrations.sync import SyncRetry, account_sync
from tests.integrations.factories import SocialAccountFactory, SyncRunFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 13, 12, 0, tzinfo=UTC)
HTML = b"<html><body>Too Many Requests</body></html>"


def vk_answering(status: int, headers: dict[str, str]):
    transport = httpx.MockTransport(lambda _: httpx.Response(status, content=HTML, headers=headers))
    return VKConnector(
        "vk1.a.TEST-token", "218450731", http_client=httpx.Client(transport=transport), clock=lambda: NOW
    )


def vk_account(org):
    return SocialAccountFactory(organization=org, platform="vk", external_id="218450731", display_name="Зерно")


def health_url(org):
    return reverse("integrations:health", kwargs={"org_slug": org.slug})


def test_vk_429_html_is_retried_after_retry_after_and_the_page_says_when(org, owner_web):
    """Before: InvalidRequest → "needs a fix on our side", never retried."""
    account = vk_account(org)

    with pytest.raises(SyncRetry) as excinfo:
        account_sync(
            account_id=account.pk,
            plan="frequent",
            kinds=[SyncKind.POSTS],
            connector=vk_answering(429, {"Retry-After": "120", "Content-Type": "text/html"}),
        )

    assert excinfo.value.retry_after == 120.0
    run = SyncRun.objects.filter(organization=org).get()
    assert (run.status, run.error_kind, run.error_code) == (SyncStatus.RETRYING, "rate_limited", "429")
    assert run.resume_at == run.finished_at + timedelta(seconds=120)
    with translation.override("en"):
        (health,) = selectors.sync_health(organization=org)
        (kind,) = health.kinds
        resume = selectors._when(run.resume_at)
        assert kind.problem_text == f"VK asked us to slow down — sync resumes at {resume}."
        assert (health.badge, health.badge_label) == ("warn", "Waiting to retry")


def test_403_html_block_defers_the_account_and_says_when_it_resumes(org):
    account = vk_account(org)
    before = timezone.now()

    outcome = account_sync(
        account_id=account.pk,
        plan="frequent",
        kinds=[SyncKind.POSTS],
        connector=vk_answering(403, {"Content-Type": "text/html"}),
    )

    assert outcome.status == "deferred"
    run = SyncRun.objects.filter(organization=org).get()
    assert (run.status, run.error_kind) == (SyncStatus.RETRYING, "blocked")
    assert run.resume_at == run.finished_at + timedelta(seconds=900)
    account = SocialAccount.objects.for_organization(org).get(pk=account.pk)
    assert account.next_sync_at >= before + timedelta(seconds=900)
    with translation.override("en"):
        text = selectors.run_problem_text(run)
    assert text.startswith("VK is blocking our requests for now (a firewall page, not a missing permission)")


def run(org, account, kind, status, **fields):
    return SyncRunFactory(
        organization=org, account=account, kind=kind, status=status, finished_at=timezone.now(), **fields
    )


def test_an_account_whose_every_step_fails_is_not_badged_working(org, owner_web):
    """Before: badge "Working" (the account status) although nothing arrived."""
    account = vk_account(org)
    account.last_synced_at = timezone.now()
    account.save(update_fields=["last_synced_at"])
    for kind in (SyncKind.POSTS, SyncKind.COMMENTS):
        run(org, account, kind, SyncStatus.FAILED, error="boom", error_kind="crash")

    with translation.override("en"):
        (health,) = selectors.sync_health(organization=org)
        assert (health.badge, health.badge_label) == ("bad", "Not syncing")
        assert health.status_text == "Some data could not be synced; see what failed below."
        html = owner_web.get(health_url(org)).content.decode()

    assert '<span class="badge badge-bad">' in html
    assert "Working" not in html
    assert "Работает" not in html


def test_the_worst_latest_step_wins(org):
    account = vk_account(org)
    run(org, account, SyncKind.POSTS, SyncStatus.SUCCESS)
    run(org, account, SyncKind.COMMENTS, SyncStatus.FAILED, error_kind="invalid")
    run(org, account, SyncKind.MENTIONS, SyncStatus.RETRYING, error_kind="transient")

    with translation.override("en"):
        (health,) = selectors.sync_health(organization=org)
        assert (health.badge, health.badge_label) == ("bad", "Partly failing")

    SyncRun.objects.filter(organization=org, kind=SyncKind.COMMENTS).delete()
    with translation.override("en"):
        (health,) = selectors.sync_health(organization=org)
        assert (health.badge, health.badge_label) == ("warn", "Waiting to retry")

    SyncRun.objects.filter(organization=org, kind=SyncKind.MENTIONS).delete()
    with translation.override("en"):
        (health,) = selectors.sync_health(organization=org)
        assert (health.badge, health.badge_label) == ("ok", "Working")


def test_every_health_message_goes_through_gettext(org, owner_web, monkeypatch):
    """The stored English platform text is no longer what the page shows: each message is looked
    up in the catalog at render time (marked here so the test sees the lookup)."""
    monkeypatch.setattr(selectors, "_", lambda text: f"[tr]{text}")
    monkeypatch.setattr(selectors, "ngettext", lambda one, many, n: f"[tr]{one if n == 1 else many}")
    account = vk_account(org)
    kinds = [SyncKind.POSTS, SyncKind.COMMENTS, SyncKind.MENTIONS, SyncKind.ACCOUNT_METRICS, SyncKind.PROFILE]
    for kind, error_kind in zip(kinds, ["rate_limited", "blocked", "transient", "permission", "crash"], strict=True):
        run(org, account, kind, SyncStatus.FAILED, error="English platform text", error_kind=error_kind)
    run(org, account, SyncKind.CAMPAIGNS, SyncStatus.SUCCESS, rows_skipped=2, details={"duplicates_total": 1})

    html = owner_web.get(health_url(org)).content.decode()

    for expected in (
        "[tr]VK asked us to slow down — sync resumes automatically.",
        "[tr]VK is blocking our requests for now",
        "[tr]VK is temporarily unavailable — we will retry.",
        "[tr]VK refused access",
        "[tr]Unexpected error while saving the data; we were notified.",
        "[tr]2 items were skipped (deleted on the platform or unreadable); the rest was saved.",
        "[tr]The platform sent 1 row twice; one copy was kept and the other recorded.",
        "[tr]Partly failing",
    ):
        assert expected.replace("'", "&#x27;") in html, expected


def test_the_api_exposes_what_a_run_skipped_merged_and_when_it_resumes(org, owner_client):
    account = vk_account(org)
    resume = timezone.now() + timedelta(minutes=15)
    details = {"skipped": [{"kind": "comment", "item_id": "1855", "reason": "deleted by its author"}]}
    run(org, account, SyncKind.COMMENTS, SyncStatus.RETRYING, rows_skipped=1, details=details, resume_at=resume,
        error_kind="blocked")  # fmt: skip

    (body,) = owner_client.get(f"/api/v1/orgs/{org.slug}/integrations/sync-runs/").json()["results"]

    assert body["rows_skipped"] == 1
    assert body["details"] == details
    assert body["error_kind"] == "blocked"
    assert body["resume_at"] is not None


def test_a_step_under_way_is_shown_next_to_the_last_finished_one(org, owner_web):
    """Before: running steps were left out, so a sync under way (or stuck) was invisible."""
    account = vk_account(org)
    now = timezone.now()
    SyncRunFactory(
        account=account,
        status=SyncStatus.FAILED,
        started_at=now - timedelta(hours=1),
        finished_at=now - timedelta(hours=1),
        error="boom",
    )
    running = SyncRunFactory(account=account, status=SyncStatus.RUNNING, started_at=now)
    (health,) = selectors.sync_health(organization=org)
    (kind,) = health.kinds
    assert kind.running == running
    assert kind.last_run.status == SyncStatus.FAILED  # the badge and the problem still come from it
    assert health.badge == "bad"
    with translation.override("en"):
        html = owner_web.get(health_url(org), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Running now, since" in html
