"""Incoming CRM webhooks: amoCRM and Bitrix24 post form-encoded changes to a per-organization
secret URL; each payload is mapped onto the same lead upsert as the API (docs/crm.md, "Webhooks").

The mapping is pure (no database): `amocrm_items(form)` / `bitrix24_items(form)` take the parsed
form (`parse_form`) and return upsert items, one per CRM id.
"""

import datetime as dt
import re
from collections.abc import Iterable
from typing import TypeAlias

from .models import LeadStatus

# amoCRM's two fixed final statuses exist in every pipeline: 142 "closed - won", 143 "closed - lost".
AMOCRM_WON, AMOCRM_LOST = "142", "143"
AMOCRM_SECTIONS = ("add", "update", "status")  # "delete" and others carry nothing to upsert
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")

BITRIX24_EVENTS = {
    "ONCRMDEALADD": ("deal", True),
    "ONCRMDEALUPDATE": ("deal", False),
    "ONCRMLEADADD": ("lead", True),
    "ONCRMLEADUPDATE": ("lead", False),
}

_KEY = re.compile(r"([^\[\]]+)|\[([^\[\]]*)\]")

# A parsed form: the bracket segments of the keys as nested dicts, the values at the leaves.
Form: TypeAlias = dict[str, "Form | str"]
# An upsert item built from a payload: `external_id` and the fields the payload carried.
WebhookItem: TypeAlias = dict[str, str]


def parse_form(pairs: Iterable[tuple[str, str]]) -> Form:
    """`leads[add][0][id]=1` pairs (PHP-style bracket keys) → nested dicts keyed by the segments."""
    root: Form = {}
    for key, value in pairs:
        parts = [a or b for a, b in _KEY.findall(key)]
        if not parts:
            continue
        node = root
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[parts[-1]] = value
    return root


def _ordered(node: Form | str | None) -> list[Form | str]:
    """The values of a `[0]`, `[1]`, ... level in index order (non-numeric keys after them)."""
    if not isinstance(node, dict):
        return []
    return [node[k] for k in sorted(node, key=lambda k: (not str(k).isdigit(), int(k) if str(k).isdigit() else 0, k))]


def _timestamp(value) -> str | None:
    try:
        return dt.datetime.fromtimestamp(int(value), tz=dt.UTC).isoformat()
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _merge(items: dict[str, WebhookItem], external_id: str, fields: WebhookItem) -> None:
    items.setdefault(external_id, {"external_id": external_id}).update(fields)


def amocrm_items(form: Form) -> list[WebhookItem]:
    items: dict[str, WebhookItem] = {}
    leads = form.get("leads")
    if not isinstance(leads, dict):
        leads = {}
    for section in AMOCRM_SECTIONS:
        for lead in _ordered(leads.get(section)):
            if not isinstance(lead, dict) or not str(lead.get("id", "")).strip():
                continue
            _merge(items, str(lead["id"]).strip(), _amocrm_fields(lead, section))
    return list(items.values())


def _amocrm_fields(lead: Form, section: str) -> WebhookItem:
    fields: WebhookItem = {}
    status_id = str(lead.get("status_id", ""))
    if status_id == AMOCRM_WON:
        fields["status"] = LeadStatus.WON
    elif status_id == AMOCRM_LOST:
        fields["status"] = LeadStatus.LOST
    elif section == "add":
        fields["status"] = LeadStatus.NEW
    elif section == "status":
        # Moved along the pipeline but not closed: the business is working on it.
        fields["status"] = LeadStatus.QUALIFIED
    price = str(lead.get("price", "")).strip()
    if price not in ("", "0"):
        fields["value"] = price
    if section == "add":
        created = _timestamp(lead.get("date_create") or lead.get("created_at"))
        if created:
            fields["created"] = created
    for custom in _ordered(lead.get("custom_fields")):
        if not isinstance(custom, dict):
            continue
        name = str(custom.get("name", "")).strip().lower()
        values = [v.get("value") for v in _ordered(custom.get("values")) if isinstance(v, dict)]
        if name in UTM_FIELDS and values and values[0]:
            fields[name] = str(values[0])[:200]
    return fields


def bitrix24_items(form: Form) -> list[WebhookItem]:
    event = str(form.get("event", "")).upper()
    if event not in BITRIX24_EVENTS:
        return []
    entity, added = BITRIX24_EVENTS[event]
    data = form.get("data")
    if not isinstance(data, dict):
        data = {}
    fields = data.get("FIELDS")
    if not isinstance(fields, dict):
        fields = {}
    entity_id = str(fields.get("ID", "")).strip()
    if not entity_id:
        return []
    item: WebhookItem = {"external_id": f"{entity}-{entity_id}"}
    if added:
        item["status"] = LeadStatus.NEW
        created = _timestamp(form.get("ts"))
        if created:
            item["created"] = created
    return [item]


MAPPERS = {"amocrm": amocrm_items, "bitrix24": bitrix24_items}
