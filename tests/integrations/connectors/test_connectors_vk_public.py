"""Public VK data of a competitor's community, read with a service token, against fixtures."""

# The fixtures are Russian-language content; Cyrillic letters in expected strings are intended.

from datetime import timedelta

import pytest

from integrations.connectors.base import AuthExpired, InvalidRequest, PermissionDenied, RateLimited, TransientError
from integrations.connectors.vk_public import PublicCommunity, VKPublicConnector, community_ref
from tests.integrations.connectors.vk_support import NOW

SERVICE_TOKEN = "vk1.a.TEST-service-key-0002"


class Bucket:
    def __init__(self):
        self.calls = []

    def acquire(self, platform, key):
        self.calls.append((platform, key))


@pytest.fixture
def bucket():
    return Bucket()


@pytest.fixture
def public(platform_api, bucket):
    return VKPublicConnector(
        SERVICE_TOKEN, base_url=f"{platform_api.url}/method", clock=lambda: NOW, rate_limiter=bucket
    )


def test_community_is_read_with_the_service_token(public, platform_api, bucket):
    platform_api.route("POST", "/method/groups.getById", "vk/public.groups.getById.json")

    community = public.fetch_public_community("beans_and_co_kzn")

    assert community == PublicCommunity(
        id=207731554,
        name="Бобы и Ко — кофе с собой",
        screen_name="beans_and_co_kzn",
        followers=23870,
        is_closed=False,
        deactivated=None,
    )
    (request,) = platform_api.requests
    assert request.query == {"v": "5.199"}
    assert request.form == {"group_id": "beans_and_co_kzn", "fields": "members_count", "access_token": SERVICE_TOKEN}
    # Every service-token call shares one bucket: VK limits the token, not the community read.
    assert bucket.calls == [("vk", "service")]


def test_wall_posts_since_a_date_skip_the_old_pinned_post(public, platform_api):
    platform_api.route(
        "POST", "/method/wall.get", "vk/public.wall.get.json", form={"owner_id": -207731554, "offset": 0}
    )

    posts = public.fetch_public_posts(207731554, NOW - timedelta(days=28))

    assert [(p.external_id, p.likes, p.comments, p.shares, p.views) for p in posts] == [
        ("951", 184, 21, 9, 6930),
        ("950", 97, 14, 6, 4120),
        ("948", 240, 33, 18, 8805),
        ("945", 121, 9, 4, 5012),
    ]
    assert posts[0].permalink == "https://vk.com/wall-207731554_951"
    # An unpinned post older than the window ends the scan: no second page is asked for.
    assert len(platform_api.requests) == 1


@pytest.mark.parametrize(
    ("fixture", "error", "code", "words"),
    [
        ("vk/public.groups.getById.closed.json", PermissionDenied, "closed", "closed or private"),
        ("vk/public.groups.getById.deactivated.json", PermissionDenied, "deactivated", "deleted or blocked"),
        ("vk/error.invalid_group_id.json", InvalidRequest, 100, None),
        ("vk/error.service_token_invalid.json", AuthExpired, 28, "reconnect"),
        ("vk/error.too_many_requests.json", RateLimited, 6, None),
        ("vk/error.rate_limit_reached.json", RateLimited, 29, "daily API quota"),
    ],
)
def test_community_errors(public, platform_api, fixture, error, code, words):
    platform_api.route("POST", "/method/groups.getById", fixture)

    with pytest.raises(error) as raised:
        public.fetch_public_community("beans_and_co_kzn")

    assert raised.value.code == code
    if words:
        assert words in raised.value.user_message
    assert SERVICE_TOKEN not in str(raised.value)


@pytest.mark.parametrize(
    ("fixture", "error", "code"),
    [
        ("vk/error.wall_members_only.json", PermissionDenied, 15),
        ("vk/error.too_many_requests.json", RateLimited, 6),
        ("vk/error.service_token_invalid.json", AuthExpired, 28),
    ],
)
def test_wall_errors(public, platform_api, fixture, error, code):
    platform_api.route("POST", "/method/wall.get", fixture)

    with pytest.raises(error) as raised:
        public.fetch_public_posts(198004112, NOW - timedelta(days=28))

    assert raised.value.code == code


def test_a_server_error_is_transient(public, platform_api):
    platform_api.route("POST", "/method/groups.getById", platform_api.inline({"error": "bad gateway"}, status=502))

    with pytest.raises(TransientError):
        public.fetch_public_community("beans_and_co_kzn")


@pytest.mark.parametrize(
    ("value", "ref"),
    [
        ("https://vk.com/beans_and_co_kzn", "beans_and_co_kzn"),
        ("https://m.vk.com/beans_and_co_kzn/", "beans_and_co_kzn"),
        ("https://vk.com/club207731554", "207731554"),
        ("https://vk.com/public207731554?w=wall", "207731554"),
        ("beans_and_co_kzn", "beans_and_co_kzn"),
        ("https://vk.com/id1234", None),
        ("https://t.me/beans", None),
        ("", None),
    ],
)
def test_community_ref_from_an_address(value, ref):
    assert community_ref(value) == ref
