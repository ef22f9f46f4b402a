"""Serve recorded platform responses from a real local HTTP server (pytest-httpserver).

Connectors run unmodified with a real httpx client; only their ``base_url`` points here.
Each fixture file is served byte-for-byte with the HTTP status documented in the fixtures'
README (and, for ``http_headers.*`` sidecars, the recorded headers).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from integrations.connectors.instagram import InstagramConnector
from integrations.connectors.vk import VKConnector
from tests.integrations.connectors import instagram_support, vk_support
from tests.paths import PLATFORM_FIXTURES

FIXTURES_ENV = "SMM_FIXTURES_DIR"
DEFAULT_FIXTURES_DIR = PLATFORM_FIXTURES
_README_ROW = re.compile(r"^\|\s*`(?P<file>[^`]+)`\s*\|\s*(?P<status>HTTP \d{3}|sidecar)\s*\|", re.MULTILINE)
_UNMATCHED_STATUS = 599


def resolve_fixtures_dir() -> Path:
    return Path(os.environ.get(FIXTURES_ENV) or DEFAULT_FIXTURES_DIR)


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    path = resolve_fixtures_dir()
    if not (path / "README.md").is_file():
        pytest.fail(f"platform fixtures not found at {path} (set {FIXTURES_ENV})", pytrace=False)
    return path


@pytest.fixture(scope="session")
def documented_statuses(fixtures_dir: Path) -> dict[str, int | None]:
    """``"vk/wall.get.json" → 200`` from the README tables (sidecars → None)."""
    statuses: dict[str, int | None] = {}
    section = None
    for line in (fixtures_dir / "README.md").read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^## (\w+)/", line)
        if heading:
            section = heading.group(1)
            continue
        row = _README_ROW.match(line)
        if row and section:
            status = row.group("status")
            statuses[f"{section}/{row.group('file')}"] = None if status == "sidecar" else int(status.split()[1])
    return statuses


@dataclass
class Recorded:
    """A request the connector sent, decoded for assertions."""

    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    json: Any
    headers: Mapping[str, str]


@dataclass
class _Route:
    method: str
    path: str | re.Pattern[str]
    responder: Callable[[Recorded], Response]
    query: Mapping[str, str] = field(default_factory=dict)
    form: Mapping[str, str] = field(default_factory=dict)
    json: Mapping[str, Any] = field(default_factory=dict)
    absent: tuple[str, ...] = ()
    times: int | None = None  # None = unlimited

    def matches(self, request: Recorded) -> bool:
        if self.times == 0 or request.method != self.method:
            return False
        if isinstance(self.path, str):
            if request.path != self.path:
                return False
        elif not self.path.fullmatch(request.path):
            return False
        params = {**request.query, **request.form}
        body = request.json if isinstance(request.json, dict) else {}
        return (
            all(request.query.get(k) == str(v) for k, v in self.query.items())
            and all(request.form.get(k) == str(v) for k, v in self.form.items())
            and all(body.get(k) == v for k, v in self.json.items())
            and not any(k in params or k in body for k in self.absent)
        )


class FakePlatform:
    """Routes requests on the local server to fixture files or inline bodies."""

    def __init__(self, server: HTTPServer, fixtures_dir: Path, statuses: Mapping[str, int | None]) -> None:
        self.server = server
        self.fixtures_dir = fixtures_dir
        self.statuses = statuses
        self.served: list[str] = []
        self.unmatched: list[Recorded] = []
        self._routes: list[_Route] = []
        self._log: list[Recorded] = []
        server.expect_request(re.compile(".*")).respond_with_handler(self._dispatch)

    @property
    def url(self) -> str:
        return self.server.url_for("").rstrip("/")

    # -------------------------------------------------------------- fixture files

    def path(self, name: str) -> Path:
        path = self.fixtures_dir / name
        assert path.is_file(), f"missing fixture {name}"
        return path

    def raw(self, name: str) -> bytes:
        return self.path(name).read_bytes()

    def load(self, name: str) -> Any:
        return json.loads(self.raw(name))

    def response(self, name: str) -> Callable[[Recorded], Response]:
        """Respond with fixture ``name`` at its documented status (sidecar: its headers)."""
        if name not in self.statuses:
            raise AssertionError(f"{name} has no row in the fixtures README")
        status = self.statuses[name]
        headers: dict[str, str] = {"Content-Type": "application/json; charset=utf-8"}
        body_name = name
        if status is None:  # a sidecar: status + headers (+ the body it names)
            sidecar = self.load(name)
            status = int(sidecar["status"])
            headers.update(sidecar["headers"])
            body_name = name.rsplit("/", 1)[0] + "/" + sidecar["body_fixture"] if "body_fixture" in sidecar else ""
        body = self.raw(body_name) if body_name else b""

        def respond(_: Recorded) -> Response:
            self.served.append(name)
            if body_name and body_name != name:
                self.served.append(body_name)
            return Response(body, status=status, headers=headers)

        return respond

    def with_headers(self, sidecar: str, body: Any) -> Callable[[Recorded], Response]:
        """A sidecar without ``body_fixture``: its status and headers around ``body``."""
        meta = self.load(sidecar)
        payload = self.raw(body) if isinstance(body, str) else json.dumps(body).encode()

        def respond(_: Recorded) -> Response:
            self.served.append(sidecar)
            if isinstance(body, str):
                self.served.append(body)
            return Response(payload, status=int(meta["status"]), headers=dict(meta["headers"]))

        return respond

    @staticmethod
    def inline(body: Any, status: int = 200) -> Callable[[Recorded], Response]:
        """A body that has no recorded fixture (shape taken from the platform docs)."""
        payload = json.dumps(body).encode()
        return lambda _: Response(payload, status=status, content_type="application/json")

    # -------------------------------------------------------------- routing

    def route(
        self,
        method: str,
        path: str | re.Pattern[str],
        respond: str | Callable[[Recorded], Response],
        *,
        query: Mapping[str, Any] | None = None,
        form: Mapping[str, Any] | None = None,
        json: Mapping[str, Any] | None = None,
        absent: tuple[str, ...] = (),
        times: int | None = None,
    ) -> None:
        """First matching route wins; ``query``/``form``/``json`` match a subset of params."""
        responder = self.response(respond) if isinstance(respond, str) else respond
        self._routes.append(
            _Route(
                method=method,
                path=path,
                responder=responder,
                query={k: str(v) for k, v in (query or {}).items()},
                form={k: str(v) for k, v in (form or {}).items()},
                json=dict(json or {}),
                absent=absent,
                times=times,
            )
        )

    def _dispatch(self, request: Request) -> Response:
        recorded = _record(request)
        self._log.append(recorded)
        for route in self._routes:
            if route.matches(recorded):
                if route.times is not None:
                    route.times -= 1
                return route.responder(recorded)
        self.unmatched.append(recorded)
        return Response(b'{"unmatched": true}', status=_UNMATCHED_STATUS, content_type="application/json")

    @property
    def requests(self) -> list[Recorded]:
        return list(self._log)

    def requests_to(self, path: str) -> list[Recorded]:
        return [r for r in self._log if r.path == path]


def _record(request: Request) -> Recorded:
    content_type = request.headers.get("Content-Type", "")
    raw = request.get_data()
    form: dict[str, str] = {}
    body: Any = None
    if content_type.startswith("application/json") and raw:
        body = json.loads(raw)
    elif content_type.startswith("application/x-www-form-urlencoded"):
        form = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    return Recorded(
        method=request.method,
        path=request.path,
        query=dict(parse_qsl(request.query_string.decode("utf-8"), keep_blank_values=True)),
        form=form,
        json=body,
        headers=dict(request.headers),
    )


@pytest.fixture
def platform_api(
    httpserver: HTTPServer, fixtures_dir: Path, documented_statuses: dict[str, int | None]
) -> Iterator[FakePlatform]:
    fake = FakePlatform(httpserver, fixtures_dir, documented_statuses)
    yield fake
    assert not fake.unmatched, f"connector sent requests no route expected: {fake.unmatched}"


class Sleeper:
    """Stands in for time.sleep so polling tests are instant and the waits are assertable."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleeper() -> Sleeper:
    return Sleeper()


@pytest.fixture
def vk(platform_api):
    """The VK community connector against the fake platform (small pages so paging is exercised)."""
    return VKConnector(
        vk_support.TOKEN,
        vk_support.GROUP,
        base_url=f"{platform_api.url}/method",
        clock=lambda: vk_support.NOW,
        page_size=3,
        comments_page_size=5,
    )


@pytest.fixture
def instagram(platform_api, sleeper):
    """The Instagram connector against the fake platform; publishing waits through ``sleeper``."""
    return InstagramConnector(
        instagram_support.TOKEN,
        instagram_support.IG_USER,
        base_url=platform_api.url,
        username="zerno.coffee",
        sleep=sleeper,
        comments_lookback_days=0,
    )
