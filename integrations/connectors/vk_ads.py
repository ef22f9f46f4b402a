"""VK Ads (the ads.* methods of VK API 5.199) for one ad cabinet. ``external_id`` = ad account
id; agencies pass ``client_id``. Error mapping is vk.py's table: 601 (daily weighted limit)
→ RateLimited until Moscow midnight, 600 (no access to the cabinet) → PermissionDenied, 5 →
AuthExpired, 9 → RateLimited.

Amounts: ``day_limit``/``all_limit``/``spent`` are strings in MAJOR units of the cabinet's
currency (RUB unless told otherwise); "0" limits mean "no limit" → None.
VK's statistics have no leads, conversions or revenue: those stay None (unknown), not zero,
and a day that omits ``spent``/``impressions``/``clicks`` reports them as None too. A campaign
or statistics row that cannot be read is skipped and recorded (``connector.skipped``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any, ClassVar

from integrations.connectors.base import (
    AdStatDay,
    CampaignStatus,
    Capability,
    NotSupported,
    RemoteCampaign,
    from_unix,
    opt_decimal,
    opt_int,
)
from integrations.connectors.vk import VKApiConnector, vk_error

_STATUS_FROM_VK = {0: CampaignStatus.PAUSED, 1: CampaignStatus.ACTIVE, 2: CampaignStatus.DELETED}
_STATUS_TO_VK = {v: k for k, v in _STATUS_FROM_VK.items()}
STATS_BATCH = 2000  # ads.getStatistics accepts up to 2000 ids


class VKAdsConnector(VKApiConnector):
    platform: ClassVar[str] = "vk_ads"
    capabilities: ClassVar[frozenset[str]] = frozenset(
        {Capability.CAMPAIGNS, Capability.AD_STATS, Capability.CAMPAIGN_CONTROL}
    )
    unsupported_messages: ClassVar[Mapping[str, str]] = {
        Capability.POSTS: "An ad cabinet has no posts of its own; connect the VK community",
        Capability.COMMENTS: "Ad comments are read through the VK community connection",
        Capability.PUBLISH: "Creating VK ads is not supported yet; create them in the VK Ads cabinet",
        Capability.MENTIONS: "Mention search runs through the VK community connection",
    }

    def __init__(
        self,
        access_token: str,
        external_id: str,
        *,
        client_id: str | None = None,
        currency: str = "RUB",
        **kwargs: Any,
    ) -> None:
        super().__init__(access_token, external_id, **kwargs)
        self.client_id = client_id
        self.currency = currency

    def fetch_campaigns(self) -> list[RemoteCampaign]:
        """All campaigns including deleted ones, so the sync can mark deletions."""
        response = self._call(
            "ads.getCampaigns", account_id=self.external_id, client_id=self.client_id, include_deleted=1
        )
        return self.parse_each("campaign", response, self._parse_campaign)

    def fetch_ad_stats(self, since: date, until: date, *, campaign_ids: Sequence[str] | None = None) -> list[AdStatDay]:
        """Daily campaign statistics. Without ``campaign_ids`` the campaign list is read first
        (ads.getStatistics needs explicit ids)."""
        ids = list(campaign_ids) if campaign_ids is not None else [c.external_id for c in self.fetch_campaigns()]
        rows: list[AdStatDay] = []
        for start in range(0, len(ids), STATS_BATCH):
            response = self._call(
                "ads.getStatistics",
                account_id=self.external_id,
                ids_type="campaign",
                ids=ids[start : start + STATS_BATCH],
                period="day",
                date_from=since.isoformat(),
                date_to=until.isoformat(),
            )
            for entry in response if isinstance(response, list) else []:
                if not isinstance(entry, Mapping) or not isinstance(entry.get("id"), int | str):
                    self.skip("ad_stat", entry, "campaign entry without id")
                    continue
                campaign_id = str(entry["id"])
                rows.extend(self.parse_each("ad_stat", entry.get("stats"), partial(self._parse_stat, campaign_id)))
        return rows

    def set_campaign_status(self, campaign_external_id: str, status: str) -> None:
        vk_status = _STATUS_TO_VK.get(CampaignStatus(status))
        if vk_status is None:
            raise NotSupported(self.platform, "VK Ads has no archive: pause or delete the campaign instead")
        self._update_campaign(campaign_external_id, {"status": vk_status})

    def set_campaign_budget(self, campaign_external_id: str, daily_budget: Decimal) -> None:
        """VK takes whole currency units for ``day_limit``."""
        if daily_budget <= 0 or daily_budget != daily_budget.to_integral_value():
            raise ValueError("VK Ads daily budget must be a positive whole amount")
        self._update_campaign(campaign_external_id, {"day_limit": str(int(daily_budget))})

    def _update_campaign(self, campaign_external_id: str, changes: Mapping[str, Any]) -> None:
        spec = [{"campaign_id": int(campaign_external_id), **changes}]
        response = self._call(
            "ads.updateCampaigns", account_id=self.external_id, data=json.dumps(spec, separators=(",", ":"))
        )
        # Per-item failures come back inside a successful response.
        for item in response if isinstance(response, list) else []:
            if isinstance(item, Mapping) and item.get("error_code"):
                failure = {"error_code": item["error_code"], "error_msg": item.get("error_desc", "")}
                error = vk_error(self.platform, failure, self.now())
                error.redact(self._http.secrets)
                raise error

    def _parse_campaign(self, item: Mapping[str, Any]) -> RemoteCampaign:
        return RemoteCampaign(
            external_id=str(item["id"]),
            name=item.get("name") or "",
            status=_STATUS_FROM_VK.get(int(item.get("status", 0)), CampaignStatus.PAUSED),
            objective=item.get("type"),
            daily_budget=_limit(item.get("day_limit")),
            lifetime_budget=_limit(item.get("all_limit")),
            currency=self.currency,
            start=from_unix(item["start_time"]) if int(item.get("start_time") or 0) else None,
            stop=from_unix(item["stop_time"]) if int(item.get("stop_time") or 0) else None,
            effective_status=str(item.get("status")),
        )

    def _parse_stat(self, campaign_id: str, stat: Mapping[str, Any]) -> AdStatDay:
        extra = {key: stat[key] for key in ("join_rate",) if key in stat}
        return AdStatDay(
            campaign_external_id=campaign_id,
            day=date.fromisoformat(stat["day"]),
            spend=opt_decimal(stat.get("spent")),
            impressions=opt_int(stat.get("impressions")),
            clicks=opt_int(stat.get("clicks")),
            leads=None,
            conversions=None,
            revenue=None,
            currency=self.currency,
            reach=opt_int(stat.get("reach")),
            extra=extra,
        )


def _limit(value: Any) -> Decimal | None:
    if value in (None, "", "0", 0):
        return None
    return Decimal(str(value))
