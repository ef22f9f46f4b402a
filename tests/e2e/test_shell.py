"""The UI shell in a real browser: sign in, every navigation item renders, language switch."""

import re

import pytest

pytestmark = pytest.mark.e2e

NAV = ["Стратегия", "Контент", "Аналитика", "Модерация", "Реклама", "Отчёты", "Интеграции", "Настройки"]


def test_demo_owner_signs_in_and_visits_every_section(login):
    page = login("owner")
    for label in NAV:
        page.get_by_role("navigation", name=re.compile("навигац|navigation", re.I)).get_by_role(
            "link", name=label, exact=True
        ).click()
        page.wait_for_load_state()
        assert page.locator("h1").first.is_visible(), label
        assert "Server Error" not in page.content()
        current = page.locator("nav.mainnav a[aria-current=page]")
        assert current.count() == 1, label
        assert current.inner_text().strip() == label


def test_language_switcher_changes_the_interface(login):
    page = login("owner")
    assert page.get_by_role("link", name="Стратегия", exact=True).is_visible()
    with page.expect_navigation():
        page.select_option("#lang-switch", "en")
    assert page.get_by_role("link", name="Strategy", exact=True).is_visible()


def test_wrong_password_shows_a_form_error(page, demo):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "owner@zerno.demo")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    assert page.locator("[role=alert]").first.is_visible()
    assert "/accounts/login/" in page.url
