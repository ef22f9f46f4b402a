"""Meta Marketing API v25.0 for one ad account. ``external_id`` = ad account id (with or
without the ``act_`` prefix).

Error mapping: graph.py; Marketing specifics: 80000 (ads_insights BUC), 80004
(ads_management BUC), 17 + subcode 2446079 (user request limit) → RateLimited with the delay
from ``X-Business-Use-Case-Usage``/``X-Ad-Account-Usage``; 200 (no ads_read/ads_management) →
PermissionDenied; 100 → InvalidRequest; 190 → AuthExpired.

Money: budgets come as strings in the currency's minor units ("2500" USD = 25.00); insights
``spend`` and ``action_values`` are strings in major units. Everything becomes Decimal.

Counting rules (one rule each, so nothing is counted twice):
* leads = the ``lead`` action (Meta's own total over instant forms and the website pixel)
  when present; otherwise ``onsite_conversion.lead_grouped`` + ``offsite_conversion.fb_pixel_lead``
  (disjoint sources). ``leadgen_grouped`` is an alias and never added.
* conversions / revenue = the first present of ``purchase``, ``omni_purchase``,
  ``offsite_conversion.fb_pixel_purchase`` in ``actions`` / ``action_values``.
* clicks = the ``clicks`` field (all clicks, what ``cpc`` divides by); link clicks go to extra.
* Absent is not zero: a row without a purchase in ``actions`` / ``action_values`` reports
  conversions / revenue as None ("not reported": the campaign may not track purchases, and
  ROI must not count its spend), and a missing ``spend``/``impressions``/``clicks`` is None.
  Leads keep Meta's own rule: a row without a lead action reports 0 leads (Meta omits
  zero-valued actions, and every campaign can collect leads through instant forms).
* A row that cannot be read (no ``campaign_id``/``date_start``, an unparsable number) is
  skipped and recorded (``connector.skipped``); the other rows are returned.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar
from urllib.parse import parse_qsl

from integrations.connectors.base import (
    AdStatDay,
    AdUnitStatDay,
    CampaignStatus,
    Capability,
    RemoteAd,
    RemoteAdSet,
    RemoteCampaign,
    TransientError,
    opt_decimal,
    opt_int,
    parse_iso,
)
from integrations.connectors.graph import GraphConnector, require_success

CAMPAIGN_FIELDS = (
    "id,name,status,effective_status,configured_status,objective,buying_type,special_ad_categories,"
    "bid_strategy,daily_budget,lifetime_budget,budget_remaining,start_time,stop_time,created_time,updated_time"
)
INSIGHT_FIELDS = "campaign_id,campaign_name,spend,impressions,clicks,cpc,ctr,actions,action_values,account_currency"
ADSET_FIELDS = "id,name,status,campaign_id,daily_budget,targeting"
AD_FIELDS = (
    "id,name,status,adset_id,campaign_id,"
    "creative{id,title,body,image_url,call_to_action_type,object_story_spec,url_tags}"
)
_UNIT_METRICS = "spend,impressions,clicks,reach,actions,action_values,account_currency"
UNIT_INSIGHT_FIELDS = {
    "adset": f"campaign_id,adset_id,{_UNIT_METRICS}",
    "ad": f"campaign_id,adset_id,ad_id,{_UNIT_METRICS}",
}
_GENDERS: dict[tuple[int, ...], str] = {(1,): "male", (2,): "female"}  # Meta: 1 = men, 2 = women; both or absent = all

# Currencies Meta bills without a minor unit (offset 1); all others use cents (offset 100).
ZERO_DECIMAL_CURRENCIES = frozenset({"CLP", "COP", "CRC", "HUF", "ISK", "IDR", "JPY", "KRW", "PYG", "TWD", "VND"})

LEAD_TOTAL = "lead"
LEAD_PARTS = ("onsite_conversion.lead_grouped", "offsite_conversion.fb_pixel_lead")
PURCHASE_TYPES = ("purchase", "omni_purchase", "offsite_conversion.fb_pixel_purchase")

_STATUS_FROM_META = {
    "ACTIVE": CampaignStatus.ACTIVE,
    "PAUSED": CampaignStatus.PAUSED,
    "ARCHIVED": CampaignStatus.ARCHIVED,
    "DELETED": CampaignStatus.DELETED,
}
_STATUS_TO_META = {v: k for k, v in _STATUS_FROM_META.items()}
_JOB_DONE = "Job Completed"
_JOB_FAILED = frozenset({"Job Failed", "Job Skipped"})


class MetaAdsConnector(GraphConnector):
    platform: ClassVar[str] = "meta_ads"
    capabilities: ClassVar[frozenset[str]] = frozenset(
        {Capability.CAMPAIGNS, Capability.AD_STATS, Capability.CAMPAIGN_CONTROL, Capability.AD_UNITS}
    )
    unsupported_messages: ClassVar[Mapping[str, str]] = {
        Capability.POSTS: "An ad account has no posts of its own; connect the Facebook Page or Instagram account",
        Capability.COMMENTS: "Ad comments are read through the Facebook Page or Instagram connection",
        Capability.PUBLISH: "Creating ads is not supported yet; create them in Ads Manager",
        Capability.MENTIONS: "Meta's API has no brand-mention search",
    }

    def __init__(
        self,
        access_token: str,
        external_id: str,
        *,
        currency: str | None = None,
        async_after_days: int = 31,
        report_poll_interval: float = 10.0,
        report_max_wait: float = 600.0,
        sleep: Callable[[float], None] = time.sleep,
        **kwargs: Any,
    ) -> None:
        super().__init__(access_token, str(external_id).removeprefix("act_"), **kwargs)
        self._currency = currency
        self.async_after_days = async_after_days
        self.report_poll_interval = report_poll_interval
        self.report_max_wait = report_max_wait
        self._sleep = sleep

    @property
    def account_path(self) -> str:
        return f"act_{self.external_id}"

    @property
    def currency(self) -> str:
        """The ad account's currency (asked once if not given at construction)."""
        if self._currency is None:
            self._currency = str(self._get(self.account_path, {"fields": "currency"})["currency"])
        return self._currency

    # ------------------------------------------------------------------ campaigns

    def fetch_campaigns(self) -> list[RemoteCampaign]:
        """Campaigns of the account (Meta omits archived/deleted ones unless filtered for)."""
        currency = self.currency
        items = list(self._paged(f"{self.account_path}/campaigns", {"fields": CAMPAIGN_FIELDS, "limit": 100}))
        return self.parse_each("campaign", items, lambda item: _parse_campaign(item, currency))

    def fetch_campaign(self, campaign_external_id: str) -> RemoteCampaign:
        body = self._get(campaign_external_id, {"fields": CAMPAIGN_FIELDS})
        currency = self.currency
        return self.parse_one("campaign", lambda: _parse_campaign(body, currency))

    def set_campaign_status(self, campaign_external_id: str, status: str) -> None:
        meta_status = _STATUS_TO_META.get(CampaignStatus(status))
        require_success(self.platform, self._post(campaign_external_id, {"status": meta_status}))

    def set_campaign_budget(self, campaign_external_id: str, daily_budget: Decimal) -> None:
        minor = to_minor_units(daily_budget, self.currency)
        require_success(self.platform, self._post(campaign_external_id, {"daily_budget": str(minor)}))

    # ------------------------------------------------------------------ statistics

    def fetch_ad_stats(self, since: date, until: date, *, breakdowns: Sequence[str] = ()) -> list[AdStatDay]:
        """Campaign-level daily rows (time_increment=1). Ranges longer than
        ``async_after_days`` run as an async report job, as Meta advises for big reads."""
        params = {
            "level": "campaign",
            "fields": INSIGHT_FIELDS,
            "time_increment": 1,
            "time_range": json.dumps({"since": since.isoformat(), "until": until.isoformat()}, separators=(",", ":")),
            "breakdowns": ",".join(breakdowns) or None,
            "limit": 500,
        }
        if (until - since).days + 1 > self.async_after_days:
            rows = self._run_async_report(params)
        else:
            rows = list(self._paged(f"{self.account_path}/insights", params))
        # Rows carry account_currency; the account lookup is only a fallback for rows without it.
        return self.parse_each(
            "ad_stat",
            rows,
            lambda row: _parse_insight_row(row, row.get("account_currency") or self.currency, breakdowns),
        )

    # ------------------------------------------------------------------ ad sets, ads, their statistics

    def fetch_ad_sets(self) -> list[RemoteAdSet]:
        currency = self.currency
        items = list(self._paged(f"{self.account_path}/adsets", {"fields": ADSET_FIELDS, "limit": 100}))
        return self.parse_each("ad_set", items, lambda item: _parse_ad_set(item, currency))

    def fetch_ads(self) -> list[RemoteAd]:
        items = list(self._paged(f"{self.account_path}/ads", {"fields": AD_FIELDS, "limit": 100}))
        return self.parse_each("ad", items, _parse_ad)

    def fetch_ad_unit_stats(self, since: date, until: date) -> list[AdUnitStatDay]:
        """Daily rows per ad set (``level=adset``) and per ad (``level=ad``), one paged read each."""
        rows: list[AdUnitStatDay] = []
        for level in ("adset", "ad"):
            params = {
                "level": level,
                "fields": UNIT_INSIGHT_FIELDS[level],
                "time_increment": 1,
                "time_range": json.dumps(
                    {"since": since.isoformat(), "until": until.isoformat()}, separators=(",", ":")
                ),
                "limit": 500,
            }
            found = list(self._paged(f"{self.account_path}/insights", params))
            rows.extend(
                self.parse_each(
                    "ad_unit_stat",
                    found,
                    lambda row: _parse_unit_row(row, row.get("account_currency") or self.currency),
                )
            )
        return rows

    def _run_async_report(self, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        body = self._post(f"{self.account_path}/insights", params)
        run_id = self.parse_one("async report", lambda: str(body["report_run_id"]))
        waited = 0.0
        while True:
            status = self._get(run_id, {})
            state = status.get("async_status")
            if state == _JOB_DONE and int(status.get("async_percent_completion", 100)) >= 100:
                return list(self._paged(f"{run_id}/insights", {"limit": 500}))
            if state in _JOB_FAILED:
                raise TransientError(self.platform, state, f"async report {run_id}: {state}")
            if waited >= self.report_max_wait:
                raise TransientError(
                    self.platform, state, f"async report {run_id} not ready after {waited:.0f} s", retry_after=60.0
                )
            self._sleep(self.report_poll_interval)
            waited += self.report_poll_interval


# ---------------------------------------------------------------------- parsing


def currency_offset(currency: str) -> int:
    return 1 if currency.upper() in ZERO_DECIMAL_CURRENCIES else 100


def from_minor_units(value: Any, currency: str) -> Decimal | None:
    if value in (None, ""):
        return None
    offset = currency_offset(currency)
    amount = Decimal(str(value)) / offset
    # Only sets the scale (12300 → 123.00): whole minor units divided by the offset are exact, so
    # nothing is rounded here and core.numbers' rounding rule does not apply.
    return amount.quantize(Decimal(1) / offset)


def to_minor_units(amount: Decimal, currency: str) -> int:
    """Major-unit Decimal → Meta's integer minor units; refuses fractions of a minor unit."""
    minor = Decimal(amount) * currency_offset(currency)
    if minor != minor.to_integral_value():
        raise ValueError(f"{amount} has more decimals than {currency} allows")
    if minor <= 0:
        raise ValueError("budget must be positive")
    return int(minor)


def _parse_campaign(item: Mapping[str, Any], currency: str) -> RemoteCampaign:
    return RemoteCampaign(
        external_id=str(item["id"]),
        name=item.get("name") or "",
        # "status" is what the advertiser set; effective_status (delivery) is kept verbatim.
        status=_STATUS_FROM_META.get(item.get("status") or "", CampaignStatus.PAUSED),
        objective=item.get("objective"),
        daily_budget=from_minor_units(item.get("daily_budget"), currency),
        lifetime_budget=from_minor_units(item.get("lifetime_budget"), currency),
        currency=currency,
        start=parse_iso(item["start_time"]) if item.get("start_time") else None,
        stop=parse_iso(item["stop_time"]) if item.get("stop_time") else None,
        effective_status=item.get("effective_status"),
    )


def _parse_insight_row(row: Mapping[str, Any], currency: str, breakdowns: Sequence[str]) -> AdStatDay:
    actions = _action_map(row.get("actions"))
    values = _action_map(row.get("action_values"))
    extra: dict[str, Any] = {}
    if row.get("campaign_name"):
        extra["campaign_name"] = row["campaign_name"]
    if "link_click" in actions:
        extra["link_clicks"] = int(actions["link_click"])
    conversions = _first_present(actions, PURCHASE_TYPES)
    return AdStatDay(
        campaign_external_id=str(row["campaign_id"]),
        day=date.fromisoformat(row["date_start"]),
        spend=opt_decimal(row.get("spend")),
        impressions=opt_int(row.get("impressions")),
        clicks=opt_int(row.get("clicks")),
        leads=count_leads(actions),
        conversions=None if conversions is None else int(conversions),
        revenue=_first_present(values, PURCHASE_TYPES),
        currency=currency,
        breakdown={key: str(row[key]) for key in breakdowns if key in row},
        extra=extra,
    )


def _parse_ad_set(item: Mapping[str, Any], currency: str) -> RemoteAdSet:
    targeting: Mapping[str, Any] = item["targeting"] if isinstance(item.get("targeting"), Mapping) else {}
    geo_locations = targeting.get("geo_locations") or {}
    geo: list[str] = [str(c) for c in geo_locations.get("countries") or []]
    for kind in ("regions", "cities"):
        geo.extend(str(place.get("name") or place.get("key")) for place in geo_locations.get(kind) or [])
    interests = [*(targeting.get("interests") or [])]
    for spec in targeting.get("flexible_spec") or []:
        interests.extend(spec.get("interests") or [])
    genders = tuple(sorted(int(g) for g in targeting.get("genders") or []))
    return RemoteAdSet(
        external_id=str(item["id"]),
        campaign_external_id=str(item["campaign_id"]),
        name=item.get("name") or "",
        status=_STATUS_FROM_META.get(item.get("status") or "", CampaignStatus.PAUSED),
        daily_budget=from_minor_units(item.get("daily_budget"), currency),
        geo=tuple(dict.fromkeys(geo)),
        age_min=opt_int(targeting.get("age_min")),
        age_max=opt_int(targeting.get("age_max")),
        gender=_GENDERS.get(genders, "all"),
        interests=tuple(dict.fromkeys(_named(i) for i in interests)),
        custom_audiences=tuple(_named(a) for a in targeting.get("custom_audiences") or []),
        raw_spec=dict(targeting),
    )


def _named(entry: Any) -> str:
    """An interest or audience: its name, else its id."""
    if isinstance(entry, Mapping):
        return str(entry.get("name") or entry.get("id") or "")
    return str(entry)


def _parse_ad(item: Mapping[str, Any]) -> RemoteAd:
    creative: Mapping[str, Any] = item["creative"] if isinstance(item.get("creative"), Mapping) else {}
    story = creative.get("object_story_spec") or {}
    link = story.get("link_data") or story.get("video_data") or {}
    cta = link.get("call_to_action") or {}
    destination = link.get("link") or (cta.get("value") or {}).get("link") or ""
    return RemoteAd(
        external_id=str(item["id"]),
        ad_set_external_id=str(item["adset_id"]),
        campaign_external_id=str(item.get("campaign_id") or ""),
        name=item.get("name") or "",
        status=_STATUS_FROM_META.get(item.get("status") or "", CampaignStatus.PAUSED),
        creative_id=str(creative["id"]) if creative.get("id") else None,
        title=creative.get("title") or link.get("name") or "",
        text=creative.get("body") or link.get("message") or "",
        media_url=creative.get("image_url") or link.get("picture") or "",
        cta=creative.get("call_to_action_type") or cta.get("type") or "",
        destination_url=destination,
        utm=dict(parse_qsl(creative.get("url_tags") or "", keep_blank_values=False)),
    )


def _parse_unit_row(row: Mapping[str, Any], currency: str) -> AdUnitStatDay:
    actions = _action_map(row.get("actions"))
    values = _action_map(row.get("action_values"))
    conversions = _first_present(actions, PURCHASE_TYPES)
    ad_id = row.get("ad_id")
    return AdUnitStatDay(
        level="ad" if ad_id else "ad_set",
        campaign_external_id=str(row["campaign_id"]),
        ad_set_external_id=str(row["adset_id"]),
        ad_external_id=str(ad_id) if ad_id else None,
        day=date.fromisoformat(row["date_start"]),
        spend=opt_decimal(row.get("spend")),
        impressions=opt_int(row.get("impressions")),
        clicks=opt_int(row.get("clicks")),
        reach=opt_int(row.get("reach")),
        leads=count_leads(actions),
        conversions=None if conversions is None else int(conversions),
        revenue=_first_present(values, PURCHASE_TYPES),
        currency=currency,
    )


def _action_map(actions: Any) -> dict[str, Decimal]:
    """action_type → value; an entry without a readable value is left out (not reported)."""
    result: dict[str, Decimal] = {}
    for action in actions if isinstance(actions, list) else []:
        if not isinstance(action, Mapping) or not isinstance(action.get("action_type"), str):
            continue
        value = opt_decimal(action.get("value"))
        if value is not None:
            result[action["action_type"]] = value
    return result


def count_leads(actions: Mapping[str, Decimal]) -> int:
    if LEAD_TOTAL in actions:
        return int(actions[LEAD_TOTAL])
    return int(sum((actions.get(t, Decimal(0)) for t in LEAD_PARTS), Decimal(0)))


def _first_present(values: Mapping[str, Decimal], types: Sequence[str]) -> Decimal | None:
    for action_type in types:
        if action_type in values:
            return values[action_type]
    return None  # not reported: never 0
