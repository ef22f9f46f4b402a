"""Shared by the competitor tests: a VK public connector answering from the recorded fixtures."""

import json
from datetime import UTC, datetime
from urllib.parse import parse_qsl

import httpx

from integrations.connectors.vk_public import VKPublicConnector
from strategy.models import StrategyCompetitor
from tests.paths import PLATFORM_FIXTURES
from tests.strategy.factories import CompetitorFactory, StrategyFactory

SERVICE_TOKEN = "vk1.a.TEST-service-key-0002"
NOW = datetime(2026, 6, 13, 12, 0, tzinfo=UTC)


def fixture(name: str):
    return json.loads((PLATFORM_FIXTURES / "vk" / name).read_text(encoding="utf-8"))


class FakeVK:
    """Answers each VK method with a fixture (by method name) and records the calls.
    ``for_community`` overrides the answers for one community (by its screen name)."""

    def __init__(self, answers: dict[str, str], *, for_community: dict[str, dict[str, str]] | None = None):
        self.answers = dict(answers)
        self.for_community = for_community or {}
        self.calls: list[tuple[str, dict[str, str]]] = []
        self._current: dict[str, str] = self.answers

    def __call__(self, request: httpx.Request) -> httpx.Response:
        method = request.url.path.rsplit("/", 1)[-1]
        form = dict(parse_qsl(request.content.decode()))
        self.calls.append((method, form))
        if method == "groups.getById":  # a new community: its answers hold until the next one
            self._current = {**self.answers, **self.for_community.get(form["group_id"], {})}
        return httpx.Response(200, json=fixture(self._current[method]))

    def connector(self) -> VKPublicConnector:
        return VKPublicConnector(
            SERVICE_TOKEN,
            base_url="https://api.vk.test/method",
            http_client=httpx.Client(transport=httpx.MockTransport(self)),
            clock=lambda: NOW,
        )


def tracked_competitor(organization, *, name="Бобы и Ко", vk="https://vk.com/beans_and_co_kzn", strategy=None):
    competitor = CompetitorFactory(organization=organization, name=name, links={"vk": vk} if vk else {})
    strategy = strategy or StrategyFactory(organization=organization)
    StrategyCompetitor.objects.create(organization=organization, strategy=strategy, competitor=competitor)
    return competitor
