"""``Connector.reply`` against each platform's recorded error answers: every failure is a typed
``ConnectorError`` with a plain-words message (the inbox shows it and offers a retry) and no token."""

import re

import pytest

from integrations.connectors.base import AuthExpired, ConnectorError, PermissionDenied, RateLimited
from integrations.connectors.facebook import FacebookConnector
from tests.integrations.connectors import instagram_support, vk_support
from tests.integrations.connectors.test_connectors_telegram import BOT, make

FB_TOKEN = "EAAG-TEST-page-secret-token-0004"
FB_COMMENT = "122134502211987654_1209345566778901"
IG_COMMENT = "17887412093355620"

VK_CASES = [
    ("vk/error.wall_access_replies.json", PermissionDenied),
    ("vk/error.flood_control.json", RateLimited),
    ("vk/error.token_expired.json", AuthExpired),
    ("vk/error.invalid_token.json", AuthExpired),
]
TELEGRAM_CASES = [
    ("telegram/error.bot_not_member.json", PermissionDenied),
    ("telegram/error.too_many_requests.json", RateLimited),
    ("telegram/error.unauthorized.json", AuthExpired),
]
FACEBOOK_CASES = [
    ("facebook/error.pages_permission.json", PermissionDenied),
    ("facebook/error.user_rate_limit.json", RateLimited),
    ("facebook/error.token_expired.json", AuthExpired),
]
INSTAGRAM_CASES = [
    ("instagram/error.permission_denied.json", PermissionDenied),
    ("instagram/error.rate_limit_app.json", RateLimited),
    ("instagram/error.token_expired.json", AuthExpired),
]


def _check(excinfo, expected, token):
    assert isinstance(excinfo.value, expected), repr(excinfo.value)
    assert excinfo.value.user_message
    assert token not in excinfo.value.user_message
    assert token not in str(excinfo.value)


@pytest.mark.parametrize(("fixture", "expected"), VK_CASES)
def test_vk_reply_errors(vk, platform_api, fixture, expected):
    platform_api.route("POST", "/method/wall.createComment", fixture)
    with pytest.raises(ConnectorError) as excinfo:
        vk.reply("1855", "Ответ", post_external_id="1851")
    _check(excinfo, expected, vk_support.TOKEN)


@pytest.mark.parametrize(("fixture", "expected"), TELEGRAM_CASES)
def test_telegram_reply_errors(platform_api, fixture, expected):
    telegram = make(platform_api)
    platform_api.route("POST", f"{BOT}/sendMessage", fixture)
    with pytest.raises(ConnectorError) as excinfo:
        telegram.reply("-1002251907334:2304", "Ответ")
    _check(excinfo, expected, BOT.removeprefix("/bot"))


@pytest.mark.parametrize(("fixture", "expected"), FACEBOOK_CASES)
def test_facebook_reply_errors(platform_api, fixture, expected):
    facebook = FacebookConnector(FB_TOKEN, "104", base_url=platform_api.url, comments_lookback_days=0)
    platform_api.route("POST", re.compile(rf".*/{FB_COMMENT}/comments$"), fixture)
    with pytest.raises(ConnectorError) as excinfo:
        facebook.reply(FB_COMMENT, "Ответ")
    _check(excinfo, expected, FB_TOKEN)


@pytest.mark.parametrize(("fixture", "expected"), INSTAGRAM_CASES)
def test_instagram_reply_errors(instagram, platform_api, fixture, expected):
    platform_api.route("POST", f"{instagram_support.API}/{IG_COMMENT}/replies", fixture)
    with pytest.raises(ConnectorError) as excinfo:
        instagram.reply(IG_COMMENT, "Ответ")
    _check(excinfo, expected, instagram_support.TOKEN)
