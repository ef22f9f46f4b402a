"""Shared by the sync tests: a fixed clock, the demo connector on it, a connector that fails on cue,
and running the sync task as a worker would."""

from datetime import UTC, datetime

from integrations.connectors.base import BaseConnector, Capability
from integrations.connectors.demo import DemoConnector
from integrations.tasks import sync_account
from tests.integrations.factories import SocialAccountFactory

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def demo(account, now=NOW):
    return DemoConnector(external_id=account.external_id, clock=lambda: now)


class Scripted(BaseConnector):
    platform = "vk"
    capabilities = frozenset({Capability.PROFILE, Capability.POSTS, Capability.ACCOUNT_METRICS, Capability.COMMENTS})

    def __init__(self, errors: dict, **kwargs):
        super().__init__("token-xyz", "218450731", clock=lambda: NOW, **kwargs)
        self.errors = errors
        self.calls: list[str] = []

    def _maybe(self, name):
        self.calls.append(name)
        if name in self.errors:
            raise self.errors[name]

    def fetch_profile(self):
        self._maybe("profile")
        from integrations.connectors.base import AccountProfile

        return AccountProfile(external_id="218450731", name="Зерно")

    def fetch_posts(self, since):
        self._maybe("posts")
        return []

    def fetch_account_metrics(self, since, until):
        self._maybe("account_metrics")
        return []

    def fetch_comments(self, since):
        self._maybe("comments")
        return []


def vk_account(org):
    return SocialAccountFactory(organization=org, platform="vk", external_id="218450731", display_name="Зерно")


def run_task(monkeypatch, *, task_id="task-1", retries=0, **kwargs):
    """Run ``sync_account`` as a worker would (not eager); returns (result, retry kwargs or None)."""
    captured = {}

    def fake_retry(**retry_kwargs):
        captured.update(retry_kwargs)
        return RuntimeError("retry scheduled")

    monkeypatch.setattr(sync_account, "retry", fake_retry)
    sync_account.push_request(id=task_id, retries=retries, is_eager=False)
    try:
        try:
            return sync_account.run(**kwargs), None
        except RuntimeError:
            return None, captured
    finally:
        sync_account.pop_request()
