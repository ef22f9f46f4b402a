"""Pagination of every API list: page numbers by default, a cursor on the large collections.

`?page=` (≥ 1) and `?page_size=` (1–200) are validated: a malformed, repeated or out-of-range value
is a 400 with the parameter named, never silently replaced by the default.

Views holding large, growing collections (leads, inbox, metrics) set `cursor_pagination = True`.
They keep the page-number contract (existing clients and pages use it) and add an opt-in cursor:
`?cursor=` (empty for the first page) switches to cursor pagination, ordered newest first by id,
whose `next`/`previous` links carry the cursor. A cursor never skips or repeats a row when rows are
added meanwhile, and costs no COUNT(*) — so a cursor page has no `count`.

Daily metric facts (`metrics/posts/`, `metrics/accounts/`) are cursor-only (`DayIdCursorPagination`):
keyset pages in (day, id) order, forward only, with a transparent `<day>.<id>` cursor.
"""

import calendar
import re
from base64 import b64decode
from binascii import Error as Base64Error
from datetime import date

from django.db.models import Q
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination, CursorPagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50


def _one_integer(request, name: str, *, minimum: int, maximum: int | None = None) -> int | None:
    values = request.query_params.getlist(name)
    if not values:
        return None
    if len(values) > 1:
        raise ValidationError({name: [_("Give this parameter once.")]})
    raw = values[0]
    if not (raw.isascii() and raw.isdigit()):
        raise ValidationError({name: [_("Enter a whole number.")]})
    value = int(raw)
    if value < minimum or (maximum is not None and value > maximum):
        if maximum is None:
            message = _("Enter a number of at least %(minimum)s.") % {"minimum": minimum}
        else:
            message = _("Enter a number from %(minimum)s to %(maximum)s.") % {"minimum": minimum, "maximum": maximum}
        raise ValidationError({name: [message]})
    return value


class IdCursorPagination(CursorPagination):
    ordering = ("-pk",)
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_ordering(self, request, queryset, view):
        return self.ordering  # a unique, unchanging order whatever ?ordering= says

    def decode_cursor(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded:
            try:
                b64decode(encoded.encode("ascii"), validate=True)
            except (Base64Error, UnicodeEncodeError, ValueError) as exc:
                raise ValidationError({self.cursor_query_param: [_("Invalid cursor.")]}) from exc
        try:
            return super().decode_cursor(request)
        except Exception as exc:  # DRF raises NotFound("Invalid cursor"): a malformed input is a 400
            raise ValidationError({self.cursor_query_param: [_("Invalid cursor.")]}) from exc


class DefaultPagination(PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset, request, view=None):
        _one_integer(request, self.page_size_query_param, minimum=1, maximum=MAX_PAGE_SIZE)
        self.cursor = None
        if getattr(view, "cursor_pagination", False) and self.cursor_query_param in request.query_params:
            if self.page_query_param in request.query_params:
                raise ValidationError({self.cursor_query_param: [_("Give either a cursor or a page, not both.")]})
            self.cursor = IdCursorPagination()
            return self.cursor.paginate_queryset(queryset, request, view)
        if request.query_params.get(self.page_query_param) not in self.last_page_strings:
            _one_integer(request, self.page_query_param, minimum=1)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        if self.cursor is not None:
            return self.cursor.get_paginated_response(data)
        return super().get_paginated_response(data)

    def get_paginated_response_schema(self, schema):
        paged = super().get_paginated_response_schema(schema)
        paged["required"] = ["results"]
        paged["properties"]["count"]["description"] = "Total number of rows (absent on cursor pages)."
        return paged

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        if getattr(view, "cursor_pagination", False):
            parameters.append(
                {
                    "name": self.cursor_query_param,
                    "required": False,
                    "in": "query",
                    "description": "Cursor pagination: empty for the first page, then the value from `next`. "
                    "Excludes `page`; cursor pages have no `count`.",
                    "schema": {"type": "string", "maxLength": 500},
                }
            )
        return parameters


MAX_ID = 2**63 - 1  # bigint primary keys
# `<day>.<id>` of the last row seen, or empty for the first page. Any string of this shape is a position:
# a day past the end of its month is the end of that month, year 0 is before every row.
DAY_ID_CURSOR_PATTERN = r"^((\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])\.(\d{1,18}))?$"
_DAY_ID_CURSOR = re.compile(DAY_ID_CURSOR_PATTERN, re.ASCII)


def _position(raw: str) -> tuple[date, int] | None:
    """The (day, id) after which a page starts; None = from the first row."""
    match = _DAY_ID_CURSOR.fullmatch(raw)
    if match is None:
        raise ValidationError({"cursor": [_("Invalid cursor.")]})
    if not match.group(1):
        return None
    year, month, day, pk = (int(match.group(n)) for n in (2, 3, 4, 5))
    if year == 0:
        return None  # before 0001-01-01: every row comes after it
    last = calendar.monthrange(year, month)[1]
    if day > last:  # e.g. 2026-02-30: every row of February comes before it
        return date(year, month, last), MAX_ID
    return date(year, month, day), pk


class DayIdCursorPagination(BasePagination):
    """Keyset pagination of daily facts in ascending (day, id) order: forward only, no COUNT(*).

    The cursor is the (day, id) of the last row of the page, so the next page is `WHERE (day, id) > cursor`
    — an index range scan on (organization, day, id), the same cost on page 1 and page 10,000. A row
    added meanwhile never makes the walk skip or repeat a row (DRF's CursorPagination keys on one field
    plus an offset, which repeats rows when one is added inside the last page's day). A row added
    before the cursor is not shown in this walk; one added after it is.
    """

    page_size = DEFAULT_PAGE_SIZE
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset, request, view=None):
        size = _one_integer(request, self.page_size_query_param, minimum=1, maximum=MAX_PAGE_SIZE) or self.page_size
        values = request.query_params.getlist(self.cursor_query_param)
        if len(values) > 1:
            raise ValidationError({self.cursor_query_param: [_("Give this parameter once.")]})
        position = _position(values[0]) if values else None
        if position is not None:
            day, pk = position
            # `day >= d` first: the index range; the OR only trims the first day.
            queryset = queryset.filter(day__gte=day).filter(Q(day__gt=day) | Q(pk__gt=pk))
        rows = list(queryset.order_by("day", "pk")[: size + 1])
        self.request = request
        self.has_next = len(rows) > size
        self.page = rows[:size]
        return self.page

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        last = self.page[-1]
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, f"{last.day.isoformat()}.{last.pk}")

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page (its `cursor` is the last row's `day.id`); null on the last page.",
                    "example": "https://smm.example/api/v1/orgs/acme/metrics/posts/?cursor=2026-03-01.4812",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where the page starts: empty or absent for the first page, then the value in "
                "`next` (`<day>.<id>` of the last row seen, e.g. `2026-03-01.4812`). Rows come in ascending "
                "(day, id) order.",
                "schema": {"type": "string", "pattern": DAY_ID_CURSOR_PATTERN, "maxLength": 29},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page, 1–{MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]
