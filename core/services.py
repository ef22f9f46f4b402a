"""Base helpers for services: one way to write a model row from typed input (HackSoft's
`model_update`), with model validation turned into domain errors."""

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar, get_type_hints

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import Conflict, DomainError

M = TypeVar("M", bound=models.Model)


def fields_of(typed_dict: type[Mapping[str, Any]]) -> tuple[str, ...]:
    """The keys of a service's input TypedDict in declaration order: the one field list that the
    service, its form (`Meta.fields`) and its serializer share."""
    return tuple(get_type_hints(typed_dict))


def validation_to_domain(exc: ValidationError) -> DomainError:
    """Django's ValidationError → DomainError with the messages per field."""
    if hasattr(exc, "error_dict"):
        fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        first = next(iter(fields.values()))[0]
        return DomainError(first, fields=fields)
    return DomainError("; ".join(exc.messages))


def clean_and_save(
    instance: models.Model, *, update_fields: Sequence[str] | None = None, exclude: Sequence[str] = ()
) -> None:
    """Model validation (field validators, choices, unique constraints) → DomainError with field
    messages; a constraint the database still refuses (a concurrent duplicate) → Conflict."""
    try:
        instance.full_clean(exclude=list(exclude) or None)
    except ValidationError as exc:
        raise validation_to_domain(exc) from exc
    try:
        with transaction.atomic():
            instance.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise Conflict(_("This conflicts with an existing record.")) from exc


def _snapshot(instance: models.Model) -> dict[str, Any]:
    # Deep copies: a validator may change a JSON list in place.
    return {f.attname: copy.deepcopy(getattr(instance, f.attname)) for f in instance._meta.concrete_fields}


def model_update(
    *,
    instance: M,
    data: Mapping[str, Any],
    fields: Sequence[str],
    exclude: Sequence[str] = (),
    validate: Callable[[M], None] | None = None,
) -> tuple[M, bool]:
    """Sets the given `data` (keys among `fields`) on `instance` and saves what changed.

    A new row (not saved yet) is validated and inserted whole. An existing row is validated and
    saved with `update_fields` naming the columns that changed (plus `updated_at` where the model
    has one), and not written at all when nothing changed. `validate(instance)` runs after the data
    is set and before saving, for rules beyond the model's own (it may normalise values; those
    changes are saved too). Returns the instance and whether anything was written."""
    unknown = set(data) - set(fields)
    if unknown:
        raise DomainError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    adding = instance._state.adding
    before = {} if adding else _snapshot(instance)
    for name in fields:
        if name in data:
            setattr(instance, name, data[name])
    if validate is not None:
        validate(instance)
    if adding:
        clean_and_save(instance, exclude=exclude)
        return instance, True
    after = _snapshot(instance)
    changed = [f.name for f in instance._meta.concrete_fields if before[f.attname] != after[f.attname]]
    if not changed:
        return instance, False
    stamp = next((f for f in instance._meta.concrete_fields if f.name == "updated_at"), None)
    if stamp is not None and stamp.name not in changed:
        setattr(instance, stamp.attname, timezone.now())
        changed.append(stamp.name)
    clean_and_save(instance, update_fields=changed, exclude=exclude)
    return instance, True
