"""Outbound webhooks in headless Chromium: an owner adds an endpoint (the signing secret is shown
once), sends a test message and sees its delivery in the log; the local receiver got a request
whose signature verifies with the secret the page showed. Every page passes the axe check."""

import re

import pytest

from tests.webhooks.conftest import verify

from .test_accessibility import _axe_problems

pytestmark = pytest.mark.e2e


@pytest.fixture
def webhook_receiver(httpserver, settings, monkeypatch):
    from webhooks import safety

    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    monkeypatch.setattr(safety, "resolve", lambda host, port: ["127.0.0.1"] if host == "receiver.test" else [])
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    return httpserver


def test_owner_adds_an_endpoint_pings_it_and_sees_the_delivery(login, page, demo, webhook_receiver):
    from axe_playwright_python.sync_playwright import Axe

    axe, problems, slug = Axe(), [], demo["slug"]
    login("owner")
    page.goto(f"/o/{slug}/settings/webhooks/")
    problems += _axe_problems(axe, page)
    # The demo's endpoint is listed (paused).
    assert page.locator("main table a[href*='/settings/webhooks/']").count() >= 1

    page.fill("#id_url", f"http://receiver.test:{webhook_receiver.port}/hook")
    page.fill("#id_description", "e2e")
    page.check("input[name=events][value='sale.recorded']")
    page.check("input[name=events][value='lead.attributed']")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/settings/webhooks/\d+/$"))
    problems += _axe_problems(axe, page)
    secret = page.inner_text("[data-testid=webhook-secret]").strip()
    assert secret.startswith("whsec_")

    page.click("[data-testid=webhook-ping]")
    page.wait_for_load_state()
    log = page.locator("[data-testid=deliveries]")
    assert "ping" in log.inner_text()
    assert "HTTP 200" in log.inner_text()
    problems += _axe_problems(axe, page)
    # The secret is not shown again.
    assert page.locator("[data-testid=webhook-secret]").count() == 0

    [(request, _response)] = webhook_receiver.log
    headers = {k.lower(): v for k, v in request.headers.items()}
    assert verify(secret, headers, request.get_data(as_text=True))
    assert problems == [], "\n".join(problems)
