"""Public data of any open VK community, read with the application's service token.

A service token (the "Сервисный ключ доступа" of a VK app) reads what any visitor sees without
being a member or an administrator: ``groups.getById`` (name, ``members_count``, whether the
community is closed or blocked) and ``wall.get`` (the wall's posts with their lifetime likes,
comments, reposts and views). It cannot read ``stats.*`` (reach, visitors) of other communities.

The transport, the error mapping (vk_errors.py) and the post parsing are the community
connector's; only the rate-limit key differs: every call made with the service token shares one
bucket ("service"), because VK limits the token, not the community being read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from integrations.connectors.base import InvalidRequest, PermissionDenied, RemotePost, opt_int
from integrations.connectors.vk import VKConnector

SERVICE_RATE_KEY = "service"
# Addresses VK gives a community: vk.com/<screen_name>, vk.com/club123, vk.com/public123, m.vk.com/…
_VK_URL = re.compile(r"^https?://(?:m\.|www\.)?vk\.(?:com|ru)/(?P<name>[A-Za-z0-9_.]+)/?(?:[?#].*)?$")
_NUMERIC = re.compile(r"^(?:club|public|event)(?P<id>\d+)$")
CLOSED = "closed"
DEACTIVATED = "deactivated"


@dataclass(frozen=True, slots=True)
class PublicCommunity:
    """A VK community as any visitor sees it."""

    id: int
    name: str
    screen_name: str | None
    followers: int | None
    is_closed: bool
    deactivated: str | None


def community_ref(url_or_name: str) -> str | None:
    """The ``group_id`` for groups.getById from a community address or screen name; None when it
    is not a VK community address (a profile's ``id123`` is a person, not a community)."""
    value = url_or_name.strip()
    match = _VK_URL.match(value)
    name = match.group("name") if match else value
    if not re.fullmatch(r"[A-Za-z0-9_.]{2,64}", name) or re.fullmatch(r"id\d+", name):
        return None
    numeric = _NUMERIC.match(name)
    return numeric.group("id") if numeric else name


class VKPublicConnector(VKConnector):
    """Reads other communities' public pages; nothing here writes or needs admin rights."""

    capabilities: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, service_token: str, **kwargs: Any) -> None:
        super().__init__(service_token, "0", **kwargs)
        self._http.rate_limit_key = SERVICE_RATE_KEY

    def fetch_public_community(self, ref: str) -> PublicCommunity:
        """groups.getById for a screen name or id. A closed/private or blocked community is a
        PermissionDenied with a sentence a marketer understands (its wall cannot be read)."""
        response = self._call("groups.getById", group_id=ref, fields="members_count")

        def parse() -> PublicCommunity:
            groups = response["groups"] if isinstance(response, dict) else response
            group = groups[0]
            return PublicCommunity(
                id=int(group["id"]),
                name=str(group.get("name") or ""),
                screen_name=group.get("screen_name"),
                followers=opt_int(group.get("members_count")),
                is_closed=bool(group.get("is_closed")),
                deactivated=group.get("deactivated") or None,
            )

        community = self.parse_one("groups.getById", parse)
        if community.deactivated:
            raise PermissionDenied(
                self.platform,
                DEACTIVATED,
                f"community {community.id} is {community.deactivated}",
                user_message="VK: this community is deleted or blocked — its public data cannot be read",
            )
        if community.is_closed:
            raise PermissionDenied(
                self.platform,
                CLOSED,
                f"community {community.id} is closed",
                user_message="VK: this community is closed or private — only its members see the wall; "
                "record its figures by hand",
            )
        return community

    def fetch_public_posts(self, community_id: int, since: datetime) -> list[RemotePost]:
        """The community's own wall posts published at/after ``since`` (wall.get, newest first,
        paged until a post older than ``since``; the pinned post is skipped by age, not order)."""
        if community_id <= 0:
            raise InvalidRequest(self.platform, "community", "a community id is positive")
        self.external_id = str(community_id)
        return self.fetch_posts(since)


__all__ = ["PublicCommunity", "VKPublicConnector", "community_ref"]
