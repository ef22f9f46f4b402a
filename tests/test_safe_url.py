"""Links from platforms and user-typed sources become an href only when they are http(s)."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from smm_platform.templatetags.safe_links import safe_url
from tests.moderation.factories import InboxItemFactory
from tests.strategy.factories import TrendNoteFactory

from .integrations.factories import SocialAccountFactory
from .strategy.factories import CompetitorFactory, StrategyFactory

EVIL = "javascript:alert(1)"


@pytest.mark.parametrize(
    "url",
    [
        EVIL,
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "\x01javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//evil.example/x",
        "/relative/path",
        "https:alert(1)",
        "ftp://example.com/file",
        "",
        None,
    ],
)
def test_unsafe_urls_become_empty(url):
    assert safe_url(url) == ""


@pytest.mark.parametrize("url", ["https://vk.com/wall-1_2?reply=3", "http://t.me/zerno/15", "HTTPS://example.com"])
def test_http_urls_pass_unchanged(url):
    assert safe_url(url) == url


@pytest.mark.django_db
def test_inbox_never_renders_a_javascript_href(owner_web, org):
    account = SocialAccountFactory(organization=org, platform="vk", external_id="1")
    for n, url in enumerate([EVIL, "https://vk.com/wall-1_2?reply=3"]):
        InboxItemFactory(
            organization=org, account=account, url=url, created_at=timezone.now() - dt.timedelta(minutes=n)
        )
    html = owner_web.get(f"/o/{org.slug}/moderation/").content.decode()
    assert "javascript:" not in html.lower()
    assert re.findall(r'href="(https://vk[^"]*)"', html) == ["https://vk.com/wall-1_2?reply=3"]


@pytest.mark.django_db
def test_competitor_and_trend_links_never_render_a_javascript_href(owner_web, org):
    strategy = StrategyFactory(organization=org, period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 12, 31))
    CompetitorFactory(organization=org, name="Кофе Бум", links={"vk": EVIL, "telegram": "https://t.me/boom"})
    TrendNoteFactory(organization=org, title="Клипы", kind="format", source_url=EVIL, noted_on=dt.date(2025, 3, 1))
    editor = owner_web.get(f"/o/{org.slug}/strategy/{strategy.pk}/edit/analysis/").content.decode()
    trends = owner_web.get(f"/o/{org.slug}/strategy/trends/").content.decode()
    assert "Клипы" in trends
    for html in (editor, trends):
        assert "javascript:" not in html.lower()
    assert 'href="https://t.me/boom"' in editor


def test_every_template_href_from_a_variable_goes_through_safe_url():
    """A new `href="{{ something }}"` must be `{% with href=something|safe_url %}` (or internal)."""
    # Built by our code: reverse() in the analytics checklist, the sort links of the posts table (views).
    internal = {"step.url", "h.url"}
    offenders = []
    base = Path(settings.BASE_DIR)
    templates = [*base.glob("templates/**/*.html"), *base.glob("*/templates/**/*.html")]
    assert len(templates) > 30
    for path in templates:
        text = path.read_text()
        reversed_here = set(re.findall(r"\{%\s*url\s[^%]*\sas\s+(\w+)\s*%\}", text))  # {% url … as name %}
        for expr in re.findall(r'href="\{\{\s*([^}|\s]+)(\|[^}]*)?\s*\}\}', text):
            name, filters = expr
            if name == "href" or name in internal or name in reversed_here or "safe_url" in filters:
                continue
            offenders.append(f"{path.relative_to(settings.BASE_DIR)}: {name}")
        offenders.extend(
            f"{path.relative_to(settings.BASE_DIR)}: with href={assigned.strip()}"
            for assigned in re.findall(r"\{%\s*with\s+href=([^%]+)%\}", text)
            if "|safe_url" not in assigned
        )
    assert offenders == []
