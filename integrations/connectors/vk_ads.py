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
from urllib.parse import parse_qsl

from integrations.connectors.base import (
    AdStatDay,
    AdUnitStatDay,
    CampaignStatus,
    Capability,
    NotSupported,
    RemoteAd,
    RemoteAdSet,
    RemoteCampaign,
    from_unix,
    opt_decimal,
    opt_int,
)
from integrations.connectors.vk import VKApiConnector, vk_error

_STATUS_FROM_VK = {0: CampaignStatus.PAUSED, 1: CampaignStatus.ACTIVE, 2: CampaignStatus.DELETED}
_STATUS_TO_VK = {v: k for k, v in _STATUS_FROM_VK.items()}
STATS_BATCH = 2000  # ads.getStatistics accepts up to 2000 ids
_SEX = {0: "all", 1: "female", 2: "male"}


class VKAdsConnector(VKApiConnector):
    platform: ClassVar[str] = "vk_ads"
    capabilities: ClassVar[frozenset[str]] = frozenset(
        {Capability.CAMPAIGNS, Capability.AD_STATS, Capability.CAMPAIGN_CONTROL, Capability.AD_UNITS}
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
        self._ads_cache: list[Mapping[str, Any]] | None = None

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

    # ------------------------------------------------------------------ ads (ad set = the ad's targeting)
    # VK Ads (the legacy ads.* API) sets the audience per ad, so each ad is both an "ad set" (its
    # targeting, ads.getAdsTargeting) and a creative (its layout, ads.getAdsLayout), under the
    # same external id; the ad's statistics (ids_type=ad) are the figures of both.

    def _ads(self) -> list[Mapping[str, Any]]:
        # Ad sets, ads and their statistics all need the ad list; a connector serves one sync, so
        # it is read once per connector instead of once per call (ads.* calls are weighted-limited).
        if self._ads_cache is None:
            response = self._call(
                "ads.getAds", account_id=self.external_id, client_id=self.client_id, include_deleted=1
            )
            self._ads_cache = (
                [item for item in response if isinstance(item, Mapping)] if isinstance(response, list) else []
            )
        return self._ads_cache

    def fetch_ad_sets(self) -> list[RemoteAdSet]:
        ads = {str(item.get("id")): item for item in self._ads()}
        response = self._call(
            "ads.getAdsTargeting", account_id=self.external_id, client_id=self.client_id, include_deleted=1
        )
        items = response if isinstance(response, list) else []
        return self.parse_each("ad_set", items, lambda item: _parse_targeting(item, ads.get(str(item.get("id")))))

    def fetch_ads(self) -> list[RemoteAd]:
        ads = {str(item.get("id")): item for item in self._ads()}
        response = self._call(
            "ads.getAdsLayout", account_id=self.external_id, client_id=self.client_id, include_deleted=1
        )
        items = response if isinstance(response, list) else []
        return self.parse_each("ad", items, lambda item: _parse_layout(item, ads.get(str(item.get("id")))))

    def fetch_ad_unit_stats(self, since: date, until: date) -> list[AdUnitStatDay]:
        """Daily statistics per ad (ids_type=ad), each as an ad-set row and an ad row."""
        campaign_of = {str(item["id"]): str(item.get("campaign_id")) for item in self._ads() if "id" in item}
        ids = list(campaign_of)
        rows: list[AdUnitStatDay] = []
        for start in range(0, len(ids), STATS_BATCH):
            response = self._call(
                "ads.getStatistics",
                account_id=self.external_id,
                ids_type="ad",
                ids=ids[start : start + STATS_BATCH],
                period="day",
                date_from=since.isoformat(),
                date_to=until.isoformat(),
            )
            for entry in response if isinstance(response, list) else []:
                ad_id = str(entry.get("id")) if isinstance(entry, Mapping) else ""
                if ad_id not in campaign_of:
                    self.skip("ad_unit_stat", entry, "ad entry without a known id")
                    continue
                parse = partial(self._parse_unit_stat, campaign_of[ad_id], ad_id)
                for row in self.parse_each("ad_unit_stat", entry.get("stats"), parse):
                    rows.extend((row, _as_ad_set(row)))
        return rows

    def _parse_unit_stat(self, campaign_id: str, ad_id: str, stat: Mapping[str, Any]) -> AdUnitStatDay:
        return AdUnitStatDay(
            level="ad",
            campaign_external_id=campaign_id,
            ad_set_external_id=ad_id,
            ad_external_id=ad_id,
            day=date.fromisoformat(stat["day"]),
            spend=opt_decimal(stat.get("spent")),
            impressions=opt_int(stat.get("impressions")),
            clicks=opt_int(stat.get("clicks")),
            reach=opt_int(stat.get("reach")),
            leads=None,
            conversions=None,
            revenue=None,
            currency=self.currency,
        )

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


def _as_ad_set(row: AdUnitStatDay) -> AdUnitStatDay:
    return AdUnitStatDay(**{**{f: getattr(row, f) for f in row.__slots__}, "level": "ad_set", "ad_external_id": None})


def _ids(value: Any) -> list[str]:
    """VK's comma-separated id lists ("1,2") → ["1", "2"]; "" or None → []."""
    if isinstance(value, list):
        return [str(v) for v in value]
    return [part for part in str(value or "").split(",") if part.strip()]


def _ad_status(ad: Mapping[str, Any] | None) -> str:
    return _STATUS_FROM_VK.get(int((ad or {}).get("status", 0)), CampaignStatus.PAUSED)


def _parse_targeting(item: Mapping[str, Any], ad: Mapping[str, Any] | None) -> RemoteAdSet:
    ad_id = str(item["id"])
    country = str(item.get("country") or "")
    geo = ([f"country:{country}"] if country not in ("", "0") else []) + [f"city:{c}" for c in _ids(item.get("cities"))]
    return RemoteAdSet(
        external_id=ad_id,
        campaign_external_id=str(item["campaign_id"]),
        name=(ad or {}).get("name") or ad_id,
        status=_ad_status(ad),
        daily_budget=_limit((ad or {}).get("day_limit")),
        geo=tuple(geo),
        age_min=opt_int(item.get("age_from")) or None,
        age_max=opt_int(item.get("age_to")) or None,
        gender=_SEX.get(int(item.get("sex") or 0), "all"),
        interests=tuple(f"interest:{i}" for i in _ids(item.get("interest_categories")))
        + tuple(f"group:{g}" for g in _ids(item.get("groups"))),
        custom_audiences=tuple(_ids(item.get("retargeting_groups"))),
        raw_spec=dict(item),
    )


def _parse_layout(item: Mapping[str, Any], ad: Mapping[str, Any] | None) -> RemoteAd:
    ad_id = str(item["id"])
    link = str(item.get("link_url") or "")
    query = link.split("?", 1)[1] if "?" in link else ""
    return RemoteAd(
        external_id=ad_id,
        ad_set_external_id=ad_id,
        campaign_external_id=str(item["campaign_id"]),
        name=(ad or {}).get("name") or item.get("title") or ad_id,
        status=_ad_status(ad),
        creative_id=ad_id,
        title=item.get("title") or "",
        text=item.get("description") or "",
        media_url=item.get("image_src") or "",
        destination_url=link,
        utm={k: v for k, v in parse_qsl(query) if k.startswith("utm_")},
    )
