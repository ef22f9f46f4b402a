"""Telegram Bot API error mapping (the HTTP status equals ``error_code``; codes and ``parameters`` only):

=========================  ====================  =========================================
error                      raised                note
=========================  ====================  =========================================
429 (parameters.retry_...  RateLimited           retry_after = parameters.retry_after
parameters.migrate_to_...  ChatMigrated          retried once with the new id, see below
401, 404                   AuthExpired           revoked token / malformed token in the URL
403                        PermissionDenied      bot not a member / kicked
400                        PermissionDenied      need admin rights, chat not found: the chat
                                                 setup must be fixed; the reason is shown
409                        WebhookConflict       PermissionDenied subclass
5xx                        TransientError        (base.py)
=========================  ====================  =========================================

400 is not split further because Telegram gives no code beyond 400 and we never match text.
"""

from __future__ import annotations

from typing import Any

from integrations.connectors.base import (
    AuthExpired,
    ConnectorError,
    InvalidRequest,
    PermissionDenied,
    RateLimited,
)

DEFAULT_FLOOD_WAIT = 30.0


class ChatMigrated(InvalidRequest):
    """The group became a supergroup with a new id (``new_chat_id``)."""

    def __init__(self, platform: str, message: str, *, new_chat_id: str) -> None:
        super().__init__(platform, 400, message)
        self.new_chat_id = new_chat_id


class WebhookConflict(PermissionDenied):
    default_user_message = (
        "this bot has a webhook set by another service, so it cannot read updates — "
        "remove the webhook or connect a dedicated bot"
    )


def telegram_error(platform: str, status: int, body: Any) -> ConnectorError:
    body = body if isinstance(body, dict) else {}
    code = body.get("error_code", status)
    message = str(body.get("description", f"HTTP {status}"))
    parameters = body.get("parameters") or {}
    if "migrate_to_chat_id" in parameters:
        return ChatMigrated(platform, message, new_chat_id=str(parameters["migrate_to_chat_id"]))
    if code == 429 or "retry_after" in parameters:
        retry_after = float(parameters.get("retry_after", DEFAULT_FLOOD_WAIT))
        return RateLimited(
            platform,
            code,
            message,
            retry_after=retry_after,
            user_message=f"Telegram flood limit — retrying in {int(retry_after)} s",
        )
    if code in (401, 404):
        return AuthExpired(
            platform, code, message, user_message="Telegram bot token is invalid or revoked — reconnect the bot"
        )
    if code == 409:
        return WebhookConflict(platform, code, message)
    if code == 403:
        return PermissionDenied(
            platform,
            code,
            message,
            user_message="Telegram: the bot is not a member of the channel — add it back as an administrator",
        )
    if code == 400:
        return PermissionDenied(
            platform,
            code,
            message,
            user_message=(
                f"Telegram refused the request ({message}) — check the channel id and that the bot is an "
                "administrator allowed to post"
            ),
        )
    return InvalidRequest(platform, code, message)
