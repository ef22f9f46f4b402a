"""Writes of leads and sales: one upsert keyed by the CRM's `external_id`, shared by the API, the
CRM webhooks and the CSV import.

Rules (the API contract, docs/crm.md): items are validated first and any invalid item refuses the
whole call (`DomainError` with `items.<index>.<field>` messages) before anything is written; a
repeated `external_id` is applied once, the later occurrence winning; a field left out of an item
keeps its stored value; an item that changes nothing leaves the row untouched (`updated_at`
included). A constant number of queries per call, whatever the number of items. Two concurrent
calls creating the same new `external_id` meet at the unique constraint: the loser retries once
against the winner's committed row, so neither creates a duplicate nor fails.
"""

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypedDict

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from core import facts
from core.errors import DomainError, NotFound
from core.events import Event, emit_many
from tenancy.access import Access
from tenancy.models import Organization
from tenancy.rls import organization_context, unscoped_context
from tenancy.roles import Perm

from . import attribution
from .models import AttributionModel, CrmKind, CrmSettings, CrmWebhook, Lead, LeadStatusChange, Sale
from .tasks import reattribute
from .validation import MAX_ITEMS, LeadFieldsSerializer, LeadInSerializer, SaleInSerializer
from .webhooks import MAPPERS, parse_form

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
_ATTEMPTS = 3

# A validated item: the serializer's fields, as many as the caller sent (a field left out keeps its
# stored value), so not a fixed shape.
Item = dict[str, Any]


class UpsertItemDict(TypedDict):
    external_id: str
    id: int
    result: str


class UpsertResultDict(TypedDict):
    created: int
    updated: int
    unchanged: int
    items: list[UpsertItemDict]


@dataclass
class UpsertItem:
    external_id: str
    id: int
    result: str


@dataclass
class UpsertResult:
    items: list[UpsertItem] = field(default_factory=list)

    def count(self, result: str) -> int:
        return sum(1 for item in self.items if item.result == result)

    @property
    def created(self) -> int:
        return self.count(CREATED)

    @property
    def updated(self) -> int:
        return self.count(UPDATED)

    @property
    def unchanged(self) -> int:
        return self.count(UNCHANGED)

    def as_dict(self) -> UpsertResultDict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "items": [{"external_id": i.external_id, "id": i.id, "result": i.result} for i in self.items],
        }


# --------------------------------------------------------------------------- validation


def _flatten(detail: object, prefix: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(_flatten(value, name))
    elif isinstance(detail, list) and detail and not isinstance(detail[0], (str, dict, list)):
        out[prefix or "non_field_errors"] = [str(v) for v in detail]
    elif isinstance(detail, list):
        for value in detail:
            if isinstance(value, (dict, list)):
                out.update(_flatten(value, prefix))
            else:
                out.setdefault(prefix or "non_field_errors", []).append(str(value))
    else:
        out[prefix or "non_field_errors"] = [str(detail)]
    return out


def validate_items(
    items: object, serializer_class: type[serializers.Serializer[Any]], *, prefix: str = "items"
) -> list[Item]:
    """Each item validated; all errors at once as `<prefix>.<index>.<field>` (the index in the
    request), or as `<field>` with an empty prefix (a single object sent without `items`)."""
    if not isinstance(items, list):
        raise DomainError(_("Expected a list of items."), field=prefix or "items")
    if len(items) > MAX_ITEMS:
        raise DomainError(_("At most %(n)d items per request.") % {"n": MAX_ITEMS}, field=prefix or "items")
    errors: dict[str, list[str]] = {}
    valid: list[Item] = []
    # One validator for every item: a serializer copies its fields on first use, which is most of
    # the cost when made per item (what `is_valid` does, minus that copy).
    validator = serializer_class()
    for index, item in enumerate(items):
        try:
            valid.append(dict(validator.run_validation(item)))
        except ValidationError as exc:
            # A null item fails before the fields (a list); `is_valid` names it non_field_errors too.
            detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
            errors.update(_flatten(detail, f"{prefix}.{index}" if prefix else ""))
    if errors:
        raise DomainError(next(iter(errors.values()))[0], fields=errors)
    return valid


def _last_wins(items: list[Item]) -> dict[str, Item]:
    """One item per external_id, the later occurrence winning, in the order ids first appear."""
    merged: dict[str, Item] = {}
    for item in items:
        merged[item["external_id"]] = item
    return merged


# --------------------------------------------------------------------------- leads


def _apply_lead(lead: Lead, data: Item, now: datetime) -> list[str]:
    """Sets the changed fields; returns their names. A status change is stamped with `now`."""
    changed = [name for name, value in data.items() if getattr(lead, name) != value]
    for name in changed:
        setattr(lead, name, data[name])
    if "status" in changed:
        lead.status_changed_at = now
        changed.append("status_changed_at")
    return changed


def _new_lead(organization: Organization, external_id: str, data: Item, now: datetime) -> Lead:
    lead = Lead(organization=organization, external_id=external_id, status_changed_at=now, **data)
    if "created" not in data:
        lead.created = now
    return lead


def upsert_leads(*, organization: Organization, items: list[Any], error_prefix: str = "items") -> UpsertResult:
    valid = validate_items(items, LeadInSerializer, prefix=error_prefix)
    for attempt in range(_ATTEMPTS):
        try:
            with transaction.atomic():
                return _upsert_leads(organization, _last_wins(valid))
        except IntegrityError:
            # A concurrent request created one of the new ids first: retry against its row.
            if attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _upsert_leads(organization: Organization, merged: dict[str, Item]) -> UpsertResult:
    now = timezone.now()
    existing = {
        lead.external_id: lead
        for lead in Lead.objects.for_organization(organization).filter(external_id__in=list(merged))
    }
    results: dict[str, str] = {}
    new, changed_rows, changed_fields, history = [], [], set(), []
    to_attribute: list[Lead] = []
    attributed: list[Lead] = []
    moved: list[datetime] = []  # the former day of a changed lead (its created may have changed)
    for external_id, item in merged.items():
        data = {k: v for k, v in item.items() if k != "external_id"}
        lead = existing.get(external_id)
        if lead is None:
            lead = _new_lead(organization, external_id, data, now)
            existing[external_id] = lead
            new.append(lead)
            to_attribute.append(lead)
            results[external_id] = CREATED
            continue
        previous_status, previous_created = lead.status, lead.created
        changed = _apply_lead(lead, data, now)
        if not changed:
            results[external_id] = UNCHANGED
            continue
        moved.append(previous_created)
        lead.updated_at = now
        changed_rows.append(lead)
        changed_fields.update(changed)
        results[external_id] = UPDATED
        if "status" in changed:
            history.append(_status_change(lead, previous_status, now))
        if _needs_attribution(lead, changed):
            to_attribute.append(lead)
    # In the same transaction, four queries for the whole batch (crm/attribution.py).
    changed_fields |= attribution.attribute_all(organization, to_attribute, changed_leads=attributed)
    if new:
        Lead.objects.bulk_create(new)
        history += [_status_change(lead, "", lead.status_changed_at) for lead in new]
    if changed_rows:
        Lead.objects.bulk_update(changed_rows, sorted(changed_fields | {"updated_at"}))
    if history:
        LeadStatusChange.objects.bulk_create(history)
    attribution.emit_attributed(organization, attributed)
    attribution.leads_changed(organization.pk, [*new, *changed_rows], also=moved)
    return UpsertResult(
        [UpsertItem(external_id, existing[external_id].pk, results[external_id]) for external_id in merged]
    )


def _needs_attribution(lead: Lead, changed: list[str]) -> bool:
    """A changed source field, or a lead still waiting for its post, campaign or goal."""
    return bool(attribution.SOURCE_FIELDS.intersection(changed)) or not (
        lead.post_id or lead.campaign_id or lead.goal_id
    )


def _status_change(lead: Lead, previous: str, at: datetime) -> LeadStatusChange:
    return LeadStatusChange(
        organization_id=lead.organization_id, lead=lead, from_status=previous, to_status=lead.status, at=at
    )


def lead_update(*, access: Access, lead: Lead, data: Item) -> Lead:
    """A partial change of one lead (the API's PATCH); a status change is added to its history."""
    access.require(Perm.WRITE)
    serializer = LeadFieldsSerializer(data=data, partial=True)
    if not serializer.is_valid():
        fields = _flatten(serializer.errors, "")
        raise DomainError(next(iter(fields.values()))[0], fields=fields)
    with transaction.atomic():
        lead = Lead.objects.for_organization(access.organization).select_for_update().get(pk=lead.pk)
        now = timezone.now()
        previous_status, previous_created = lead.status, lead.created
        changed = _apply_lead(lead, dict(serializer.validated_data), now)
        attributed: list[Lead] = []
        if changed and _needs_attribution(lead, changed):
            changed += sorted(attribution.attribute_all(access.organization, [lead], changed_leads=attributed))
        if changed:
            lead.save(update_fields=[*changed, "updated_at"])
            if "status" in changed:
                _status_change(lead, previous_status, now).save()
            attribution.leads_changed(lead.organization_id, [lead], also=[previous_created])
        attribution.emit_attributed(access.organization, attributed)
    return lead


def attribution_model_set(*, access: Access, model: str) -> CrmSettings:
    """Chooses the organization's attribution model; every lead is attributed again under it
    (after the commit, by the re-attribution task)."""
    access.require(Perm.MANAGE_ORGANIZATION)
    if model not in AttributionModel.values:
        raise DomainError(_("Unknown attribution model."), field="attribution_model")
    with transaction.atomic():
        settings, _created = CrmSettings.objects.update_or_create(
            organization=access.organization, defaults={"attribution_model": model}
        )
        organization_id = access.organization.pk
        transaction.on_commit(lambda: reattribute.delay(organization_id, everything=True), robust=True)
    return settings


# --------------------------------------------------------------------------- sales


def upsert_sales(*, organization: Organization, items: list[Any], error_prefix: str = "items") -> UpsertResult:
    valid = validate_items(items, SaleInSerializer, prefix=error_prefix)
    for attempt in range(_ATTEMPTS):
        try:
            with transaction.atomic():
                return _upsert_sales(organization, valid, error_prefix)
        except IntegrityError:
            if attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _resolve_leads(organization: Organization, valid: list[Item], prefix: str) -> None:
    """`lead_external_id` → `lead`; an id unknown in this organization is that item's error."""
    wanted = {item["lead_external_id"] for item in valid if item.get("lead_external_id")}
    leads = {
        lead.external_id: lead for lead in Lead.objects.for_organization(organization).filter(external_id__in=wanted)
    }
    errors: dict[str, list[str]] = {}
    for index, item in enumerate(valid):
        if "lead_external_id" not in item:
            continue
        reference = item.pop("lead_external_id")
        if reference and reference not in leads:
            errors[f"{prefix}.{index}.lead_external_id" if prefix else "lead_external_id"] = [
                _("No lead with this id in this organization.")
            ]
        item["lead"] = leads.get(reference) if reference else None
    if errors:
        raise DomainError(next(iter(errors.values()))[0], fields=errors)


def _sale_event(sale: Sale) -> dict[str, Any]:
    """The data of `sale.recorded` (core.events)."""
    return {
        "sale_id": sale.pk,
        "external_id": sale.external_id,
        "amount": str(sale.amount),
        "currency": sale.currency,
        "sold_at": sale.sold_at.isoformat(),
        "refunded": sale.refunded,
        "lead_id": sale.lead_id,
        "lead_external_id": sale.lead.external_id if sale.lead is not None else None,
    }


def _upsert_sales(organization: Organization, valid: list[Item], prefix: str) -> UpsertResult:
    valid = [dict(item) for item in valid]
    _resolve_leads(organization, valid, prefix)
    merged = _last_wins(valid)
    now = timezone.now()
    existing = {
        sale.external_id: sale
        for sale in Sale.objects.for_organization(organization).filter(external_id__in=list(merged))
    }
    results: dict[str, str] = {}
    new, changed_rows, changed_fields = [], [], set()
    moved: list[datetime] = []  # the former day of a changed sale
    for external_id, item in merged.items():
        data = {k: v for k, v in item.items() if k != "external_id"}
        sale = existing.get(external_id)
        if sale is None:
            sale = Sale(organization=organization, external_id=external_id, **data)
            existing[external_id] = sale
            new.append(sale)
            results[external_id] = CREATED
            continue
        changed = [name for name, value in data.items() if getattr(sale, name) != value]
        if not changed:
            results[external_id] = UNCHANGED
            continue
        moved.append(sale.sold_at)
        for name in changed:
            setattr(sale, name, data[name])
        sale.updated_at = now
        changed_rows.append(sale)
        changed_fields.update(changed)
        results[external_id] = UPDATED
    if new:
        Sale.objects.bulk_create(new)
        emit_many(organization.pk, Event.SALE_RECORDED, [_sale_event(sale) for sale in new])
    if changed_rows:
        Sale.objects.bulk_update(changed_rows, sorted(changed_fields | {"updated_at"}))
    facts.facts_changed(Sale, organization.pk, [*(sale.sold_at for sale in [*new, *changed_rows]), *moved])
    return UpsertResult(
        [UpsertItem(external_id, existing[external_id].pk, results[external_id]) for external_id in merged]
    )


# --------------------------------------------------------------------------- webhooks


def crm_webhook_regenerate(*, access: Access, kind: str) -> str:
    """A new secret for the organization's webhook of this CRM; the old URL stops working.
    Returns the secret (shown once, only its hash is kept)."""
    access.require(Perm.MANAGE_TOKENS)
    if kind not in CrmKind.values:
        raise DomainError(_("Unknown CRM."), field="kind")
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        CrmWebhook.objects.update_or_create(
            organization=access.organization, kind=kind, defaults={"secret_hash": webhook_secret_hash(secret)}
        )
    return secret


def webhook_secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def crm_webhook_receive(*, kind: str, secret: str, form_pairs: Iterable[tuple[str, str]]) -> UpsertResult:
    """A CRM's webhook call: the organization is the one whose secret this is (looked up across
    organizations by the secret's hash, so the comparison leaks nothing about the secret), then the
    payload is upserted in that organization's scope. An unknown kind or secret is `NotFound`."""
    if kind not in MAPPERS:
        raise NotFound(_("Not found."))
    with unscoped_context("a CRM webhook is identified by its secret"):
        hook = (
            CrmWebhook.objects.unscoped()
            .select_related("organization")
            .filter(kind=kind, secret_hash=webhook_secret_hash(secret))
            .first()
        )
    if hook is None:
        raise NotFound(_("Not found."))
    items = MAPPERS[kind](parse_form(form_pairs))
    with organization_context(hook.organization_id):
        result = upsert_leads(organization=hook.organization, items=items)
        CrmWebhook.objects.for_organization(hook.organization_id).filter(pk=hook.pk).update(
            last_received_at=timezone.now()
        )
    return result
