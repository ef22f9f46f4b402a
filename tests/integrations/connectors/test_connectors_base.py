"""The shared contract: registry, capabilities/NotSupported, HTTP helper, errors, secrecy."""

import ast
import socket
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
import pytest

from integrations.connectors import (
    Capability,
    Connector,
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
NOW = datetime(2026, 6, 13, 12, 0, tzinfo=UTC)


def build(platform: str, base_url: str = "http://127.0.0.1:9", **kwargs):
    return get_connector(platform, access_token=SECRET, external_id="1234567", base_url=base_url, **kwargs)


# ---------------------------------------------------------------------- registry


def test_registry_knows_every_platform_key():
    assert set(BUILT_IN) | {"demo"} <= set(platforms())
    for key in BUILT_IN:
        assert get_connector_class(key).platform == key


@pytest.mark.parametrize("platform", BUILT_IN)
def test_built_in_connectors_satisfy_the_protocol(platform):
    connector = build(platform)
    assert isinstance(connector, Connector)
    assert connector.external_id == "1234567"
    assert set(connector.capabilities) <= set(Capability)


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


# ---------------------------------------------------------------------- capabilities

CALLS = {
    Capability.PROFILE: lambda c: c.fetch_profile(),
    Capability.ACCOUNT_METRICS: lambda c: c.fetch_account_metrics(date(2026, 6, 1), date(2026, 6, 2)),
    Capability.POSTS: lambda c: c.fetch_posts(NOW),
    Capability.POST_METRICS: lambda c: c.fetch_post_metrics(["1"]),
    Capability.COMMENTS: lambda c: c.fetch_comments(NOW),
    Capability.REPLY: lambda c: c.reply("1", "text", post_external_id="2"),
    Capability.HIDE_COMMENTS: lambda c: c.hide_comment("1"),
    Capability.DELETE_COMMENTS: lambda c: c.delete_comment("1:2"),
    Capability.PUBLISH: lambda c: c.publish("text"),
    Capability.MENTIONS: lambda c: c.search_mentions("brand", NOW),
    Capability.CAMPAIGNS: lambda c: c.fetch_campaigns(),
    Capability.AD_STATS: lambda c: c.fetch_ad_stats(date(2026, 6, 1), date(2026, 6, 2)),
    Capability.CAMPAIGN_CONTROL: lambda c: c.set_campaign_budget("1", Decimal(10)),
}


@pytest.mark.parametrize("platform", BUILT_IN)
def test_missing_capabilities_raise_not_supported_with_a_reason(platform):
    """Nothing outside ``capabilities`` may touch the network (base_url points at a dead port)."""
    connector = build(platform)
    missing = set(Capability) - set(connector.capabilities)
    assert missing, "every platform lacks something"
    for capability in missing:
        with pytest.raises(NotSupported) as excinfo:
            CALLS[capability](connector)
        assert excinfo.value.user_message
        assert excinfo.value.platform == platform


def test_telegram_views_message_is_explicit():
    with pytest.raises(NotSupported) as excinfo:
        build("telegram").fetch_post_metrics(["1"])
    assert "does not report view counts" in excinfo.value.user_message


# ---------------------------------------------------------------------- HTTP helper


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("platform", BUILT_IN)
def test_network_failure_is_transient_and_hides_the_token(platform):
    connector = build(platform, base_url=f"http://127.0.0.1:{closed_port()}")
    capability = next(c for c in CALLS if c in connector.capabilities)

    with pytest.raises(TransientError) as excinfo:
        CALLS[capability](connector)

    error = excinfo.value
    assert error.code == "network"
    assert error.is_transient is True
    for rendered in (str(error), repr(error), error.user_message, str(error.__cause__), repr(connector)):
        assert SECRET not in rendered
        assert SECRET.split(":")[1] not in rendered


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


def test_since_must_be_timezone_aware():
    with pytest.raises(ValueError, match="timezone-aware"):
        build("vk").fetch_posts(datetime(2026, 6, 1))  # a naive value is the point


def test_empty_token_is_refused():
    with pytest.raises(ValueError, match="access_token"):
        VKConnector("", "1")


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

# types ← errors ← http ← base: each module may import only the ones before it.
CONTRACT_MODULES = ("types", "errors", "http", "base")


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
    assert name != "base" or imported == {"types", "errors", "http"}


def test_base_re_exports_the_split_modules_public_names():
    for module in (types, errors, http):
        for name in module.__all__:
            assert getattr(base, name) is getattr(module, name), name
            assert name in base.__all__, name
