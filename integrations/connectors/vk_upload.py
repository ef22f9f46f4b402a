"""VK's photo upload flow for wall posts: VK does not fetch images from URLs.

``photos.getWallUploadServer`` names an upload URL → the image is downloaded from its URL and sent
there as multipart ``photo`` → ``photos.saveWallPhoto`` turns the upload into a photo object whose
``photo<owner>_<id>`` is attached to ``wall.post``. (https://dev.vk.com/ru/api/upload/wall-photo)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from integrations.connectors.errors import InvalidRequest, MalformedResponse
from integrations.connectors.http import HttpApi

# VK accepts JPG, PNG and GIF up to 50 MB per wall photo.
MAX_PHOTO_BYTES = 50 * 1024 * 1024
_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif"}


def _download(http: HttpApi, url: str) -> tuple[bytes, str]:
    response = http.send("GET", url)
    if response.status_code >= 400:
        raise InvalidRequest(
            "vk", response.status_code, f"the image could not be downloaded (HTTP {response.status_code})"
        )
    content_type = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type not in _TYPES:
        raise InvalidRequest("vk", "photo_type", f"VK accepts JPG, PNG or GIF images, not {content_type or 'unknown'}")
    if len(response.content) > MAX_PHOTO_BYTES:
        raise InvalidRequest("vk", "photo_size", "VK accepts wall photos up to 50 MB")
    return response.content, content_type


def upload_wall_photo(http: HttpApi, call: Callable[..., Any], *, group_id: str, url: str) -> str:
    """One image URL → the ``photo<owner>_<id>`` attachment of the community's wall."""
    server = call("photos.getWallUploadServer", group_id=group_id)
    upload_url = server.get("upload_url") if isinstance(server, Mapping) else None
    if not isinstance(upload_url, str) or not upload_url:
        raise MalformedResponse("vk", "malformed", "no upload_url in the photos.getWallUploadServer answer")
    content, content_type = _download(http, url)
    response = http.send("POST", upload_url, files={"photo": (f"photo.{_TYPES[content_type]}", content, content_type)})
    uploaded = http.json_body(response)
    if not isinstance(uploaded, Mapping) or not uploaded.get("photo") or uploaded.get("photo") == "[]":
        # The upload server answers 200 with an empty "photo" when it could not read the image.
        raise InvalidRequest("vk", "upload_failed", "VK could not read the uploaded image")
    saved = call(
        "photos.saveWallPhoto",
        group_id=group_id,
        photo=uploaded["photo"],
        server=uploaded.get("server"),
        hash=uploaded.get("hash"),
    )
    photo = saved[0] if isinstance(saved, list) and saved else None
    if not isinstance(photo, Mapping) or "id" not in photo or "owner_id" not in photo:
        raise MalformedResponse("vk", "malformed", "no photo in the photos.saveWallPhoto answer")
    return f"photo{photo['owner_id']}_{photo['id']}"


__all__ = ["MAX_PHOTO_BYTES", "upload_wall_photo"]
