"""Fact rows changed: lower apps say which organization's days they wrote, rollups listen.

An app that writes fact rows (metrics, ad statistics, inbox items, leads, sales) calls
`facts_changed` with the organization and the moments or days of the rows it wrote, inside its
transaction; `integrations.bulk.bulk_upsert` does it for every watched model. The analytics app
registers the listener in its `AppConfig.ready()` (it keeps the daily rollups, docs/decisions/
0008-rollups.md), so no writing app imports it. Listeners must be cheap: they queue work on commit.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import models

# listener(model label, organization_id, moments): a moment is a date or an aware datetime.
FactListener = Callable[[str, int, set[dt.date | dt.datetime]], None]
_listeners: list[FactListener] = []
_day_fields: dict[str, str] = {}


def watch(model: type[models.Model], day_field: str, listener: FactListener) -> None:
    """`listener` hears every change of `model`'s rows; `day_field` holds a row's date or moment."""
    _day_fields[model._meta.label] = day_field
    if listener not in _listeners:
        _listeners.append(listener)


def facts_changed(model: type[models.Model], organization_id: int, moments: Iterable[Any]) -> None:
    found = {m for m in moments if m is not None}
    if not found or model._meta.label not in _day_fields:
        return
    for listener in _listeners:
        listener(model._meta.label, organization_id, found)


def day_field(model: type[models.Model]) -> str | None:
    """The attname holding a watched model's day or moment; None when nobody listens."""
    return _day_fields.get(model._meta.label)


def rows_written(model: type[models.Model], rows: Iterable[Mapping[str, Any]]) -> None:
    """`facts_changed` for bulk-written rows (mappings with `organization_id` and the day field)."""
    field = _day_fields.get(model._meta.label)
    if field is None:
        return
    by_organization: dict[int, set[Any]] = defaultdict(set)
    for row in rows:
        by_organization[row["organization_id"]].add(row.get(field))
    for organization_id, moments in by_organization.items():
        facts_changed(model, organization_id, moments)
