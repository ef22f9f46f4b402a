"""Private helpers shared by the strategy service modules: deleting, organization-scoped lookups
and the draft lock (saving goes through `core.services`)."""

import datetime as dt
from collections.abc import Iterable
from typing import TypeVar

from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.errors import Conflict, DomainError, NotFound
from core.vocabulary import SocialPlatform
from tenancy.access import Access
from tenancy.models import TenantModel
from tenancy.roles import Perm
from tenancy.scoping import get_for_organization

from ..models import ContentPillar, Goal, PlatformChoice, Strategy

T = TypeVar("T", bound=TenantModel)
C = TypeVar("C", Goal, PlatformChoice, ContentPillar)  # the rows inside a strategy


def _delete(obj: models.Model) -> None:
    """Deletes a row; rows that posts still point at are kept (HTTP 409 with a reason)."""
    try:
        with transaction.atomic():
            obj.delete()
    except ProtectedError as exc:
        raise Conflict(_("Posts refer to this; move or delete those posts first.")) from exc


def _get(model: type[T], access: Access, obj_or_id: T | int) -> T:
    """Re-reads a row within the caller's organization (404 when it belongs to another)."""
    return get_for_organization(model, access.organization, obj_or_id)


def _delete_own(access: Access, model: type[T], obj_or_id: T | int) -> None:
    """Deletes an organization-wide row (analysis, trend notes): write permission, own rows only."""
    access.require(Perm.WRITE)
    _get(model, access, obj_or_id).delete()


def _delete_from_draft(access: Access, model: type[C], obj_or_id: C | int) -> None:
    """Deletes a row of a strategy (goal, platform, pillar) while that strategy is a draft."""
    row = _get(model, access, obj_or_id)
    _editable_strategy(access, row.strategy_id)
    _delete(row)


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


def _validate_platforms(values: Iterable[str] | None, field: str) -> list[str]:
    values = list(values or [])
    bad = [v for v in values if v not in SocialPlatform.values]
    if bad:
        raise DomainError(_("Unknown platform: %(p)s") % {"p": ", ".join(map(str, bad))}, field=field)
    return values


def _fmt(day: dt.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")
