"""The unread notifications count in the navigation of every organization page."""

from collections.abc import Callable
from typing import Any

from .selectors import unread_notification_count


def notifications(request: Any) -> dict[str, Callable[[], int]]:
    """`unread_notifications`: counted once, only when a page's navigation shows it (a callable: the
    template calls it; pages outside an organization and API requests never query)."""
    organization = getattr(request, "organization", None)
    user = getattr(request, "user", None)
    if organization is None or user is None or getattr(user, "pk", None) is None:
        return {}
    memo: list[int] = []

    def count() -> int:
        if not memo:
            memo.append(unread_notification_count(organization=organization, user=user))
        return memo[0]

    return {"unread_notifications": count}
