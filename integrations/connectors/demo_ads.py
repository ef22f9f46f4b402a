"""The demo platform's ad cabinet: three campaigns with daily stats; launch/pause/budget are kept locally."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from core.numbers import money
from integrations.connectors.base import AdStatDay, BaseConnector, CampaignStatus, RemoteCampaign
from integrations.connectors.demo_data import AVERAGE_ORDER, CAMPAIGNS, CampaignSpec, _rng


class DemoAdsConnector(BaseConnector):
    """The ads half of DemoConnector (see demo.py), apart because it is its own topic."""

    seed: int
    campaign_overrides: dict[str, dict[str, Any]]

    def _campaign_state(self, spec: CampaignSpec) -> tuple[str, Decimal]:
        ext, _name, _obj, budget, *_rest, paused_from = spec
        status = CampaignStatus.PAUSED if paused_from and self.now().date() >= paused_from else CampaignStatus.ACTIVE
        override = self.campaign_overrides.get(ext, {})
        status = override.get("status", status)
        budget = Decimal(str(override.get("daily_budget", budget)))
        return status, budget

    def fetch_campaigns(self) -> list[RemoteCampaign]:
        result = []
        for spec in CAMPAIGNS:
            ext, name, objective, _budget, _cpm, _ctr, _cr, start, _paused = spec
            status, budget = self._campaign_state(spec)
            result.append(
                RemoteCampaign(
                    external_id=ext,
                    name=name,
                    status=status,
                    objective=objective,
                    daily_budget=budget,
                    currency="RUB",
                    start=datetime.combine(start, time(0), tzinfo=UTC),
                    effective_status="ACTIVE" if status == CampaignStatus.ACTIVE else "CAMPAIGN_PAUSED",
                )
            )
        return result

    def fetch_ad_stats(self, since: date, until: date) -> list[AdStatDay]:
        today = self.now().date()
        rows = []
        for spec in CAMPAIGNS:
            ext, _name, objective, budget, cpm, ctr, lead_rate, start, paused_from = spec
            first = max(since, start)
            last = min(until, today)
            relaunched = self.campaign_overrides.get(ext, {}).get("status") == CampaignStatus.ACTIVE
            if paused_from is not None and not relaunched:
                last = min(last, paused_from - timedelta(days=1))
            for i in range((last - first).days + 1):
                day = first + timedelta(days=i)
                rng = _rng(self.seed, self.external_id, "ads", ext, day.isoformat())
                spend = money(float(budget) * rng.uniform(0.82, 1.0))
                impressions = int(float(spend) / (cpm * rng.uniform(0.85, 1.2)) * 1000)
                clicks = int(impressions * ctr * rng.uniform(0.8, 1.2))
                leads = sum(1 for _ in range(clicks) if rng.random() < lead_rate)
                conversions = sum(1 for _ in range(leads) if rng.random() < 0.3)
                revenue = money(conversions * AVERAGE_ORDER * Decimal(str(round(rng.uniform(0.8, 1.3), 2))))
                rows.append(
                    AdStatDay(
                        campaign_external_id=ext,
                        day=day,
                        spend=spend,
                        impressions=impressions,
                        clicks=clicks,
                        leads=leads,
                        conversions=conversions,
                        revenue=revenue,
                        currency="RUB",
                        reach=int(impressions * rng.uniform(0.6, 0.8)),
                        extra={"objective": objective},
                    )
                )
        return rows

    def set_campaign_status(self, campaign_external_id: str, status: str) -> None:
        self.campaign_overrides.setdefault(campaign_external_id, {})["status"] = status

    def set_campaign_budget(self, campaign_external_id: str, daily_budget: Decimal) -> None:
        self.campaign_overrides.setdefault(campaign_external_id, {})["daily_budget"] = str(daily_budget)
