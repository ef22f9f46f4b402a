"""Shared machinery: registry, HTTP helper, errors, module layering (per-connector contract: test_contract.py)."""

import ast

import httpx
import pytest

from integrations.connectors import (
    NotSupported,
    TransientError,
    UnknownPlatform,
    base,
    errors,
    get_connector,
    get_connector_class,
    http,
    platforms,
    register_connector,
    types,
)
from integrations.connectors.base import (
    DEFAULT_TIMEOUT,
    USER_AGENT,
    AuthExpired,
    BaseConnector,
    ConnectorError,
    InvalidRequest,
    PermissionDenied,
    RateLimited,
    paginate,
)
from integrations.connectors.vk import VKConnector
from tests.paths import REPO_ROOT

BUILT_IN = ("vk", "vk_ads", "telegram", "instagram", "facebook", "meta_ads")
SECRET = "SUPER-SECRET-token-value-42:abc"


def build(platform: str, base_url: str = "http://127.0.0.1:9", **kwargs):
    return get_connector(platform, access_token=SECRET, external_id="1234567", base_url=base_url, **kwargs)


# ---------------------------------------------------------------------- registry


def test_registry_knows_every_platform_key():
    assert set(BUILT_IN) | {"demo"} <= set(platforms())
    for key in BUILT_IN:
        assert get_connector_class(key).platform == key


def test_unknown_platform():
    with pytest.raises(UnknownPlatform):
        get_connector("myspace", access_token="x", external_id="1")


def test_register_connector_by_class_and_by_dotted_path():
    class EchoConnector(BaseConnector):
        platform = "echo_test"

    register_connector("echo_test", EchoConnector)
    register_connector("vk_alias_test", "integrations.connectors.vk:VKConnector")

    assert isinstance(get_connector("echo_test", access_token="t", external_id="1"), EchoConnector)
    assert get_connector_class("vk_alias_test") is VKConnector


def test_registered_path_that_cannot_load_is_reported():
    register_connector("broken_test", "integrations.connectors.no_such_module:Nope")
    with pytest.raises(UnknownPlatform, match="cannot be loaded"):
        get_connector_class("broken_test")


# ---------------------------------------------------------------------- HTTP helper


def test_http_5xx_is_transient_with_retry_after(platform_api):
    platform_api.route(
        "POST", "/method/groups.getById", lambda _: httpx_free_response(b"<html>bad gateway</html>", 502, "17")
    )
    with pytest.raises(TransientError) as excinfo:
        VKConnector(SECRET, "1", base_url=f"{platform_api.url}/method").fetch_profile()
    assert (excinfo.value.code, excinfo.value.retry_after) == (502, 17.0)


def test_non_json_success_is_transient(platform_api):
    platform_api.route("POST", "/method/groups.getById", lambda _: httpx_free_response(b"<html>", 200))
    with pytest.raises(TransientError):
        VKConnector(SECRET, "1", base_url=f"{platform_api.url}/method").fetch_profile()


def httpx_free_response(body: bytes, status: int, retry_after: str | None = None):
    from werkzeug import Response

    headers = {"Retry-After": retry_after} if retry_after else {}
    return Response(body, status=status, headers=headers, content_type="text/html")


def test_requests_carry_user_agent_and_go_through_the_rate_limiter(platform_api):
    class RecordingLimiter:
        def __init__(self):
            self.calls = []

        def acquire(self, platform, key):
            self.calls.append((platform, key))

    limiter = RecordingLimiter()
    platform_api.route("POST", "/method/groups.getById", "vk/groups.getById.json")
    connector = VKConnector(SECRET, "218450731", base_url=f"{platform_api.url}/method", rate_limiter=limiter)

    connector.fetch_profile()

    assert limiter.calls == [("vk", "218450731")]
    assert platform_api.requests[0].headers["User-Agent"] == USER_AGENT


def test_default_client_timeouts():
    assert (DEFAULT_TIMEOUT.connect, DEFAULT_TIMEOUT.read) == (5.0, 30.0)
    connector = build("vk")
    assert connector._http._client.timeout == DEFAULT_TIMEOUT


def test_a_caller_supplied_client_is_used_and_not_closed(platform_api):
    platform_api.route("POST", "/method/groups.getById", "vk/groups.getById.json")
    with httpx.Client(timeout=2.0) as client:
        connector = VKConnector(SECRET, "218450731", base_url=f"{platform_api.url}/method", http_client=client)
        connector.fetch_profile()
        connector.close()
        assert not client.is_closed


# ---------------------------------------------------------------------- errors and pagination


def test_error_hierarchy_flags():
    assert RateLimited("vk", 6, "m", retry_after=2).is_transient is True
    assert TransientError("vk", 10, "m").is_transient is True
    assert AuthExpired("vk", 5, "m").needs_reauth is True
    assert PermissionDenied("vk", 7, "m").account_status == "error"
    assert InvalidRequest("vk", 100, "m").is_transient is False
    assert issubclass(NotSupported, ConnectorError)
    assert str(AuthExpired("instagram", 190, "expired", 463)) == "[instagram 190/463] expired"


def test_error_redaction_scrubs_echoed_secrets():
    error = InvalidRequest("vk", 100, f"bad token {SECRET} in request")
    error.redact([SECRET])
    assert SECRET not in str(error)
    assert SECRET not in repr(error)
    assert error.args == ("bad token *** in request",)


def test_paginate_stops_on_repeated_cursor_and_empty_page():
    pages = {None: ([1, 2], "a"), "a": ([3], "a")}
    assert list(paginate(lambda cursor: pages[cursor])) == [1, 2, 3]
    assert list(paginate(lambda cursor: ([], "next"))) == []


def test_errors_survive_pickling_for_celery():
    import pickle

    from integrations.connectors.vk import CaptchaRequired

    original = CaptchaRequired("vk", "Captcha needed", captcha_sid="1", captcha_img="https://x")
    copy = pickle.loads(pickle.dumps(original))  # noqa: S301 - our own object

    assert type(copy) is CaptchaRequired
    assert (copy.code, copy.retry_after, copy.captcha_sid, str(copy)) == (14, 60.0, "1", "[vk 14] Captcha needed")


# ---------------------------------------------------------------------- module layering

# values, types ← errors ← http ← base: each module may import only the ones before it.
CONTRACT_MODULES = ("values", "types", "errors", "http", "base")


@pytest.mark.parametrize("position", range(len(CONTRACT_MODULES)))
def test_contract_modules_import_only_the_ones_before_them(position):
    name = CONTRACT_MODULES[position]
    tree = ast.parse((REPO_ROOT / "integrations" / "connectors" / f"{name}.py").read_text())
    imported = {
        node.module.rsplit(".", 1)[-1]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("integrations.connectors.")
    }
    assert imported <= set(CONTRACT_MODULES[:position])
    assert name != "base" or imported == {"values", "types", "errors", "http"}


def test_base_re_exports_the_split_modules_public_names():
    for module in (types, errors, http):
        for name in module.__all__:
            assert getattr(base, name) is getattr(module, name), name
            assert name in base.__all__, name
