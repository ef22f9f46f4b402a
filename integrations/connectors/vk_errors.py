"""VK API error mapping. VK reports errors with HTTP 200 and ``{"error": {"error_code": ...}}``.
Mapping (codes only):

===================  ==================  ==================================================
error_code           error               note
===================  ==================  ==================================================
6                    RateLimited 1 s     per-second limit (3 rps user, 20 rps community)
9                    RateLimited 1 h     flood control: the same action too often
29, 601              RateLimited         daily quota: until the next 00:00 Moscow time
14                   CaptchaRequired     a RateLimited (60 s): a server cannot solve
                                         captchas, slowing down is the only remedy
5, 17, 28, 1117      AuthExpired         invalid/expired token, validation required
7, 15, 27, 30, 200,  PermissionDenied    missing scope, not an admin, closed wall/comments,
203, 212, 214, 600                       no access to the ad cabinet
1, 10, 13            TransientError      unknown/internal server error
anything else        InvalidRequest      e.g. 100 invalid parameter
===================  ==================  ==================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from integrations.connectors.base import (
    AuthExpired,
    ConnectorError,
    InvalidRequest,
    PermissionDenied,
    RateLimited,
    TransientError,
    platform_label,
)

# VK's reporting day is the Moscow day; Moscow has had no DST since 2014, so a fixed offset.
MSK = timezone(timedelta(hours=3), "MSK")

RATE_PER_SECOND = 6
FLOOD_CONTROL = 9
CAPTCHA = 14
DAILY_QUOTA_CODES = frozenset({29, 601})
AUTH_CODES = frozenset({5, 17, 28, 1117})
PERMISSION_CODES = frozenset({7, 15, 27, 30, 200, 203, 212, 214, 600})
TRANSIENT_CODES = frozenset({1, 10, 13})
COMMENTS_CLOSED = 212


class CaptchaRequired(RateLimited):
    """VK wants a captcha (error 14). Treated as a rate limit: back off and retry later."""

    default_user_message = "VK asked for a captcha because of too many actions — we will retry later"

    def __init__(self, platform: str, message: str, *, captcha_sid: str | None, captcha_img: str | None) -> None:
        super().__init__(platform, CAPTCHA, message, retry_after=60.0)
        self.captcha_sid = captcha_sid
        self.captcha_img = captcha_img


def vk_error(platform: str, error: Mapping[str, Any], now: datetime) -> ConnectorError:
    code = error.get("error_code")
    message = str(error.get("error_msg", ""))
    label = platform_label(platform)
    if code == RATE_PER_SECOND:
        return RateLimited(platform, code, message, retry_after=1.0)
    if code == FLOOD_CONTROL:
        return RateLimited(
            platform,
            code,
            message,
            retry_after=3600.0,
            user_message=f"{label}: the same action was repeated too often (flood control) — retrying in an hour",
        )
    if code in DAILY_QUOTA_CODES:
        return RateLimited(
            platform,
            code,
            message,
            retry_after=seconds_until_msk_midnight(now),
            user_message=f"{label}: the daily API quota is used up — sync resumes after midnight Moscow time",
        )
    if code == CAPTCHA:
        return CaptchaRequired(
            platform,
            message,
            captcha_sid=str(error["captcha_sid"]) if error.get("captcha_sid") else None,
            captcha_img=error.get("captcha_img"),
        )
    if code in AUTH_CODES:
        return AuthExpired(platform, code, message, user_message=f"{label} token expired — reconnect the account")
    if code in PERMISSION_CODES:
        return PermissionDenied(platform, code, message, user_message=_permission_message(label, code, message))
    if code in TRANSIENT_CODES:
        return TransientError(platform, code, message)
    return InvalidRequest(platform, code, message)


def _permission_message(label: str, code: int, message: str) -> str:
    if code == 15:
        return f"{label}: access denied — the connected user must be an administrator of the community"
    if code == 600:
        return f"{label}: no access to this ad account — check the cabinet's access rights"
    if code == COMMENTS_CLOSED:
        return f"{label}: comments are closed for this post"
    return f"{label}: the token lacks a permission for this action ({message}) — reconnect and grant access"


def seconds_until_msk_midnight(now: datetime) -> float:
    local = now.astimezone(MSK)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tzinfo=MSK)
    return max(60.0, (midnight - local).total_seconds())


__all__ = ["MSK", "CaptchaRequired", "seconds_until_msk_midnight", "vk_error"]
