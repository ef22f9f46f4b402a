"""Schemathesis hooks for the conformance run (loaded by `st run` through `SCHEMATHESIS_HOOKS`).

A schema-valid request may still break a business rule OpenAPI 3.0 cannot state; the server rightly
answers it 400 with field messages (our v1 contract). So that "positive data acceptance" tests the
schema and not these rules, a `before_call` hook makes every *positive* case respect them before it
is sent. Negative cases are never touched: they must still be refused. Each rule has its own unit
test proving the 400 for a violation (named next to each rule below).

The hook reads the demo organization's rows it needs from the JSON file named by
`SMM_CONFORMANCE_DATA` (written by the test: `conformance.hook_data`).

Rules (each violation's 400 is proven in tests/test_api_business_rules.py unless named otherwise):
- **An end is not before its start** (`start`/`end`, `period_start`/`period_end`, `start_date`/
  `end_date`, `*_after`/`*_before`, `date_from`/`date_to`), and a period is at most 28 days here
  (the calendar caps a span at 366 days, attribution at 731, ads periods at a year) — the pair is reordered
  and the end brought within 28 days after the start (at least a day after).
- **Dates between 2000-01-01 and 2099-12-31** (every date the API stores or reports on): a year
  outside is folded into the 2000s.
- **A time to schedule is in the future and within the approved strategy's period** (`scheduled_at`,
  `publish_at`): moved into the next two weeks (the demo's approved strategy covers them).
- **A post's goal and pillar come from the same strategy**: the pillar is drawn from the goal's
  strategy (or dropped).
- **A goal's KPI measures its objective** (`kpi` and `objective` in one body): a KPI that fits the
  objective is chosen. Test: tests/strategy/test_api.py (`does not measure`).
- **A post's target accounts are the organization's own** (`target_accounts`, a list of ids): drawn
  from its connected accounts.
- **Names unique in the organization** (a competitor's and an audience segment's `name`): a counter
  suffix makes each generated name new.
- **Lists of ids in a body name the organization's rows** (a strategy's `competitors`, a pillar's
  `goals`, which must also be goals of the pillar's strategy): drawn from them.
- **A presence audit is unique per platform and date**: a positive case's `date` is a new day.
- **A webhook URL's host resolves to a public address**: its host becomes a public address literal
  (the `https://` shape is the schema's pattern). Test: tests/webhooks/test_safety.py.
- **An Idempotency-Key names one request body** (a key reused with another body is a 422,
  `idempotency_key_reused`): the hooks above change bodies, so each positive case's key gets a
  counter suffix. Test: tests/test_api_conventions.py (`idempotency_key_reused`).
- **An ad rule's condition names its figures** (`ctr_below` needs `ctr_below` and
  `min_impressions`, …), a budget action its `percent` (0.01–90), and the budget floor is not above
  the cap: the missing figures are filled in, the pair reordered.
- **An inbox bulk `tag` names the tag**: `question` when none is given.
- **An ad statistics import is a CSV with its header and a row** (`csv`): a one-row CSV.
- **An A/B test's plan can be computed** (the effect and the current rate give a sample under a
  billion, a lead cannot get 100 % cheaper, the rate plus the effect stays under 100 %): an effect of
  5–49 % and a current rate of 1–49 %; variants with distinct names, linked to a campaign of the
  organization or nothing; counts for the test's own unlinked variants, conversions not above units.
- **A page cursor is one the server gave** (opaque: `leads/`, `inbox/items/`), and `cursor` excludes
  `page`: a positive case's cursor is a real one from a `next` link (or empty, the first page) and its
  `page` is dropped. Test: tests/test_api_conventions.py (`cursor=%%%`, `cursor=&page=1` are 400).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import re
from collections.abc import MutableMapping

import schemathesis
from schemathesis import GenerationMode

_DATA: dict = {}
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
MAX_SPAN = dt.timedelta(days=28)
PAIRS = (
    ("start", "end"),
    ("period_start", "period_end"),
    ("start_date", "end_date"),
    ("starts_at", "ends_at"),
    ("created_after", "created_before"),
    ("date_from", "date_to"),
    ("sold_after", "sold_before"),
    ("since", "until"),
)
FUTURE = ("scheduled_at", "publish_at")


def _data() -> dict:
    if not _DATA and os.environ.get("SMM_CONFORMANCE_DATA"):
        with open(os.environ["SMM_CONFORMANCE_DATA"]) as handle:
            _DATA.update(json.load(handle))
    return _DATA


def _parse(value):
    if not isinstance(value, str) or not _DATE.match(value):
        return None
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value)
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _format(value, like: str) -> str:
    if isinstance(value, dt.datetime):
        text = value.isoformat()
        return text.replace("+00:00", "Z") if like.endswith("Z") else text
    return value.isoformat()


def _fold_year(value):
    """A year outside 2000–2099 moved into it (Feb 29 → 28 for a non-leap target)."""
    if 2000 <= value.year <= 2099:
        return value
    year = 2000 + value.year % 100
    day = min(value.day, 28) if value.month == 2 else value.day
    return value.replace(year=year, day=day)


def _fix_dates(values: dict) -> None:
    for name, raw in list(values.items()):
        parsed = _parse(raw)
        if parsed is not None:
            values[name] = _format(_fold_year(parsed), raw)
        elif isinstance(raw, list):
            values[name] = [_format(_fold_year(p), r) if (p := _parse(r)) is not None else r for r in raw]
    for first, last in PAIRS:
        start, end = _parse(values.get(first)), _parse(values.get(last))
        if start is None or end is None or type(start) is not type(end):
            continue
        if isinstance(start, dt.datetime) and (start.tzinfo is None) != (end.tzinfo is None):
            continue
        if end < start:
            start, end = end, start
        if end - start > MAX_SPAN:
            end = start + (end - start) % MAX_SPAN
        if end == start:  # a strategy's or an experiment's period must end *after* it starts
            end = start + dt.timedelta(days=1)
        values[first], values[last] = _format(start, values[first]), _format(end, values[last])
    for name in FUTURE:
        when = _parse(values.get(name))
        if isinstance(when, dt.datetime):
            now = dt.datetime.now(dt.UTC)
            aware = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
            if aware <= now + dt.timedelta(hours=1) or aware > now + dt.timedelta(days=15):
                # Within the next two weeks: the demo's approved strategy covers them (a later time
                # is refused as outside the approved strategy's period).
                soon = now + dt.timedelta(days=1 + when.day % 14, minutes=when.minute)
                values[name] = _format(soon if when.tzinfo else soon.replace(tzinfo=None), values[name])


def _same_strategy(body: dict) -> None:
    data = _data()
    goal, pillar = body.get("goal"), body.get("pillar")
    if not isinstance(goal, int) or not isinstance(pillar, int):
        return
    strategy = data.get("goal_strategy", {}).get(str(goal))
    pillars = [int(pk) for pk, of in data.get("pillar_strategy", {}).items() if of == strategy]
    if data.get("pillar_strategy", {}).get(str(pillar)) != strategy:
        body["pillar"] = pillars[pillar % len(pillars)] if pillars else None


def _fitting_kpi(body: dict) -> None:
    kpi, objective = body.get("kpi"), body.get("objective")
    fits = _data().get("kpi_objectives", {})
    if isinstance(kpi, str) and isinstance(objective, str) and kpi in fits and objective not in fits[kpi]:
        choices = sorted(key for key, objectives in fits.items() if objective in objectives)
        if choices:
            body["kpi"] = choices[len(kpi) % len(choices)]


def _own_accounts(body: dict) -> None:
    accounts = _data().get("accounts", [])
    chosen = body.get("target_accounts")
    if isinstance(chosen, list) and chosen:
        body["target_accounts"] = sorted({accounts[i % len(accounts)] for i in range(len(chosen))}) if accounts else []


def _drawn(chosen, pool: list) -> list:
    return sorted({pool[i % len(pool)] for i in range(len(chosen))}) if pool else []


def _own_lists(path: str, body: dict, path_parameters: dict) -> None:
    data = _data()
    if isinstance(body.get("competitors"), list):
        body["competitors"] = _drawn(body["competitors"], data.get("competitors", []))
    if isinstance(body.get("goals"), list) and "/content-pillars/" in path:
        strategy = body.get("strategy")
        if strategy is None and "id" in path_parameters:  # an update: the pillar's own strategy
            strategy = data.get("pillar_strategy", {}).get(str(path_parameters["id"]))
        goals = sorted(int(pk) for pk, of in data.get("goal_strategy", {}).items() if of == strategy)
        body["goals"] = _drawn(body["goals"], goals)


_AUDIT_DAYS = itertools.count(1)
_KEYS = itertools.count(1)


def _new_audit_day(path: str, body: dict) -> None:
    if "/presence-audits/" in path and isinstance(body.get("date"), str):
        # Days from 2001-01-01 (the demo's audits are recent): each positive case its own day.
        body["date"] = (dt.date(2001, 1, 1) + dt.timedelta(days=next(_AUDIT_DAYS))).isoformat()


_HOST = re.compile(r"^https://[^/?#]+")


def _public_host(path: str, body: dict) -> None:
    url = body.get("url")
    if "/webhooks/" in path and "/deliveries/" not in path and isinstance(url, str) and _HOST.match(url):
        body["url"] = _HOST.sub("https://93.184.215.14", url, count=1)


def _fix_object(values: dict) -> None:
    _fix_dates(values)
    _same_strategy(values)
    _fitting_kpi(values)
    _own_accounts(values)
    for value in values.values():  # nested objects: a lead's `touches`, an A/B test's `variants`
        if isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    _fix_dates(item)


RULE_FIGURES = {  # adrules.services.REQUIRED: the figures a condition needs
    "cpl_above_target": ("factor", "min_spend"),
    "ctr_below": ("ctr_below", "min_impressions"),
    "romi_above_streak": ("romi_above", "streak_days"),
}


def _rule(path: str, body: dict) -> None:
    """An ad rule's condition names the figures it needs, a budget action its percent (0.01–90), and
    the budget floor is not above the cap."""
    if not path.endswith(("/ads/rules/", "/ads/rules/{id}/")):
        return
    # An update without `condition` keeps the stored one, which may need any of the figures.
    needed = RULE_FIGURES.get(body.get("condition"), ()) if "condition" in body else sum(RULE_FIGURES.values(), ())
    for name in needed:
        if "condition" not in body and name not in body:
            continue
        if body.get(name) in (None, ""):  # "" is null for a decimal
            body[name] = 3 if name in ("min_impressions", "streak_days") else "1.5"
    if body.get("action") in ("budget_down", "budget_up"):
        try:
            ok = 0 < float(body.get("percent")) <= 90
        except (TypeError, ValueError):
            ok = False
        if not ok:
            body["percent"] = "20"
    low, high = body.get("budget_min"), body.get("budget_max")
    if isinstance(low, str) and isinstance(high, str):
        try:
            if float(low) > float(high):
                body["budget_min"], body["budget_max"] = high, low
        except ValueError:
            pass


def _references(values: dict, *, query: bool = False) -> None:
    """An id naming another row (`strategy`, `goal`, `trend`, ... in a body or a filter) names one of
    the organization's existing rows: one outside the pool is replaced by one from it."""
    for name, pool in _data().get("references", {}).items():
        value = values.get(name)
        text = isinstance(value, str) and value.isdigit()  # a query parameter
        number = int(value) if text else value
        if not isinstance(number, int) or isinstance(number, bool) or number in pool:
            continue
        if pool:
            values[name] = str(pool[number % len(pool)]) if text else pool[number % len(pool)]
        elif query:  # a filter with no row to name (an optional parameter) is left out
            del values[name]
        elif name == "assignee":
            values[name] = None


def _fixed_on_update(path: str, method: str, body: dict) -> None:
    """A link's post and campaign are chosen when it is made (an update naming them is refused); a
    post's call to action has both a type and a link, or neither."""
    if path.endswith("/links/{id}/") and method in ("PUT", "PATCH"):
        body.pop("post", None)
        body.pop("campaign", None)
    cta = "cta_url" in body or "cta_type" in body
    if path.endswith(("/posts/", "/posts/{id}/")) and cta and not (body.get("cta_url") and body.get("cta_type")):
        body["cta_url"], body["cta_type"] = "", ""


def _bulk_tag(path: str, body: dict) -> None:
    """An inbox bulk `tag` names the tag to add."""
    if path.endswith("/inbox/items/bulk/") and body.get("action") == "tag" and not str(body.get("tag") or "").strip():
        body["tag"] = "question"


def _stats_csv(path: str, body: dict) -> None:
    """An ad statistics import is a CSV with its header and a row (ads.csv_import)."""
    if path.endswith("/ads/stats/import/") and isinstance(body.get("csv"), str):
        day = dt.date(2026, 1, 1) + dt.timedelta(days=len(body["csv"]) % 28)
        body["csv"] = f"day,campaign,spend,impressions,clicks\n{day.isoformat()},Conformance,100.50,1000,10\n"


def _abtest(path: str, body: dict, path_parameters: dict) -> None:
    """An A/B test's plan can be computed (abtests.planning): an effect of 5–49 % on a current rate
    of 1–49 % (a rate that is given, or one for a rate metric); its variants have distinct names and
    link a campaign of the organization or nothing; counts name the test's own unlinked variants."""
    if "/abtests/" not in path:
        return
    if isinstance(body.get("mde_percent"), str):
        body["mde_percent"] = str(5 + int(float(body["mde_percent"])) % 45)
    rate = body.get("baseline_percent")
    if isinstance(rate, str) or (body.get("metric") in ("ctr", "lead_conversion") and "baseline_percent" in body):
        body["baseline_percent"] = str(1 + int(float(rate or 0)) % 49)
    elif body.get("metric") in ("ctr", "lead_conversion") and path.endswith("/abtests/"):
        body["baseline_percent"] = "5"
    rate_metric = body.get("metric") in ("ctr", "lead_conversion")
    if path.endswith("/calculate/") and rate_metric and body.get("baseline_percent") is None:
        body["baseline_percent"] = "5"
    campaigns = _data().get("campaigns", [])
    variants = body.get("variants") if isinstance(body.get("variants"), list) else []
    for index, variant in enumerate(variants):
        if isinstance(variant, dict):
            variant["name"] = f"{str(variant.get('name') or 'Variant').strip()[:100] or 'Variant'} {index + 1}"
            variant["post"] = None
            if variant.get("campaign") is not None:
                variant["campaign"] = campaigns[index % len(campaigns)] if campaigns else None
    if path.endswith("/counts/") and isinstance(body.get("counts"), list):
        own = _data().get("abtest_variants", {}).get(str(path_parameters.get("id")), [])
        counts = [item for item in body["counts"] if isinstance(item, dict)]
        body["counts"] = [dict(item, variant=own[i % len(own)]) for i, item in enumerate(counts[: len(own)])] or body[
            "counts"
        ]
        for item in body["counts"]:
            if isinstance(item.get("units"), int) and isinstance(item.get("conversions"), int):
                item["units"] = max(item["units"], item["conversions"])


def _cursor(path: str, query: dict) -> None:
    if "cursor" not in query or path.endswith(("/metrics/posts/", "/metrics/accounts/")):
        return  # the daily facts' `day.id` cursor is stated by a pattern
    query.pop("page", None)
    known = ["", *_data().get("cursors", {}).get(path.split("}", 1)[-1], [])]
    raw = query["cursor"]
    query["cursor"] = known[len(raw) % len(known)] if isinstance(raw, str) else ""


UNIQUE_NAMES = ("/competitors/", "/audience-segments/")
_COUNTER = itertools.count(1)


def _unique_name(path: str, body: dict) -> None:
    name = body.get("name")
    unique = path.endswith(UNIQUE_NAMES) or path.endswith(tuple(p + "{id}/" for p in UNIQUE_NAMES))
    if unique and isinstance(name, str) and name:
        body["name"] = f"{name[:80]} {next(_COUNTER)}"


@schemathesis.hook
def before_call(context, case, kwargs):
    meta = case.meta
    if meta is None or meta.generation.mode != GenerationMode.POSITIVE:
        return
    if isinstance(case.headers, MutableMapping) and isinstance(case.headers.get("Idempotency-Key"), str):
        case.headers["Idempotency-Key"] = f"{case.headers['Idempotency-Key'][:240]}-{next(_KEYS)}"
    if isinstance(case.query, dict) and case.query:
        _fix_dates(case.query)
        _references(case.query, query=True)
        _cursor(context.operation.path, case.query)
    body = case.body
    if isinstance(body, dict):
        _fix_object(body)
        _unique_name(context.operation.path, body)
        _own_lists(context.operation.path, body, case.path_parameters or {})
        _new_audit_day(context.operation.path, body)
        _public_host(context.operation.path, body)
        _references(body)
        _fixed_on_update(context.operation.path, context.operation.method.upper(), body)
        _rule(context.operation.path, body)
        _bulk_tag(context.operation.path, body)
        _stats_csv(context.operation.path, body)
        _abtest(context.operation.path, body, case.path_parameters or {})
        for item in body.get("items") or []:
            if isinstance(item, dict):
                _fix_object(item)
