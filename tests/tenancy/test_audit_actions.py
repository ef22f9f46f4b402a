"""The audit log shows actions in words: every code the code base records has a label."""

import re

from django.utils import translation

from tenancy.audit_actions import ACTION_LABELS, action_label
from tests.paths import REPO_ROOT

APPS = (
    "tenancy",
    "integrations",
    "strategy",
    "content",
    "moderation",
    "ads",
    "links",
    "crm",
    "analytics",
    "adrules",
    "portability",
    "abtests",
)


def _recorded_actions() -> set[str]:
    codes = set()
    for app in APPS:
        for path in (REPO_ROOT / app).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if "audit_log_record" not in text:
                continue
            codes |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', text))
            codes |= set(re.findall(r'"([a-z_]+\.[a-z_]+)" if ', text))  # a code chosen by a condition
    return codes


def test_every_recorded_action_has_a_label():
    recorded = _recorded_actions()
    assert "strategy.approve" in recorded
    assert recorded - set(ACTION_LABELS) == set()


def test_labels_in_russian_and_a_readable_fallback():
    with translation.override("ru"):
        assert action_label("strategy.approve") == "Стратегия утверждена"
    with translation.override("en"):
        assert action_label("strategy.approve") == "Strategy approved"
        assert action_label("links.link_create") == "Links: link create"
        assert action_label("cleanup") == "Cleanup"
