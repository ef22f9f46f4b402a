"""Shared by the VK connector tests: the token, the community, the clock and request checks."""

import re
from datetime import UTC, datetime

TOKEN = "vk1.a.TEST-secret-community-token-0001"
GROUP = "218450731"
NOW = datetime(2026, 6, 13, 12, 0, tzinfo=UTC)  # 15:00 Moscow time
ANY_METHOD = re.compile(r"/method/[\w.]+")


def assert_vk_request(request, method: str) -> None:
    """Every VK call: POST /method/<name>?v=5.199 with the token in the form body only."""
    assert request.method == "POST"
    assert request.path == f"/method/{method}"
    assert request.query == {"v": "5.199"}
    assert request.form["access_token"] == TOKEN


def route_wall(platform_api):
    platform_api.route("POST", "/method/wall.get", "vk/wall.get.json", form={"offset": 0})
    platform_api.route("POST", "/method/wall.get", "vk/wall.get.page2.json", form={"offset": 3})
