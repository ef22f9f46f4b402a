"""Request body parsers for the API."""

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# Deeper than any body the API accepts (JSON fields hold a few levels), far below the interpreter's
# recursion limit, so nothing downstream (validation, the error format) recurses dangerously.
MAX_JSON_DEPTH = 32


class JSONParser(parsers.JSONParser):
    """DRF's parser, refusing pathologically nested bodies with a 400 instead of a RecursionError."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            data = None
            too_deep = True
        else:
            too_deep = nesting_exceeds(data, MAX_JSON_DEPTH)
        if too_deep:
            raise ParseError(_("JSON parse error - nested too deeply."))
        return data


def nesting_exceeds(value, limit: int) -> bool:
    """Whether lists/objects nest more than ``limit`` levels (iterative: no recursion to exhaust)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False
