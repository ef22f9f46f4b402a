"""Private helpers shared by the strategy service modules: model validation to domain errors,
field diffs, organization-scoped lookups and the draft lock."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.errors import Conflict, DomainError, NotFound
from core.vocabulary import SocialPlatform
from tenancy.access import Access
from tenancy.roles import Perm
from tenancy.scoping import get_for_organization

from ..models import Strategy


def _validation_to_domain(exc: ValidationError) -> DomainError:
    if hasattr(exc, "error_dict"):
        fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        first = next(iter(fields.values()))[0]
        return DomainError(first, fields=fields)
    return DomainError("; ".join(exc.messages))


def _clean_and_save(obj, *, update_fields: list[str] | None = None, exclude: list[str] | None = None) -> None:
    """Model validation (field validators, choices, unique constraints) → DomainError with field messages."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise _validation_to_domain(exc) from exc
    try:
        with transaction.atomic():
            obj.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise Conflict(_("This conflicts with an existing record.")) from exc


def _delete(obj) -> None:
    """Deletes a row; rows that posts still point at are kept (HTTP 409 with a reason)."""
    try:
        with transaction.atomic():
            obj.delete()
    except ProtectedError as exc:
        raise Conflict(_("Posts refer to this; move or delete those posts first.")) from exc


def _apply(obj, fields: dict[str, Any], allowed: set[str]) -> list[str]:
    unknown = set(fields) - allowed
    if unknown:
        raise DomainError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    changed = []
    for key, value in fields.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed.append(key)
    return changed


def _get(model, access: Access, obj_or_id):
    """Re-reads a row within the caller's organization (404 when it belongs to another)."""
    return get_for_organization(model, access.organization, obj_or_id)


def _locked_strategy(access: Access, strategy: Strategy | int) -> Strategy:
    pk = strategy if isinstance(strategy, int) else strategy.pk
    obj = Strategy.objects.for_organization(access.organization).select_for_update().filter(pk=pk).first()
    if obj is None:
        raise NotFound(_("Strategy not found."))
    return obj


def _editable_strategy(access: Access, strategy: Strategy | int) -> Strategy:
    """Locks the strategy row (serialising edits of its children) and checks it is still a draft."""
    access.require(Perm.WRITE)
    obj = _locked_strategy(access, strategy)
    if obj.status != Strategy.Status.DRAFT:
        if obj.status == Strategy.Status.IN_REVIEW:
            message = _("The strategy is in review. Return it to draft to change it.")
        else:
            message = _(
                "This strategy is %(status)s and cannot be changed in place. Create a new version to edit it."
            ) % {"status": obj.get_status_display().lower()}
        raise Conflict(message)
    return obj


def _validate_platforms(values, field: str) -> list[str]:
    values = list(values or [])
    bad = [v for v in values if v not in SocialPlatform.values]
    if bad:
        raise DomainError(_("Unknown platform: %(p)s") % {"p": ", ".join(map(str, bad))}, field=field)
    return values


def _fmt(day: dt.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")
