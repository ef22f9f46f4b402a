"""Parsing helpers for Telegram Bot API messages: channel posts, formats, reactions, forwards."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from integrations.connectors.base import PostFormat, RemotePost, from_unix


def _parse_channel_post(message: Mapping[str, Any], reactions: Mapping[str, int] | None) -> RemotePost:
    username = message["chat"].get("username")
    extra: dict[str, Any] = {}
    if reactions is not None:
        extra["reactions"] = dict(reactions)
    if message.get("edit_date"):
        extra["edited_at"] = from_unix(message["edit_date"]).isoformat()
    if message.get("author_signature"):
        extra["author_signature"] = message["author_signature"]
    return RemotePost(
        external_id=str(message["message_id"]),
        published_at=from_unix(message["date"]),
        text=message.get("text") or message.get("caption") or "",
        format=_message_format(message),
        permalink=f"https://t.me/{username}/{message['message_id']}" if username else None,
        likes=sum(reactions.values()) if reactions is not None else None,
        extra=extra,
    )


def _message_format(message: Mapping[str, Any]) -> str:
    if "photo" in message:
        return PostFormat.PHOTO
    if "video" in message or "animation" in message:
        return PostFormat.VIDEO
    if "poll" in message:
        return PostFormat.POLL
    return PostFormat.TEXT


def _reaction_key(reaction_type: Mapping[str, Any]) -> str:
    kind = reaction_type.get("type")
    if kind == "emoji":
        return str(reaction_type["emoji"])
    if kind == "custom_emoji":
        return f"custom:{reaction_type['custom_emoji_id']}"
    return str(kind)


def _forwarded_post(message: Mapping[str, Any]) -> str | None:
    """Channel post id of an automatic forward into the discussion group."""
    origin = message.get("forward_origin") or {}
    if message.get("is_automatic_forward") and origin.get("type") == "channel":
        return str(origin["message_id"])
    return None


def _split_message_ref(ref: str) -> tuple[str, int]:
    chat_id, sep, message_id = ref.rpartition(":")
    if not sep or not chat_id:
        raise ValueError(f"expected '<chat id>:<message id>', got {ref!r}")
    return chat_id, int(message_id)


def _is_video(url: str) -> bool:
    return url.lower().split("?", 1)[0].endswith((".mp4", ".mov", ".m4v"))
