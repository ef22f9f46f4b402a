"""Instagram connector: publishing (containers, quota) and Instagram-specific errors."""

import hashlib
import hmac
import re

import pytest

from integrations.connectors.base import (
    AuthExpired,
    NotSupported,
    PublishResult,
    RateLimited,
)
from integrations.connectors.graph import MediaNotReady
from integrations.connectors.instagram import InstagramConnector, MediaRejected
from tests.integrations.connectors.instagram_support import (
    API,
    CONTAINER,
    IG_USER,
    TOKEN,
)

# ---------------------------------------------------------------------- publishing


def route_publish(platform_api, *statuses: str) -> None:
    platform_api.route(
        "GET", f"{API}/{IG_USER}/content_publishing_limit", "instagram/ig_user.content_publishing_limit.json"
    )
    platform_api.route("POST", f"{API}/{IG_USER}/media", "instagram/ig_user.media.create_container.json")
    for status in statuses:
        platform_api.route("GET", f"{API}/{CONTAINER}", status, times=1)


def test_publish_waits_for_the_container_then_publishes(instagram, platform_api, sleeper):
    route_publish(
        platform_api, "instagram/ig_container.status.in_progress.json", "instagram/ig_container.status.finished.json"
    )
    platform_api.route("POST", f"{API}/{IG_USER}/media_publish", "instagram/ig_user.media_publish.json")

    result = instagram.publish(
        "Мастер-класс 14 июня",
        media_urls=["https://zerno-coffee.example/mk.jpg"],
        link="https://zerno-coffee.example/mk",
    )

    assert result == PublishResult(external_id="18071239904516877")
    assert sleeper.calls == [5.0]  # one IN_PROGRESS poll
    paths = [(r.method, r.path) for r in platform_api.requests]
    assert paths == [
        ("GET", f"{API}/{IG_USER}/content_publishing_limit"),
        ("POST", f"{API}/{IG_USER}/media"),
        ("GET", f"{API}/{CONTAINER}"),
        ("GET", f"{API}/{CONTAINER}"),
        ("POST", f"{API}/{IG_USER}/media_publish"),
    ]
    create = platform_api.requests[1]
    assert create.form == {
        "caption": "Мастер-класс 14 июня\n\nhttps://zerno-coffee.example/mk",
        "image_url": "https://zerno-coffee.example/mk.jpg",
        "access_token": TOKEN,
    }
    assert platform_api.requests[2].query["fields"] == "status_code,status"
    assert platform_api.requests[4].form["creation_id"] == CONTAINER


def test_publish_video_as_reel_and_carousel_children(instagram, platform_api):
    platform_api.route(
        "GET", f"{API}/{IG_USER}/content_publishing_limit", "instagram/ig_user.content_publishing_limit.json"
    )
    media = f"{API}/{IG_USER}/media"
    platform_api.route("POST", media, platform_api.inline({"id": "c1"}), form={"is_carousel_item": "true"}, times=1)
    platform_api.route("POST", media, platform_api.inline({"id": "c2"}), form={"is_carousel_item": "true"}, times=1)
    platform_api.route("POST", media, "instagram/ig_user.media.create_container.json")
    platform_api.route("GET", re.compile(rf"{API}/(c1|c2|{CONTAINER})"), "instagram/ig_container.status.finished.json")
    platform_api.route("POST", f"{API}/{IG_USER}/media_publish", "instagram/ig_user.media_publish.json")

    instagram.publish("Карусель", media_urls=["https://x.example/a.jpg", "https://x.example/b.MP4"])

    creates = [r.form for r in platform_api.requests if r.method == "POST" and r.path == media]
    assert creates[0]["image_url"] == "https://x.example/a.jpg"
    assert (creates[1]["media_type"], creates[1]["video_url"]) == ("VIDEO", "https://x.example/b.MP4")
    assert (creates[2]["media_type"], creates[2]["children"]) == ("CAROUSEL", "c1,c2")


def test_publish_rejected_media_is_not_published(instagram, platform_api):
    route_publish(platform_api, "instagram/ig_container.status.error.json")

    with pytest.raises(MediaRejected) as excinfo:
        instagram.publish("x", media_urls=["https://zerno-coffee.example/broken.jpg"])

    assert excinfo.value.code == "ERROR"
    assert not platform_api.requests_to(f"{API}/{IG_USER}/media_publish")


def test_publish_before_the_media_is_ready_is_transient(instagram, platform_api):
    route_publish(platform_api, "instagram/ig_container.status.finished.json")
    platform_api.route("POST", f"{API}/{IG_USER}/media_publish", "instagram/error.media_not_ready.json")

    with pytest.raises(MediaNotReady) as excinfo:
        instagram.publish("x", media_urls=["https://zerno-coffee.example/a.jpg"])

    assert (excinfo.value.code, excinfo.value.subcode, excinfo.value.retry_after) == (9007, 2207027, 60.0)
    assert excinfo.value.is_transient is True


def test_publish_respects_the_24h_quota(instagram, platform_api):
    full = {"data": [{"config": {"quota_total": 100, "quota_duration": 86400}, "quota_usage": 100}]}
    platform_api.route("GET", f"{API}/{IG_USER}/content_publishing_limit", platform_api.inline(full))

    with pytest.raises(RateLimited) as excinfo:
        instagram.publish("x", media_urls=["https://zerno-coffee.example/a.jpg"])

    assert excinfo.value.code == "publishing_limit"
    assert len(platform_api.requests) == 1


def test_publishing_quota(instagram, platform_api):
    platform_api.route(
        "GET", f"{API}/{IG_USER}/content_publishing_limit", "instagram/ig_user.content_publishing_limit.json"
    )

    assert instagram.publishing_quota() == (7, 100)
    assert platform_api.requests[0].query["fields"] == "config,quota_usage"


def test_publish_without_media_is_not_supported(instagram, platform_api):
    with pytest.raises(NotSupported, match="at least one image"):
        instagram.publish("text only")
    assert platform_api.requests == []


# ---------------------------------------------------------------------- errors
# Every error fixture's class, code, subcode and wait: test_contract.py.


def test_auth_error_user_message(instagram, platform_api):
    platform_api.route("GET", f"{API}/{IG_USER}", "instagram/error.token_expired.json")

    with pytest.raises(AuthExpired) as excinfo:
        instagram.fetch_profile()

    assert excinfo.value.user_message == "Instagram access expired — reconnect the account"


def test_app_secret_proof_is_sent_and_never_shown(platform_api):
    connector = InstagramConnector(TOKEN, IG_USER, base_url=platform_api.url, app_secret="app-secret-xyz")
    platform_api.route("GET", f"{API}/{IG_USER}", "instagram/ig_user.fields.json")

    connector.fetch_profile()

    expected = hmac.new(b"app-secret-xyz", TOKEN.encode(), hashlib.sha256).hexdigest()
    assert platform_api.requests[0].query["appsecret_proof"] == expected
    assert "app-secret-xyz" not in repr(connector)
