"""Publishing through the real connectors against recorded answers: VK's photo upload flow and
guid, Telegram's limits, Facebook's errors, and finding an already published post again
(``find_published``) after an unknown outcome. The publisher's classification of each error is
asserted too (content.publish_errors), since that decides retry vs fail."""

import json
from datetime import UTC, datetime

import pytest
from werkzeug import Response

from content.models import ErrorKind, PublishAttempt
from content.publish_errors import classify
from integrations.connectors.base import (
    InvalidRequest,
    NotSupported,
    PermissionDenied,
    PublishResult,
    RateLimited,
)
from integrations.connectors.facebook import FacebookConnector
from integrations.connectors.telegram import TelegramConnector
from tests.integrations.connectors.instagram_support import route_media
from tests.integrations.connectors.vk_support import GROUP

MENU_TEXT = "Новое сезонное меню уже в кофейнях 🌿\n— раф «Лавандовый мёд»"
SINCE = datetime(2026, 6, 11, tzinfo=UTC)
FB_PAGE = "104857362519874"
FB_API = "/v25.0"
TG_TOKEN = "7311902245:AAH-TEST-telegram-bot-token-0002"


def route_upload_server(platform_api):
    """getWallUploadServer answers with an upload URL on the platform's own upload host: here the
    local server, so the real client follows it."""
    body = platform_api.load("vk/photos.getWallUploadServer.json")
    body["response"]["upload_url"] = f"{platform_api.url}/upload.php?act=do_add&gid={GROUP}&wallphoto=1"
    payload = json.dumps(body).encode()

    def respond(_):
        platform_api.served.append("vk/photos.getWallUploadServer.json")
        return Response(payload, status=200, content_type="application/json")

    platform_api.route("POST", "/method/photos.getWallUploadServer", respond)


def route_image(platform_api, content_type="image/jpeg"):
    platform_api.route("GET", "/media/menu.jpg", lambda _: Response(b"\xff\xd8\xff\xe0JPEG", content_type=content_type))


def test_vk_uploads_an_image_url_then_posts_it_with_the_guid(vk, platform_api):
    route_upload_server(platform_api)
    route_image(platform_api)
    platform_api.route("POST", "/upload.php", "vk/upload.wall_photo.json")
    platform_api.route("POST", "/method/photos.saveWallPhoto", "vk/photos.saveWallPhoto.json")
    platform_api.route("POST", "/method/wall.post", "vk/wall.post.json")

    result = vk.publish(
        "Сезонное меню", media_urls=[f"{platform_api.url}/media/menu.jpg"], idempotency_key="0f3c9a7e5b1d"
    )

    assert result == PublishResult(external_id="1852", permalink="https://vk.com/wall-218450731_1852")
    server, image, upload, save, post = platform_api.requests
    assert server.form["group_id"] == GROUP
    assert (image.method, upload.path) == ("GET", "/upload.php")
    assert upload.headers["Content-Type"].startswith("multipart/form-data")
    assert save.form["group_id"] == GROUP
    assert save.form["server"] == "851232"
    assert save.form["hash"] == "5e0c3f7a9b2d4e6f8a1c3e5b7d9f0a2c"
    assert save.form["photo"].startswith("[{")
    assert post.form["attachments"] == "photo-218450731_457239121"
    assert post.form["guid"] == "0f3c9a7e5b1d"  # VK does not post the same guid twice
    assert post.form["from_group"] == "1"


def test_vk_upload_the_server_could_not_read_is_a_permanent_error(vk, platform_api):
    route_upload_server(platform_api)
    route_image(platform_api)
    platform_api.route("POST", "/upload.php", "vk/upload.wall_photo.empty.json")

    with pytest.raises(InvalidRequest) as excinfo:
        vk.publish("Сезонное меню", media_urls=[f"{platform_api.url}/media/menu.jpg"])
    assert classify(excinfo.value).kind == ErrorKind.PERMANENT
    assert not platform_api.requests_to("/method/wall.post")


def test_vk_refuses_an_image_type_it_does_not_accept(vk, platform_api):
    route_upload_server(platform_api)
    route_image(platform_api, content_type="image/webp")
    with pytest.raises(InvalidRequest, match="JPG, PNG or GIF"):
        vk.publish("x", media_urls=[f"{platform_api.url}/media/menu.jpg"])


def test_vk_video_url_is_not_supported(vk, platform_api):
    with pytest.raises(NotSupported):
        vk.publish("x", media_urls=["https://zerno-coffee.example/clip.mp4"])
    assert platform_api.requests == []


def test_vk_wall_post_errors_are_classified(vk, platform_api):
    platform_api.route("POST", "/method/wall.post", "vk/error.permission_denied.json", times=1)
    platform_api.route("POST", "/method/wall.post", "vk/error.flood_control.json", times=1)

    with pytest.raises(PermissionDenied) as denied:
        vk.publish("text")
    with pytest.raises(RateLimited) as flood:
        vk.publish("text")

    assert classify(denied.value).kind == ErrorKind.PERMANENT
    assert classify(flood.value).attempt_result == PublishAttempt.Result.TRANSIENT  # refused: no check needed


def test_vk_finds_its_post_on_the_wall_by_text(vk, platform_api):
    platform_api.route("POST", "/method/wall.get", "vk/wall.get.json")

    found = vk.find_published(MENU_TEXT + "\n— колд брю на апельсиновом соке", SINCE)
    missing = vk.find_published("Пост, которого нет", SINCE)

    assert found == PublishResult(external_id="1851", permalink="https://vk.com/wall-218450731_1851")
    assert missing is None


def test_telegram_limits_and_errors(platform_api):
    telegram = TelegramConnector(TG_TOKEN, "@zerno_coffee_kzn", base_url=platform_api.url)
    platform_api.route("POST", f"/bot{TG_TOKEN}/sendPhoto", "telegram/error.caption_too_long.json")
    platform_api.route("POST", f"/bot{TG_TOKEN}/sendMessage", "telegram/error.message_too_long.json")

    with pytest.raises(NotSupported, match="1024"):
        telegram.publish("я" * 1025, media_urls=["https://zerno-coffee.example/menu.jpg"])
    with pytest.raises(InvalidRequest) as too_long:
        telegram.publish("я" * 4097)
    assert "4096" in too_long.value.user_message
    assert platform_api.requests == []  # refused before sending
    # The platform's own refusal (it counts after parsing entities): permanent, not retried.
    with pytest.raises(PermissionDenied) as caption:
        telegram.publish("я" * 1024, media_urls=["https://zerno-coffee.example/menu.jpg"])
    with pytest.raises(PermissionDenied) as message:
        telegram.publish("я" * 4096)
    assert classify(caption.value).kind == classify(message.value).kind == ErrorKind.PERMANENT


def test_telegram_cannot_check_for_a_published_post(platform_api):
    telegram = TelegramConnector(TG_TOKEN, "@zerno_coffee_kzn", base_url=platform_api.url)
    with pytest.raises(NotSupported):
        telegram.find_published("text", SINCE)
    assert platform_api.requests == []


def test_facebook_duplicate_post_is_permanent_and_the_post_is_found(platform_api):
    facebook = FacebookConnector("EAAG-TEST-page-secret-token-0004", FB_PAGE, base_url=platform_api.url)
    platform_api.route("POST", f"{FB_API}/{FB_PAGE}/feed", "facebook/error.duplicate_post.json")
    platform_api.route("GET", f"{FB_API}/{FB_PAGE}/posts", "facebook/page.posts.json", absent=("after",))

    with pytest.raises(InvalidRequest) as excinfo:
        facebook.publish("Сезонное меню: раф «Лавандовый мёд»")
    found = facebook.find_published(
        "Сезонное меню: раф «Лавандовый мёд», колд брю на апельсиновом соке и лимонад с базиликом.", SINCE
    )

    assert classify(excinfo.value).kind == ErrorKind.PERMANENT
    assert found is not None
    assert found.external_id == "104857362519874_122134502211987654"


def test_instagram_finds_its_media_by_caption(instagram, platform_api):
    route_media(platform_api)
    found = instagram.find_published("Сезонное меню: 3 новых напитка.", SINCE)
    assert found is not None
    assert found.external_id == "17998765432109876"


def test_a_post_without_text_cannot_be_found_again(vk, platform_api):
    with pytest.raises(NotSupported):
        vk.find_published("   ", SINCE)
    assert platform_api.requests == []
