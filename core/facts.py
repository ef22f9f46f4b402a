"""Fact rows changed: lower apps say which organization's days they wrote, rollups listen.

An app that writes fact rows (metrics, ad statistics, inbox items, leads, sales) calls
`facts_changed` with the organization and the moments or days of the rows it wrote, inside its
transaction; `integrations.bulk.bulk_upsert` does it for every watched model. The analytics app
registers the listener in its `AppConfig.ready()` (it keeps the daily rollups, docs/decisions/
0008-rollups.md), so no writing app imports it. Listeners must be cheap: they queue work on commit.

Deletes: a watched model's `delete()` and its queryset's `delete()` call `rows_deleting` first (see
`FactQuerySet`, `crm.models`, `moderation.models`). No delete signal is used: a receiver would make
Django fetch and delete row by row every cascade of an account or an organization.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import models
from django.db.models.functions import TruncDate

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


def rows_deleting(queryset: models.QuerySet[Any]) -> None:
    """`facts_changed` for the rows `queryset` is about to delete, in one query of their
    organizations and UTC days. A UTC day is reported by its first and last moment, so a listener
    in any time zone hears every local day the rows may fall on (at most one day too many)."""
    model = queryset.model
    field = _day_fields.get(model._meta.label)
    if field is None or not _listeners:
        return
    is_moment = isinstance(model._meta.get_field(field), models.DateTimeField)
    day = TruncDate(field, tzinfo=dt.UTC) if is_moment else models.F(field)
    pairs = queryset.order_by().annotate(_fact_day=day).values_list("organization_id", "_fact_day").distinct()
    by_organization: dict[int, set[Any]] = defaultdict(set)
    for organization_id, found in pairs:
        if found is None:
            continue
        if is_moment:
            by_organization[organization_id] |= {
                dt.datetime.combine(found, dt.time.min, tzinfo=dt.UTC),
                dt.datetime.combine(found, dt.time.max, tzinfo=dt.UTC),
            }
        else:
            by_organization[organization_id].add(found)
    for organization_id, moments in by_organization.items():
        facts_changed(model, organization_id, moments)
