"""Pagination of every API list: page numbers by default, a cursor on the large collections.

`?page=` (≥ 1) and `?page_size=` (1–200) are validated: a malformed, repeated or out-of-range value
is a 400 with the parameter named, never silently replaced by the default.

Views holding large, growing collections (leads, inbox, metrics) set `cursor_pagination = True`.
They keep the page-number contract (existing clients and pages use it) and add an opt-in cursor:
`?cursor=` (empty for the first page) switches to cursor pagination, ordered newest first by id,
whose `next`/`previous` links carry the cursor. A cursor never skips or repeats a row when rows are
added meanwhile, and costs no COUNT(*) — so a cursor page has no `count`.
"""

from base64 import b64decode
from binascii import Error as Base64Error

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination

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
