"""The OpenAPI schema tells the truth about what the API serves and refuses.

Two places, so every endpoint inherits them without declaring anything:

- `AutoSchema` (DEFAULT_SCHEMA_CLASS): read-only model fields declare the empty string or null where
  the column allows them (DRF drops `allow_blank` from read-only fields, so a blank choice or URL would
  otherwise be "not in the enum" / "not a uri"); a view's `query_serializer_class` documents its
  query parameters; only `list` actions are paginated and filtered (id filters declare `minimum: 1`
  themselves, `tenancy.api.filters`); a view with `list_returns_object` answers one
  object; `conditional_get` views document `If-None-Match`, `ETag` and 304.
- `postprocess` (a drf-spectacular postprocessing hook): the shared `Error` schema on every error
  response an operation can give (400, 401, 403, 404, 429; 409 and 422 on writes, 415 where a body is
  read), the constraints the server enforces on shared parameters (`page` ≥ 1, `page_size` 1–200,
  integer ids ≥ 1), and formats a validator reads differently from the server (`time` without an
  offset, decimals that need a digit).
"""

import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from core.patterns import url_pattern

from .pagination import MAX_PAGE_SIZE

MAX_ID = 2**63 - 1  # bigint primary keys
METHODS = ("get", "put", "patch", "post", "delete")

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error of the API has this shape.",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "description": "Stable machine-readable code, e.g. `validation_error`."},
                "message": {"type": "string", "description": "Human-readable, in the request's language."},
                "fields": {
                    "type": "object",
                    "description": "Field (or query parameter) → messages; empty when not about fields.",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
                "retry_after": {"type": "number", "description": "Seconds to wait (429 only)."},
            },
            "required": ["code", "message", "fields"],
        }
    },
    "required": ["error"],
    "example": {
        "error": {
            "code": "validation_error",
            "message": "Enter a whole number.",
            "fields": {"page": ["Enter a whole number."]},
        }
    },
}

ERRORS = {
    "400": "Invalid input: a malformed query parameter, filter value or body (see `error.fields`).",
    "401": "No or invalid credentials.",
    "403": "The token's scopes or the member's role do not allow this.",
    "404": "No such organization or object (another organization's objects are 404 too).",
    "409": "The request conflicts with the object's current state.",
    "415": "Unsupported media type of the body.",
    "422": "The `Idempotency-Key` was already used with a different request body.",
    "429": "Rate limit exceeded: wait `Retry-After` seconds (also in `RateLimit-Reset`).",
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Makes a retry safe: a repeat with the same key and body within 24 hours returns the first "
    "answer (`Idempotent-Replayed: true`); the same key with another body is a 422.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"},
}
# OpenAPI links from a create to the operations on what it created (clients and the stateful
# conformance run follow them): collection → the `id` of the answer. `leads/` is an upsert answering
# `items`, so its link names the first item's id.
LINKED_RESOURCES = {"leads": "/items/0/id", "posts": "/id", "goals": "/id"}
RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": "Requests allowed in the current window (the tightest of the applicable limits).",
    "RateLimit-Remaining": "Requests left in the current window.",
    "RateLimit-Reset": "Seconds until the window resets.",
}


NO_NUL = r"^[^\x00]*$"  # DRF's CharField refuses a NUL character in any text it reads
# A required text (not `allow_blank`) that DRF trims: at least one character other than white space.
NOT_BLANK = r"^[^\x00]*[^\s\x00][^\x00]*$"


def _is_smallest_step(field) -> bool:
    """A decimal whose minimum is its smallest step above zero (`0.01` with two places): "more than 0"."""
    places = field.decimal_places
    return places is not None and places > 0 and Decimal(field.min_value) == Decimal(1).scaleb(-places)


def positive_decimal(digits: int, places: int) -> str:
    """A decimal above zero as text: a non-zero whole part (leading zeros allowed, as the server reads
    them) with any fraction, or a zero whole part and a fraction with a non-zero digit."""
    fractions = "|".join(f"0{{{zeros}}}[1-9]\\d{{0,{places - 1 - zeros}}}" for zeros in range(places))
    return f"^(?:0*[1-9]\\d{{0,{digits - 1}}}(?:\\.\\d{{0,{places}}})?|0*\\.(?:{fractions}))$"


def _same_length(a: str, b: str) -> list[list[tuple[int, int]]]:
    """Digit ranges, position by position, covering the whole numbers a..b of one length."""
    if len(a) == 1:
        return [[(int(a), int(b))]]
    if a[0] == b[0]:
        return [[(int(a[0]), int(a[0])), *rest] for rest in _same_length(a[1:], b[1:])]
    rest_length = len(a) - 1
    first, last = int(a[0]), int(b[0])
    found = []
    if a[1:] != "0" * rest_length:
        found += [[(first, first), *rest] for rest in _same_length(a[1:], "9" * rest_length)]
        first += 1
    if b[1:] != "9" * rest_length:
        tail = [[(last, last), *rest] for rest in _same_length("0" * rest_length, b[1:])]
        last -= 1
    else:
        tail = []
    if first <= last:
        found.append([(first, last)] + [(0, 9)] * rest_length)
    return found + tail


def _digit(span: tuple[int, int]) -> str:
    low, high = span
    if low == high:
        return str(low)
    return r"\d" if (low, high) == (0, 9) else f"[{low}-{high}]"


def _fraction(spans: list[tuple[int, int]], first_required: bool) -> tuple[str, bool]:
    """The fraction's digits; trailing zeros may be left out. Returns (regex, may be empty)."""
    text, optional = "", True
    for index in range(len(spans) - 1, -1, -1):
        span = spans[index]
        if optional and span[0] == 0 and not (first_required and index == 0):
            text = f"(?:{_digit(span)}{text})?"
        else:
            optional = False
            text = _digit(span) + text
    return text, optional


def decimal_range_pattern(low: Decimal, high: Decimal, places: int) -> str:
    """A pattern matching exactly the texts of the decimals low..high (both ≥ 0) with at most
    `places` decimal places, as the server reads them: leading zeros, a missing whole part
    (`.5`), trailing zeros of the fraction and a trailing dot allowed."""
    scale = Decimal(1).scaleb(places)
    low_n, high_n = int((low * scale).to_integral_value()), int((high * scale).to_integral_value())
    if low_n < low * scale:
        low_n += 1
    sequences = []
    for length in range(len(str(low_n)), len(str(high_n)) + 1):
        a, b = max(low_n, 10 ** (length - 1) if length > 1 else 0), min(high_n, 10**length - 1)
        if a <= b:
            sequences += _same_length(str(a), str(b))
    alternatives = []
    for spans in sequences:
        spans = [(0, 0)] * max(0, places + 1 - len(spans)) + spans
        whole, fraction = spans[: len(spans) - places], spans[len(spans) - places :]
        if len(whole) == 1 and whole[0][0] == 0 and whole[0][1] > 0:  # 0 apart: it may be left out
            variants = [[(0, 0)], [(1, whole[0][1])]]
        else:
            variants = [whole]
        for whole in variants:
            if places == 0:
                alternatives.append("0*" + "".join(_digit(s) for s in whole) + r"\.?")
                continue
            digits, may_be_empty = _fraction(fraction, first_required=False)
            if whole == [(0, 0)]:
                required, _ = _fraction(fraction, first_required=True)
                if may_be_empty:
                    alternatives.append(rf"0+(?:\.{digits})?|0*\.{required}")
                else:
                    alternatives.append(rf"0*\.{digits}")
            else:
                head = "0*" + "".join(_digit(s) for s in whole)
                alternatives.append(head + (rf"(?:\.{digits})?" if may_be_empty else rf"\.{digits}"))
    return "^(?:" + "|".join(alternatives) + ")$"


def _bounded_decimal(field) -> str | None:
    """The range pattern of a decimal with a maximum or a minimum other than 0 or "above 0" (the
    server's `min_value`/`max_value`, which OpenAPI's `minimum`/`maximum` cannot state of a string)."""
    places, digits = field.decimal_places, field.max_digits
    low, high = field.min_value, field.max_value
    if places is None or digits is None or low is None or Decimal(low) < 0:
        return None
    if high is None and (Decimal(low) == 0 or _is_smallest_step(field)):
        return None
    largest = Decimal(10 ** (digits - places)) - Decimal(1).scaleb(-places)
    return decimal_range_pattern(Decimal(low), min(Decimal(high), largest) if high is not None else largest, places)


class AutoSchema(openapi.AutoSchema):
    def _map_serializer(self, serializer, direction, bypass_extensions=False):
        result = super()._map_serializer(serializer, direction, bypass_extensions)
        # Serializers that refuse unknown fields (`strict_fields`) say so.
        if direction == "request" and getattr(serializer, "strict_fields", False) and "properties" in result:
            result["additionalProperties"] = False
        return result

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        model_field = _model_field(field)
        if model_field is not None and field.read_only:
            if model_field.null and not field.allow_null:
                field.allow_null = True
            text = isinstance(field, serializers.CharField | serializers.ChoiceField)
            if model_field.blank and isinstance(model_field, models.CharField | models.TextField) and text:
                field.allow_blank = True
        # drf-spectacular itself declares a blank URL as "uri or empty" and a blank choice as "enum or
        # empty" once it knows the field allows blanks.
        result = super()._map_serializer_field(field, direction, bypass_extensions)
        pattern = result.get("pattern") if isinstance(result, dict) else None
        minimum = getattr(field, "min_value", None)
        unsigned = isinstance(field, serializers.DecimalField) and minimum is not None and minimum >= 0
        if unsigned and isinstance(pattern, str) and pattern.startswith("^-?"):
            result["pattern"] = "^" + pattern[3:]  # no sign: the server refuses a negative amount
        if direction == "request" and unsigned and isinstance(pattern, str) and _is_smallest_step(field):
            result["pattern"] = positive_decimal(field.max_digits - field.decimal_places, field.decimal_places)
        bounded = _bounded_decimal(field) if isinstance(field, serializers.DecimalField) else None
        if direction == "request" and bounded and isinstance(pattern, str):
            result["pattern"] = bounded
        stated = getattr(field, "schema_pattern", None)  # a text field naming its own pattern
        if isinstance(stated, str) and isinstance(result, dict):
            result["pattern"] = stated
        text = isinstance(result, dict) and result.get("type") == "string"
        plain = text and not ({"format", "pattern", "enum", "$ref"} & set(result))
        if direction == "request" and isinstance(field, serializers.CharField) and plain:
            blank = field.allow_blank or not field.trim_whitespace
            result["pattern"] = NO_NUL if blank else NOT_BLANK
        lists = (serializers.ListSerializer, serializers.ListField)
        if isinstance(field, lists) and isinstance(result, dict) and result.get("type") == "array":
            if field.min_length is not None:
                result["minItems"] = field.min_length
            if not field.allow_empty:  # "This list may not be empty."
                result["minItems"] = max(1, result.get("minItems", 0))
            if field.max_length is not None:
                result["maxItems"] = field.max_length
        if direction == "request" and isinstance(result, dict):
            self._state_text_shapes(field, result)
        return result

    @staticmethod
    def _state_text_shapes(field, result: dict) -> None:
        if isinstance(field, serializers.RegexField) and result.get("type") == "string":
            regex = next((v.regex for v in field.validators if hasattr(v, "regex")), None)
            if regex is not None:
                result["pattern"] = regex.pattern
        if isinstance(field, serializers.URLField) and result.get("type") == "string" and "pattern" not in result:
            schemes = next((v.schemes for v in field.validators if hasattr(v, "schemes")), None)
            if schemes:  # the pattern, not `format: uri`: the server also takes international host names
                result["pattern"] = url_pattern(list(schemes))
                result.pop("format", None)
        pattern = result.get("pattern")
        if isinstance(field, serializers.DecimalField) and field.allow_null and isinstance(pattern, str):
            # DRF reads "" as null for a nullable decimal: the pattern admits it.
            inner = _decimal_pattern(pattern)
            if inner.startswith("^") and inner.endswith("$"):
                result["pattern"] = f"^(?:{inner[1:-1]})?$"

    def _is_list_view(self, serializer=None):
        # A `list` that answers one report object (attribution, plan balance) says so on the view.
        if getattr(self.view, "list_returns_object", False) and getattr(self.view, "action", None) == "list":
            return False
        return super()._is_list_view(serializer)

    def _get_paginator(self):
        # Only `list` actions are paginated (DRF's mixin); a detail action answering a list is a bare array.
        if getattr(self.view, "action", "list") not in ("list", None):
            return None
        return super()._get_paginator()

    def get_filter_backends(self):
        # Only `list` actions filter (DRF's mixin); a detail action answering a list takes no filters.
        if getattr(self.view, "action", "list") not in ("list", None):
            return []
        return super().get_filter_backends()

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        query_serializer = getattr(self.view, "query_serializer_class", None)
        if query_serializer is not None and getattr(self.view, "action", "list") == "list":
            parameters.append(query_serializer)
        if self._conditional():
            parameters.append(
                OpenApiParameter(
                    "If-None-Match",
                    str,
                    OpenApiParameter.HEADER,
                    description="The `ETag` of an earlier answer: 304 without a body if unchanged.",
                )
            )
        return parameters

    def _get_parameters(self):
        parameters = super()._get_parameters()
        query_serializer = getattr(self.view, "query_serializer_class", None)
        if query_serializer is None or getattr(self.view, "action", "list") != "list":
            return parameters
        # The view validates the query dict itself (`validated_query`), where DRF reads an empty value
        # of an optional field as "not given" (HTML form semantics): `?tone=` is any tone.
        optional = {name for name, field in query_serializer().fields.items() if not field.required}
        for parameter in parameters:
            schema = parameter.get("schema", {})
            if parameter.get("in") != "query" or parameter.get("name") not in optional:
                continue
            if schema.pop("minLength", None) and isinstance(schema.get("pattern"), str):
                schema["pattern"] = "^$|" + schema["pattern"]
        return parameters

    def _conditional(self) -> bool:
        return bool(getattr(self.view, "conditional_get", False)) and self.method == "GET"

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if self._conditional():
            ok = responses.get("200")
            if ok is not None:
                ok.setdefault("headers", {})["ETag"] = {
                    "description": "Send it back in `If-None-Match`.",
                    "schema": {"type": "string"},
                }
            responses["304"] = {"description": "Not modified since the `ETag` given in `If-None-Match`."}
        return responses


def _model_field(field) -> Any:
    parent = getattr(field, "parent", None)
    model = getattr(getattr(parent, "Meta", None), "model", None)
    source = getattr(field, "source", None)
    if model is None or not source or "." in source or source == "*":
        return None
    try:
        model_field = model._meta.get_field(source)
    except FieldDoesNotExist:
        return None
    return model_field if isinstance(model_field, models.Field) else None  # not a reverse relation


def _error_response(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _constrain(parameter: dict) -> None:
    schema = parameter.setdefault("schema", {})
    name, where = parameter.get("name"), parameter.get("in")
    if where == "query" and name == "page":
        schema.update(type="integer", minimum=1)
    elif where == "query" and name == "page_size":
        schema.update(type="integer", minimum=1, maximum=MAX_PAGE_SIZE)
    elif where == "path" and schema.get("type") == "integer":
        schema.update(minimum=1, maximum=MAX_ID)
    elif where == "query" and "" not in schema.get("enum", [""]):
        # DRF reads an empty query value of an optional field as "not given" (HTML form semantics).
        schema["enum"] = [*schema["enum"], ""]
    elif where == "path" and name == "org_slug":
        schema.update(pattern=r"^[-a-zA-Z0-9_]+$")


def _fix_formats(node: Any) -> None:
    """Walks a schema: `time` becomes a pattern (the validator demands an offset the API never sends),
    decimals need at least one digit (the server refuses an empty string)."""
    if isinstance(node, dict):
        if node.get("format") == "time" and node.get("type") == "string":
            del node["format"]
            node["pattern"] = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$"
        if node.get("format") == "decimal" and isinstance(node.get("pattern"), str):
            node["pattern"] = _decimal_pattern(node["pattern"])
        for value in node.values():
            _fix_formats(value)
    elif isinstance(node, list):
        for value in node:
            _fix_formats(value)


def _decimal_pattern(pattern: str) -> str:
    # drf-spectacular: ^-?\d{0,I}(?:\.\d{0,F})?$ — which also matches "", "-" and ".".

    match = re.fullmatch(r"\^(-\?)?\\d\{0,(\d+)\}\(\?:\\\.\\d\{0,(\d+)\}\)\?\$", pattern)
    if not match:
        return pattern
    signed, whole, fraction = match.groups()
    sign = "-?" if signed else ""
    if fraction == "0":
        return rf"^{sign}\d{{1,{whole}}}$"
    return rf"^{sign}(?:\d{{1,{whole}}}(?:\.\d{{0,{fraction}}})?|\.\d{{1,{fraction}}})$"


def _json_bodies_only(operation: dict) -> None:
    """The API's contract for bodies is JSON; form encodings (which DRF also parses, for the browsable
    API) are documented only where JSON is not offered (file uploads). Generated clients otherwise
    pick a form encoding for a JSON model."""
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        for media_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            content.pop(media_type, None)


def _add_links(paths: dict) -> None:
    for resource, pointer in LINKED_RESOURCES.items():
        collection = paths.get(f"/api/v1/orgs/{{org_slug}}/{resource}/", {})
        detail = paths.get(f"/api/v1/orgs/{{org_slug}}/{resource}/{{id}}/", {})
        create = collection.get("post")
        if not create or not detail:
            continue
        ok = next((create["responses"][code] for code in ("201", "200") if code in create["responses"]), None)
        if ok is None:
            continue
        links = ok.setdefault("links", {})
        for method, verb in (("get", "Get"), ("put", "Replace"), ("patch", "Update"), ("delete", "Delete")):
            if method in detail:
                links[f"{verb}Created"] = {
                    "operationId": detail[method]["operationId"],
                    "parameters": {"org_slug": "$request.path.org_slug", "id": f"$response.body#{pointer}"},
                    "description": f"{verb} the {resource[:-1]} just created.",
                }


def postprocess(result, generator, request, public):
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            for parameter in operation.get("parameters", []):
                _constrain(parameter)
            _json_bodies_only(operation)
            responses = operation.setdefault("responses", {})
            codes = ["400", "401", "403", "404", "429"]
            if method != "get":
                codes += ["409"]
            if "requestBody" in operation:
                codes += ["415"]
            if method == "post":
                codes += ["422"]
                operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
            for code in codes:
                responses.setdefault(code, _error_response(ERRORS[code]))
            for response in responses.values():
                if "$ref" in response:
                    continue
                headers = response.setdefault("headers", {})
                for name, description in RATE_LIMIT_HEADERS.items():
                    headers.setdefault(name, {"description": description, "schema": {"type": "integer", "minimum": 0}})
    _add_links(result.get("paths", {}))
    _fix_formats(result)
    return result
