"""Validation of incoming lead and sale records, shared by the API, the CRM webhooks and the CSV
import (DRF serializers used as validators: the services call them, so every entry point gives the
same field messages)."""

import datetime as dt
from collections.abc import Mapping
from typing import TypedDict

from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.fields import BoundedDateTimeField
from core.vocabulary import Platform

from .currencies import ISO_4217
from .models import LeadStatus

MAX_ITEMS = 1000


class _DecimalShape(TypedDict):
    max_digits: int
    decimal_places: int


MONEY: _DecimalShape = {"max_digits": 14, "decimal_places": 2}


class StrictFieldsMixin:
    """A field the serializer does not know is an error (a typo must not be dropped silently)."""

    strict_fields = True  # the schema says `additionalProperties: false` (smm_platform.api.schema)

    def to_internal_value(self, data):
        unknown = {}
        if isinstance(data, Mapping):
            known = {name for name, fld in self.fields.items() if not fld.read_only}
            unknown = {str(key): [_("Unknown field.")] for key in data if key not in known}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            # Reported together with the other fields' errors, so one round trip shows them all.
            detail = exc.detail if isinstance(exc.detail, dict) else {}
            raise serializers.ValidationError({**detail, **unknown} if detail else exc.detail) from exc
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class CurrencyField(serializers.CharField):
    default_error_messages = {"currency": _("Not an ISO 4217 currency code.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 3)
        super().__init__(**kwargs)

    @property
    def schema_pattern(self) -> str:
        """The codes the server accepts, in any case (it upper-cases them), stated for the schema."""
        codes = "|".join("".join(f"[{c}{c.lower()}]" for c in code) for code in sorted(ISO_4217))
        return f"^(?:{codes}){'?' if self.allow_blank else ''}$"

    def to_internal_value(self, data):
        value = super().to_internal_value(data).upper()
        if value and value not in ISO_4217:
            self.fail("currency")
        return value


class HttpUrlField(serializers.URLField):
    """Only http(s) addresses (no javascript:, ftp:, ...)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 2000)
        super().__init__(**kwargs)
        self.validators[-1].schemes = ["http", "https"]


def hash_contact(value: str) -> str:
    """HMAC-SHA256 of a contact reference keyed by the server secret; the raw value is never stored."""
    return salted_hmac("crm.contact", value.strip().lower(), algorithm="sha256").hexdigest()


def _utm():
    return serializers.CharField(max_length=200, required=False, allow_blank=True)


MAX_TOUCHES = 20


class TouchSerializer(StrictFieldsMixin, serializers.Serializer):
    """One earlier visit of the lead, as the CRM recorded it (docs/attribution.md)."""

    utm_source = _utm()
    utm_medium = _utm()
    utm_campaign = _utm()
    utm_content = _utm()
    utm_term = _utm()
    link_code = serializers.CharField(max_length=40, required=False, allow_blank=True)
    at = BoundedDateTimeField(required=False, help_text=_("When the visit happened."))

    def to_internal_value(self, data):
        # Stored as JSON: empty values dropped and the time in UTC, so an identical repeat compares equal.
        values = super().to_internal_value(data)
        touch = {name: value for name, value in values.items() if value and name != "at"}
        if values.get("at"):
            touch["at"] = values["at"].astimezone(dt.UTC).isoformat()
        return touch


class LeadFieldsSerializer(StrictFieldsMixin, serializers.Serializer):
    """The writable fields of a lead; a field left out keeps its stored value."""

    created = BoundedDateTimeField(required=False, help_text=_("When the CRM created the lead (default: now)."))
    status = serializers.ChoiceField(LeadStatus.choices, required=False)
    value = serializers.DecimalField(**MONEY, min_value=0, required=False, allow_null=True)
    currency = CurrencyField(required=False, allow_blank=True)
    utm_source = _utm()
    utm_medium = _utm()
    utm_campaign = _utm()
    utm_content = _utm()
    utm_term = _utm()
    link_code = serializers.CharField(max_length=40, required=False, allow_blank=True)
    landing_url = HttpUrlField(required=False, allow_blank=True)
    platform = serializers.ChoiceField(Platform.choices, required=False, allow_blank=True)
    touches = serializers.ListField(
        child=TouchSerializer(),
        required=False,
        max_length=MAX_TOUCHES,
        help_text=_("Earlier visits of the lead, oldest first; its own UTM fields are the last one."),
    )
    contact = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        write_only=True,
        help_text=_("A contact reference (phone, e-mail, CRM contact id); only its keyed hash is stored."),
    )

    def validate(self, attrs):
        if "contact" in attrs:
            contact = attrs.pop("contact")
            attrs["contact_hash"] = hash_contact(contact) if contact else ""
        return attrs


class LeadInSerializer(LeadFieldsSerializer):
    external_id = serializers.CharField(max_length=100, help_text=_("The lead's id in the CRM."))


class SaleInSerializer(StrictFieldsMixin, serializers.Serializer):
    external_id = serializers.CharField(max_length=100, help_text=_("The sale's id in the CRM."))
    amount = serializers.DecimalField(**MONEY, min_value=0)
    currency = CurrencyField()
    sold_at = BoundedDateTimeField()
    lead_external_id = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True)
    refunded = serializers.BooleanField(required=False)
