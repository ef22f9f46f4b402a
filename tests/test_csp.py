"""Content-Security-Policy: the header, and templates that need no inline script or style.
(The browser check is tests/e2e/test_csp.py.)"""

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_pages_get_a_policy_without_inline_scripts(client):
    policy = directives(client.get("/accounts/login/"))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_swagger_ui_relaxes_styles_only(client):
    policy = directives(client.get("/api/docs/"))
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert "'unsafe-inline'" not in directives(client.get("/api/schema/"))["style-src"]


def _templates():
    base = Path(settings.BASE_DIR)
    found = [*base.glob("templates/**/*.html"), *base.glob("*/templates/**/*.html")]
    assert len(found) > 30
    return found


@pytest.mark.parametrize(
    ("what", "pattern"),
    [
        ("inline event handler", r"<[^>]*\son[a-z]+\s*="),
        ("inline <script> block", r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>"),
        ("style attribute", r"<[^>]*\sstyle\s*="),
        ("javascript: URL", r"javascript:"),
    ],
)
def test_templates_have_no_inline_code(what, pattern):
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}: {match.group(0)[:80]}"
        for path in _templates()
        for match in re.finditer(pattern, path.read_text(), re.I)
    ]
    assert offenders == [], what
