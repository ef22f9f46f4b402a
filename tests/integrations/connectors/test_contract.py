"""The contract every connector keeps, in one parametrized suite over all connectors.

* Every recorded error fixture maps to its error class, the platform's own code/subcode and the
  advised wait, names the platform and never shows the token. Each connector has a probe: how
  to build it against the fake platform, which request the fixture answers and which call
  makes that request.
* Every connector satisfies the ``Connector`` protocol; whatever is outside its
  ``capabilities`` raises NotSupported with a reason and sends nothing; an empty token or a
  naive ``since`` is refused before any request.
* A network failure is a TransientError that does not show the token.
* Every connector's recorded list answer (posts, campaigns, ad stats: scenarios.py) parses whole,
  nothing skipped, and keys the platform adds later (at any depth) change nothing.

Exact behaviour of one platform (messages, captcha fields, retries of a migrated chat ...)
stays in that platform's test module.
"""

import copy
import json
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from integrations.connectors import Capability, Connector, NotSupported, TransientError, get_connector
from integrations.connectors.base import (
    AuthExpired,
    BaseConnector,
    InvalidRequest,
    PermissionDenied,
    RateLimited,
)
from integrations.connectors.facebook import FacebookConnector
from integrations.connectors.graph import MediaNotReady
from integrations.connectors.instagram import InstagramConnector
from integrations.connectors.meta_ads import MetaAdsConnector
from integrations.connectors.telegram import ChatMigrated, TelegramConnector, WebhookConflict
from integrations.connectors.vk import CaptchaRequired, VKConnector
from integrations.connectors.vk_ads import VKAdsConnector
from tests.integrations.connectors.scenarios import SCENARIOS, client_for

VK_TOKEN = "vk1.a.TEST-secret-community-token-0001"
VK_NOW = datetime(2026, 6, 13, 12, 0, tzinfo=UTC)  # 15:00 Moscow time
SECONDS_TO_MSK_MIDNIGHT = 9 * 3600.0
TELEGRAM_TOKEN = "7000000001:AAF-TEST_secret_bot_token_value_1234"
INSTAGRAM_TOKEN = "EAAG-TEST-instagram-secret-token-0003"
FACEBOOK_TOKEN = "EAAG-TEST-page-secret-token-0004"
META_ADS_TOKEN = "EAAG-TEST-ads-secret-token-0005"
ANY_VK_METHOD = re.compile(r"/method/[\w.]+")


@dataclass(frozen=True)
class Probe:
    """One call of a connector that the fake platform answers with the fixture under test."""

    build: Callable[..., BaseConnector]  # (platform_api, sleeper) -> connector
    method: str
    path: str | re.Pattern[str]
    call: Callable[[BaseConnector], object]
    secrets: tuple[str, ...]  # none may appear in an error or the connector's repr/str


PROBES = {
    "vk": Probe(
        build=lambda api, sleep: VKConnector(
            VK_TOKEN, "218450731", base_url=f"{api.url}/method", clock=lambda: VK_NOW, page_size=3, comments_page_size=5
        ),
        method="POST",
        path=ANY_VK_METHOD,
        call=lambda connector: connector.fetch_profile(),
        secrets=(VK_TOKEN,),
    ),
    "vk_ads": Probe(
        build=lambda api, sleep: VKAdsConnector(
            VK_TOKEN, "1900012345", base_url=f"{api.url}/method", clock=lambda: VK_NOW
        ),
        method="POST",
        path=ANY_VK_METHOD,
        call=lambda connector: connector.fetch_campaigns(),
        secrets=(VK_TOKEN,),
    ),
    "telegram": Probe(
        build=lambda api, sleep: TelegramConnector(
            TELEGRAM_TOKEN, "@zerno_coffee_kzn", base_url=api.url, clock=lambda: datetime(2026, 6, 13, 18, tzinfo=UTC)
        ),
        method="POST",
        path=f"/bot{TELEGRAM_TOKEN}/sendMessage",
        call=lambda connector: connector.publish("text"),
        secrets=(TELEGRAM_TOKEN, TELEGRAM_TOKEN.split(":")[1]),
    ),
    "instagram": Probe(
        build=lambda api, sleep: InstagramConnector(
            INSTAGRAM_TOKEN,
            "17841463210987654",
            base_url=api.url,
            username="zerno.coffee",
            sleep=sleep,
            comments_lookback_days=0,
        ),
        method="GET",
        path="/v25.0/17841463210987654",
        call=lambda connector: connector.fetch_profile(),
        secrets=(INSTAGRAM_TOKEN,),
    ),
    "facebook": Probe(
        build=lambda api, sleep: FacebookConnector(
            FACEBOOK_TOKEN, "104857362519874", base_url=api.url, comments_lookback_days=0
        ),
        method="GET",
        path="/v25.0/104857362519874/insights",
        call=lambda connector: connector.fetch_account_metrics(date(2026, 6, 12), date(2026, 6, 12)),
        secrets=(FACEBOOK_TOKEN,),
    ),
    "meta_ads": Probe(
        build=lambda api, sleep: MetaAdsConnector(
            META_ADS_TOKEN, "act_1029384756102938", base_url=api.url, currency="USD", sleep=sleep
        ),
        method="GET",
        path="/v25.0/act_1029384756102938/insights",
        call=lambda connector: connector.fetch_ad_stats(date(2026, 6, 10), date(2026, 6, 11)),
        secrets=(META_ADS_TOKEN,),
    ),
}

# (connector, fixture, error class, code, subcode, retry_after). The fixture's folder is the
# platform whose API answers; VK Ads speaks the VK API.
ERROR_CASES = [
    # VK answers errors with HTTP 200 and maps by error_code; limits wait for the advised time
    # or until Moscow midnight (daily quotas).
    ("vk", "vk/error.too_many_requests.json", RateLimited, 6, None, 1.0),
    ("vk", "vk/error.flood_control.json", RateLimited, 9, None, 3600.0),
    ("vk", "vk/error.rate_limit_reached.json", RateLimited, 29, None, SECONDS_TO_MSK_MIDNIGHT),
    ("vk", "vk/error.captcha_needed.json", CaptchaRequired, 14, None, 60.0),
    ("vk", "vk/error.invalid_token.json", AuthExpired, 5, None, None),
    ("vk", "vk/error.token_expired.json", AuthExpired, 5, None, None),
    ("vk", "vk/error.permission_denied.json", PermissionDenied, 7, None, None),
    ("vk", "vk/error.access_denied_stats.json", PermissionDenied, 15, None, None),
    ("vk", "vk/error.wall_access_replies.json", PermissionDenied, 212, None, None),
    # Answers to the service key's public reads (competitor tracking, vk_public.py).
    ("vk", "vk/error.invalid_group_id.json", InvalidRequest, 100, None, None),
    ("vk", "vk/error.service_token_invalid.json", AuthExpired, 28, None, None),
    ("vk", "vk/error.wall_members_only.json", PermissionDenied, 15, None, None),
    ("vk_ads", "vk/error.ads_weighted_flood.json", RateLimited, 601, None, SECONDS_TO_MSK_MIDNIGHT),
    ("vk_ads", "vk/error.ads_permission.json", PermissionDenied, 600, None, None),
    # Telegram: the HTTP status equals error_code.
    ("telegram", "telegram/error.too_many_requests.json", RateLimited, 429, None, 35.0),
    ("telegram", "telegram/error.unauthorized.json", AuthExpired, 401, None, None),
    ("telegram", "telegram/error.not_found_bad_token_format.json", AuthExpired, 404, None, None),
    ("telegram", "telegram/error.bot_not_member.json", PermissionDenied, 403, None, None),
    ("telegram", "telegram/error.need_admin_rights.json", PermissionDenied, 400, None, None),
    ("telegram", "telegram/error.chat_not_found.json", PermissionDenied, 400, None, None),
    ("telegram", "telegram/error.conflict_webhook.json", WebhookConflict, 409, None, None),
    ("telegram", "telegram/error.migrated_to_supergroup.json", ChatMigrated, 400, None, None),
    ("telegram", "telegram/error.caption_too_long.json", PermissionDenied, 400, None, None),
    ("telegram", "telegram/error.message_too_long.json", PermissionDenied, 400, None, None),
    # Graph API (Instagram, Facebook Pages) and Marketing API: code + error_subcode; rate limits
    # wait for the usage header's regain time, else the 5-minute default.
    ("instagram", "instagram/error.token_expired.json", AuthExpired, 190, 463, None),
    ("instagram", "instagram/error.invalid_token.json", AuthExpired, 190, None, None),
    ("instagram", "instagram/error.token_invalidated_password.json", AuthExpired, 190, 460, None),
    ("instagram", "instagram/error.rate_limit_app.json", RateLimited, 4, None, 300.0),
    ("instagram", "instagram/error.rate_limit_instagram_buc.json", RateLimited, 80002, None, 300.0),
    ("instagram", "instagram/http_headers.rate_limited.json", RateLimited, 80002, None, 720.0),  # BUC header: 12 min
    ("instagram", "instagram/error.permission_denied.json", PermissionDenied, 10, None, None),
    ("instagram", "instagram/error.missing_permission_insights.json", PermissionDenied, 200, None, None),
    ("instagram", "instagram/error.story_not_enough_viewers.json", PermissionDenied, 10, None, None),
    ("instagram", "instagram/error.impressions_deprecated.json", InvalidRequest, 100, None, None),
    ("instagram", "instagram/error.media_not_ready.json", MediaNotReady, 9007, 2207027, 60.0),
    ("facebook", "facebook/error.invalid_metric.json", InvalidRequest, 100, None, None),
    ("facebook", "facebook/error.duplicate_post.json", InvalidRequest, 506, 1455006, None),
    ("facebook", "facebook/error.pages_permission.json", PermissionDenied, 10, None, None),
    ("facebook", "facebook/error.rate_limit_page_buc.json", RateLimited, 80001, None, 300.0),
    ("facebook", "facebook/error.user_rate_limit.json", RateLimited, 17, None, 300.0),
    ("facebook", "facebook/error.token_expired.json", AuthExpired, 190, 463, None),
    ("meta_ads", "meta_ads/error.rate_limit_ads_insights.json", RateLimited, 80000, 2446079, 300.0),
    ("meta_ads", "meta_ads/http_headers.rate_limited.json", RateLimited, 80000, 2446079, 300.0),
    ("meta_ads", "meta_ads/error.rate_limit_ads_management.json", RateLimited, 80004, 2446079, 300.0),
    ("meta_ads", "meta_ads/error.user_request_limit.json", RateLimited, 17, 2446079, 300.0),
    ("meta_ads", "meta_ads/error.token_expired.json", AuthExpired, 190, 463, None),
    ("meta_ads", "meta_ads/error.ads_permission.json", PermissionDenied, 200, None, None),
    ("meta_ads", "meta_ads/error.invalid_parameter.json", InvalidRequest, 100, None, None),
]


@pytest.mark.parametrize(
    ("platform", "fixture", "error_type", "code", "subcode", "retry_after"),
    ERROR_CASES,
    ids=[f"{case[0]}:{case[1].split('/', 1)[1]}" for case in ERROR_CASES],
)
def test_error_fixture_maps_to_its_error(
    platform_api, sleeper, platform, fixture, error_type, code, subcode, retry_after
):
    probe = PROBES[platform]
    connector = probe.build(platform_api, sleeper)
    platform_api.route(probe.method, probe.path, fixture)

    with pytest.raises(error_type) as excinfo:
        probe.call(connector)

    error = excinfo.value
    assert type(error) is error_type
    assert (error.code, error.subcode, error.retry_after) == (code, subcode, retry_after)
    assert error.platform == platform
    for rendered in (str(error), repr(error), error.user_message, repr(connector), str(connector)):
        for secret in probe.secrets:
            assert secret not in rendered


def test_every_recorded_error_fixture_has_a_contract_case(fixtures_dir):
    recorded = {p.relative_to(fixtures_dir).as_posix() for p in fixtures_dir.glob("*/error.*.json")}

    assert recorded - {case[1] for case in ERROR_CASES} == set()


# ---------------------------------------------------------------------- protocol and capabilities
# Built through the registry with a token of both shapes (a Telegram bot token has a colon); the
# dead port means any request that goes out fails.

SECRET = "SUPER-SECRET-token-value-42:abc"
NOW = datetime(2026, 6, 13, 12, 0, tzinfo=UTC)
PLATFORMS = tuple(PROBES)


def build(platform: str, base_url: str = "http://127.0.0.1:9", **kwargs):
    return get_connector(platform, access_token=SECRET, external_id="1234567", base_url=base_url, **kwargs)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_built_in_connectors_satisfy_the_protocol(platform):
    connector = build(platform)
    assert isinstance(connector, Connector)
    assert connector.external_id == "1234567"
    assert set(connector.capabilities) <= set(Capability)


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
    Capability.FIND_PUBLISHED: lambda c: c.find_published("text", NOW),
    Capability.MENTIONS: lambda c: c.search_mentions("brand", NOW),
    Capability.CAMPAIGNS: lambda c: c.fetch_campaigns(),
    Capability.AD_STATS: lambda c: c.fetch_ad_stats(date(2026, 6, 1), date(2026, 6, 2)),
    Capability.CAMPAIGN_CONTROL: lambda c: c.set_campaign_budget("1", Decimal(10)),
    Capability.AD_UNITS: lambda c: c.fetch_ad_sets(),
}


@pytest.mark.parametrize("platform", PLATFORMS)
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


SINCE_CALLS = {
    Capability.POSTS: lambda c, since: c.fetch_posts(since),
    Capability.COMMENTS: lambda c, since: c.fetch_comments(since),
    Capability.MENTIONS: lambda c, since: c.search_mentions("brand", since),
}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_bad_inputs_are_refused_before_any_request(platform):
    """An empty token, or a naive ``since`` (whose instant is unknown), fails before the dead port is tried."""
    with pytest.raises(ValueError, match="access_token"):
        get_connector(platform, access_token="", external_id="1234567")
    connector = build(platform)
    for capability, call in SINCE_CALLS.items():
        if capability in connector.capabilities:
            with pytest.raises(ValueError, match="timezone-aware"):
                call(connector, datetime(2026, 6, 1))  # a naive value is the point


# ---------------------------------------------------------------------- secrets on a network failure


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("platform", PLATFORMS)
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


# ---------------------------------------------------------------------- recorded list answers


def with_unknown_keys(value):
    """A copy of ``value`` with a key no connector knows in every object, nested ones included."""
    if isinstance(value, dict):
        added = {"x_added_later": {"count": 7, "items": [{"id": 1}], "value": "new"}}
        return {key: with_unknown_keys(item) for key, item in value.items()} | added
    if isinstance(value, list):
        return [with_unknown_keys(item) for item in value]
    return value


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_recorded_list_answer_parses_whole_and_unknown_keys_change_nothing(scenario, fixtures_dir):
    body = json.loads((fixtures_dir / scenario.fixture).read_text(encoding="utf-8"))
    scenario.prepare(body)

    connector, results = scenario.call(copy.deepcopy(body), client_for)
    assert results
    assert connector.skipped == []

    extended, again = scenario.call(with_unknown_keys(body), client_for)
    assert again == results
    assert extended.skipped == []
