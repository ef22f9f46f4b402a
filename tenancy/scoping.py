"""The one way to fetch a tenant row by an id that came from a user.

A row of another organization, a missing row and an id that is not a valid key at all all raise the
same `NotFound`, so a response never tells whether another tenant's object exists (Zulip's
`access_*_by_id` pattern). Each app wraps this in `access_<entity>(access, id)` helpers.
"""

from typing import TypeVar, cast

from django.db import models
from django.utils.translation import gettext as _

from core.errors import NotFound

from .models import Organization, TenantModel, organization_id_of

T = TypeVar("T", bound=TenantModel)

# PostgreSQL bigint; larger or negative ids can never name a row (and would be a 500 on the cast).
_MAX_ID = 2**63 - 1


def parse_id(value: object) -> int | None:
    """An id from a URL, form or JSON body as an int, or None if it cannot be a primary key."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        pk = value
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        pk = int(value)
    else:
        return None
    return pk if 1 <= pk <= _MAX_ID else None


def get_for_organization(
    model_or_queryset: type[T] | models.QuerySet[T],
    organization: Organization | int,
    obj_or_id: object,
    *,
    lock: bool = False,
    message: str | None = None,
) -> T:
    """The row `obj_or_id` of `organization` (re-read, so a stale or foreign instance is not trusted)."""
    queryset: models.QuerySet[T]
    if isinstance(model_or_queryset, models.QuerySet):
        queryset = model_or_queryset
    else:
        # cast: the Django plugin types the manager of a type variable's model as its bound's.
        queryset = cast("models.QuerySet[T]", model_or_queryset._default_manager.all())
    pk = parse_id(obj_or_id.pk if isinstance(obj_or_id, models.Model) else obj_or_id)
    obj = None
    if pk is not None:
        queryset = queryset.filter(organization_id=organization_id_of(organization), pk=pk)
        obj = (queryset.select_for_update() if lock else queryset).first()
    if obj is None:
        name = queryset.model._meta.verbose_name
        raise NotFound(message or _("%(model)s not found.") % {"model": str(name).capitalize()})
    return obj
