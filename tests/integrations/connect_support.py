"""Shared by the connect-flow tests: tokens in the platforms' documented shapes and small helpers."""

from urllib.parse import parse_qs, urlparse

from werkzeug import Response

from tests.paths import PLATFORM_FIXTURES

FIXTURES = PLATFORM_FIXTURES
VK_ACCESS = "vk2.a.AccessTokenFromVkId-0123456789abcdef"
VK_REFRESH = "vk2.a.RefreshTokenFromVkId-abcdef0123456789"
# The shape VK ID documents for POST /oauth2/auth (authorization_code and refresh_token grants).
VK_TOKEN_BODY = {
    "refresh_token": VK_REFRESH,
    "access_token": VK_ACCESS,
    "id_token": "eyJhbGciOiJSUzI1NiJ9.e30.sig",
    "token_type": "Bearer",
    "expires_in": 3600,
    "user_id": 1234567890,
    "state": "will-be-checked",
    "scope": "wall groups stats",
}
META_SHORT = "EAAShortLivedUserToken0123"
META_LONG = "EAALongLivedUserToken456789"
META_PAGE = "EAAPageAccessToken987654"
BOT_TOKEN = "7012345678:AAF-ZernoBotSecretToken_abcdefghijk"


def query(url):
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


def serve_fixture(server, path, name, status=200):
    body = (FIXTURES / "telegram" / name).read_text()
    server.expect_request(path, method="POST").respond_with_response(
        Response(body, status=status, content_type="application/json")
    )
