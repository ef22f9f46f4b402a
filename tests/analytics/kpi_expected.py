"""Every catalog KPI computed with pandas from the raw generated rows (tests/analytics/kpi_data.py),
written from the KPI definitions in docs/kpis.md without the engine's code."""

import datetime as dt
import statistics
from decimal import Decimal

import pandas as pd

from core.numbers import money, ratio, round_to

from .kpi_data import AD_PLATFORMS_FOR, Facts

TOTAL = "__total__"
TARGET_MINUTES = 45  # the first-response target kpi_data sets (moderation.ReplyServiceLevel)
CALENDAR = ("day", "week", "month")
BASIC = ("total", *CALENDAR, "platform")
ALL = (*BASIC, "post", "campaign", "goal", "pillar")
DIMS = {
    "metrics": BASIC,
    "ads": (*BASIC, "campaign"),
    "leads": ALL,
    "sales": ALL,
    "inbox": BASIC,
    "links": ALL,
}
SOURCES = {
    "reach": ("metrics",),
    "impressions": ("metrics",),
    "followers": ("metrics",),
    "er": ("metrics",),
    "site_clicks": ("metrics", "ads", "links"),
    "leads": ("leads",),
    "cpl": ("ads", "leads"),
    "cpc": ("ads",),
    "conversion": ("leads", "sales"),
    "sales": ("sales",),
    "revenue": ("sales",),
    "romi": ("ads", "sales"),
    "returning_members": ("inbox",),
    "positive_share": ("inbox",),
    "first_response_time": ("inbox",),
    "first_response_average": ("inbox",),
    "answered_within_target": ("inbox",),
    "resolved_in_social": ("inbox",),
    "support_savings": ("inbox",),
    "ad_spend": ("ads",),
    "platform_leads": ("ads",),
    "platform_sales": ("ads",),
    "ad_revenue": ("ads",),
    "sales_other_currency": ("sales",),
}


def available(key: str, dim: str) -> bool:
    supported = [s for s in SOURCES[key] if dim in DIMS[s]]
    return bool(supported) and (key == "site_clicks" or len(supported) == len(SOURCES[key]))


def _period(day: dt.date, dim: str) -> str:
    if dim == "week":
        day -= dt.timedelta(days=day.weekday())
    elif dim == "month":
        day = day.replace(day=1)
    return day.isoformat()


def periods(start: dt.date, end: dt.date, dim: str) -> list[str]:
    labels = []
    day = start
    while day <= end:
        label = _period(day, dim)
        if label not in labels:
            labels.append(label)
        day += dt.timedelta(days=1)
    return labels


def _label(value):
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "unattributed"
    return int(value) if isinstance(value, float) else value


def _num(value) -> Decimal | None:
    return None if pd.isna(value) else Decimal(int(value))


def _cents(value) -> Decimal | None:
    return None if pd.isna(value) else Decimal(int(value)) / 100


def _local_days(series: pd.Series, tz) -> pd.Series:
    return series.map(lambda moment: moment.astimezone(tz).date())


def _groups(frame: pd.DataFrame, dim: str, platform_label: str = "platform") -> pd.Series:
    if dim == "total":
        return pd.Series(TOTAL, index=frame.index, dtype=object)
    if dim in CALENDAR:
        return frame["day"].map(lambda d: _period(d, dim))
    column = platform_label if dim == "platform" else dim
    return frame[column].map(_label)


def _split(frame: pd.DataFrame, dim: str, **kwargs) -> dict:
    if frame.empty:
        return {}
    frame = frame.assign(g=_groups(frame, dim, **kwargs))
    return dict(iter(frame.groupby("g", sort=False)))


def source_parts(facts: Facts, source: str, start, end, platform: str, dim: str) -> tuple[dict, dict]:
    """({group label: parts}, parts of a group without rows)."""
    if source == "metrics":
        f = facts.metrics
        f = f[(f.day >= start) & (f.day <= end)]
        if platform:
            f = f[f.platform == platform]
        return {g: _metric_parts(sub) for g, sub in _split(f, dim).items()}, {}
    if source == "ads":
        f = facts.ads
        f = f[(f.day >= start) & (f.day <= end)]
        if platform:
            f = f[f.ad_platform.isin(AD_PLATFORMS_FOR.get(platform, [platform]))]
        f = f.assign(platform=f.ad_platform.map(lambda p: "vk" if p == "vk_ads" else p))
        return {g: _ad_parts(sub) for g, sub in _split(f, dim).items()}, {}
    if source == "leads":
        f = facts.leads.assign(day=_local_days(facts.leads.created, facts.tz)) if not facts.leads.empty else facts.leads
        f = f[(f.day >= start) & (f.day <= end)] if not f.empty else f
        if platform and not f.empty:
            f = f[f.platform == platform]
        empty = {"leads": Decimal(0) if facts.has_leads else None}
        return {g: {"leads": Decimal(len(sub))} for g, sub in _split(f, dim).items()}, empty
    if source == "sales":
        f = facts.sales
        if not f.empty:
            f = f.assign(day=_local_days(f.sold_at, facts.tz))
            f = f[(f.day >= start) & (f.day <= end) & ~f.refunded]
            if platform:
                f = f[f.platform == platform]
        zero = Decimal(0) if facts.has_sales else None
        empty = {"sales": zero, "revenue": zero, "sales_other_currency": zero}
        return {g: _sale_parts(sub) for g, sub in _split(f, dim).items()}, empty
    if source == "inbox":
        f = facts.inbox
        f = f.assign(day=_local_days(f.created, facts.tz))
        f = f[(f.day >= start) & (f.day <= end) & ~f.from_account]
        if platform:
            f = f[f.platform == platform]
        return {g: _inbox_parts(sub, facts.tz) for g, sub in _split(f, dim).items()}, {}
    f = facts.clicks
    f = f.assign(day=_local_days(f.hour, facts.tz))
    f = f[(f.day >= start) & (f.day <= end)]
    if platform:
        f = f[f.platform == platform]
    empty = {"tracked_clicks": Decimal(0) if facts.has_links else None}
    return {g: {"tracked_clicks": _num(sub.clicks.sum())} for g, sub in _split(f, dim).items()}, empty


def _metric_parts(sub: pd.DataFrame) -> dict:
    parts = ("interactions", "likes", "comments", "shares", "saves")
    er_rows = sub[(sub.reach > 0) & sub[list(parts)].notna().any(axis=1)]
    interactions = er_rows.interactions.fillna(
        er_rows.likes.fillna(0) + er_rows.comments.fillna(0) + er_rows.shares.fillna(0) + er_rows.saves.fillna(0)
    )
    snapshots = sub[sub.followers.notna()].sort_values("day")
    followers = snapshots.groupby("account").followers.last().sum() if not snapshots.empty else None
    return {
        "reach": _num(sub.reach.sum(min_count=1)),
        "views": _num(sub.views.sum(min_count=1)),
        "link_clicks": _num(sub.link_clicks.sum(min_count=1)),
        "er_interactions": _num(interactions.sum(min_count=1)),
        "er_reach": _num(er_rows.reach.sum(min_count=1)),
        "followers": None if followers is None else Decimal(int(followers)),
    }


def _ad_parts(sub: pd.DataFrame) -> dict:
    both = sub[sub.spend.notna() & sub.clicks.notna()]
    return {
        "spend": _cents(sub.spend.sum(min_count=1)),
        "ad_clicks": _num(sub.clicks.sum(min_count=1)),
        "cpc_spend": _cents(both.spend.sum(min_count=1)),
        "cpc_clicks": _num(both.clicks.sum(min_count=1)),
        "platform_leads": _num(sub.leads.sum(min_count=1)),
        "platform_sales": _num(sub.conversions.sum(min_count=1)),
        "ad_revenue": _cents(sub.revenue.sum(min_count=1)),
    }


def _sale_parts(sub: pd.DataFrame) -> dict:
    rub = sub[sub.currency == "RUB"]
    return {
        "sales": Decimal(len(sub)),
        "revenue": Decimal(int(rub.amount.sum())) / 100,
        "sales_other_currency": Decimal(int((sub.currency != "RUB").sum())),
    }


def _inbox_parts(sub: pd.DataFrame, tz) -> dict:
    # The counted figure (business hours) where the service level recorded one, else the wall clock.
    wall = (sub.answered - sub.created).dt.total_seconds()
    figure = sub.counted.astype("float64").where(sub.counted.notna(), wall.where(sub.answered >= sub.created))
    figure = figure.dropna()
    minutes = [v / 60 for v in figure]
    people = sub[sub.author != ""]
    weeks = people.assign(week=people.created.map(lambda m: _period(m.astimezone(tz).date(), "week")))
    per_author = weeks.groupby("author").week.nunique()
    return {
        "inbox_items": Decimal(len(sub)),
        "resolved": Decimal(int((sub.status == "resolved").sum())),
        "rated": Decimal(int(sub.sentiment.notna().sum())),
        "positive": Decimal(int((sub.sentiment == "positive").sum())),
        "first_response_minutes": round_to(statistics.median(minutes), 2) if minutes else None,
        "first_response_mean": round_to(statistics.fmean(minutes), 2) if minutes else None,
        "answered": Decimal(len(minutes)) if minutes else None,
        "answered_in_target": Decimal(int((figure <= TARGET_MINUTES * 60).sum())) if minutes else None,
        "returning_members": Decimal(int((per_author >= 2).sum())) if not people.empty else None,
    }


def _kpi(key: str, p: dict, facts: Facts) -> tuple:
    g = p.get
    if key in ("reach", "impressions", "followers", "leads", "sales", "returning_members"):
        part = {"impressions": "views"}.get(key, key)
        return g(part), g(part), None
    if key in ("platform_leads", "platform_sales", "sales_other_currency"):
        return g(key), g(key), None
    if key in ("revenue", "ad_revenue", "ad_spend"):
        value = g({"ad_spend": "spend"}.get(key, key))
        value = None if value is None else money(value)
        return value, value, None
    if key == "first_response_time":
        return g("first_response_minutes"), g("first_response_minutes"), None
    if key == "first_response_average":
        return g("first_response_mean"), g("first_response_mean"), None
    if key == "site_clicks":
        present = [g(x) for x in ("link_clicks", "ad_clicks", "tracked_clicks") if g(x) is not None]
        value = sum(present, Decimal(0)) if present else None
        return value, value, None
    pairs = {
        "er": ("er_interactions", "er_reach", 100, False),
        "cpl": ("spend", "leads", 1, True),
        "cpc": ("cpc_spend", "cpc_clicks", 1, True),
        "conversion": ("sales", "leads", 100, False),
        "positive_share": ("positive", "rated", 100, False),
        "answered_within_target": ("answered_in_target", "answered", 100, False),
    }
    if key in pairs:
        top, bottom, scale, is_money = pairs[key]
        a, b = g(top), g(bottom)
        if a is None or b is None:
            return None, a, b
        return ratio(a, b, scale=scale), money(a) if is_money else a, b
    if key == "romi":
        revenue, spend = g("revenue"), g("spend")
        spend = None if spend is None else money(spend)
        if revenue is None or spend is None or facts.margin is None:
            return None, None, spend
        gain = money(revenue * facts.margin / 100 - spend)
        return ratio(gain, spend, scale=100), gain, spend
    resolved = g("resolved") if g("inbox_items") else None
    if key == "resolved_in_social":
        return resolved, resolved, None
    if resolved is None or facts.support_cost is None:  # support_savings
        return None, resolved, None
    return money(resolved * facts.support_cost), resolved, money(facts.support_cost)


def expected(facts: Facts, keys, start, end, platform: str = "", dim: str = "total") -> dict:
    """{group label (None for the total): {kpi: (value, numerator, denominator)}}."""
    wanted = {s for key in keys if available(key, dim) for s in SOURCES[key] if dim in DIMS[s]}
    fetched = {s: source_parts(facts, s, start, end, platform, dim) for s in wanted}
    if dim == "total":
        labels = [TOTAL]
    elif dim in CALENDAR:
        labels = periods(start, end, dim)
    else:
        labels = list({label for rows, _ in fetched.values() for label in rows})
    result = {}
    for label in labels:
        values = {}
        for key in keys:
            if not available(key, dim):
                values[key] = (None, None, None)
                continue
            parts = {}
            for source in SOURCES[key]:
                if source in fetched:
                    rows, empty = fetched[source]
                    parts.update(rows.get(label, empty))
            values[key] = _kpi(key, parts, facts)
        result[None if label == TOTAL else label] = values
    return result
