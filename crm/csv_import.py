"""CSV import of leads and sales for businesses without a CRM: the rows go through the same upsert
as the API (same validation, same rules, all or nothing). The preview is a dry run of that upsert
rolled back, so it shows exactly what confirming will do, or every row's errors."""

import csv
import io
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.serializers import Serializer

from core.errors import DomainError
from tenancy.access import Access
from tenancy.roles import Perm

from . import services
from .validation import MAX_ITEMS, LeadInSerializer, SaleInSerializer


def _columns(serializer_class: type[Serializer], *, skip: frozenset[str] = frozenset()) -> list[str]:
    """A file's columns are the API's input fields (one field list per entity), the id first;
    `skip` names fields a flat CSV cell cannot carry."""
    fields: dict[str, object] = dict(serializer_class().fields)
    names = [name for name in fields if name not in skip and name != "external_id"]
    return ["external_id", *names]


LEAD_COLUMNS = _columns(LeadInSerializer, skip=frozenset({"touches"}))  # touches: a list, API only
SALE_COLUMNS = _columns(SaleInSerializer)
COLUMNS = {"leads": LEAD_COLUMNS, "sales": SALE_COLUMNS}
UPSERTS = {"leads": services.upsert_leads, "sales": services.upsert_sales}
MONEY_COLUMNS = {"value", "amount"}
# The previewed text travels back with the confirmation: well below Django's 2.5 MB request field limit.
MAX_BYTES = 1024 * 1024
_ITEM_FIELD = re.compile(r"^items\.(\d+)\.?(.*)$")


@dataclass
class PreviewRow:
    line: int
    values: dict
    errors: list[str] = field(default_factory=list)
    result: str = ""
    cells: list[str] = field(default_factory=list)


@dataclass
class Preview:
    kind: str
    columns: list[str]
    rows: list[PreviewRow]
    file_errors: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.file_errors and not any(row.errors for row in self.rows)

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.errors)


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1251 (what Russian Excel saves)."""
    if len(raw) > MAX_BYTES:
        raise DomainError(_("The file is larger than 1 MB: split it."), field="file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1251", errors="replace")


def read_rows(kind: str, text: str) -> tuple[list[str], list[dict[str, str | list[str]]]]:
    """The header and the rows as upsert items (empty cells left out: they keep stored values)."""
    if not text.strip():
        raise DomainError(_("The file is empty."), field="file")
    first_line = text.lstrip().splitlines()[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader, [])]
    unknown = [name for name in header if name not in COLUMNS[kind]]
    if unknown:
        raise DomainError(
            _("Unknown columns: %(names)s. Allowed: %(allowed)s.")
            % {"names": ", ".join(unknown), "allowed": ", ".join(COLUMNS[kind])},
            field="file",
        )
    if "external_id" not in header:
        raise DomainError(_("The column external_id is required."), field="file")
    # Upsert items of the row's cells; a row with more cells than columns is {"__extra__": the extra cells}.
    rows: list[dict[str, str | list[str]]] = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue  # blank lines
        if len(cells) > len(header):
            rows.append({"__extra__": cells[len(header) :]})
            continue
        item: dict[str, str | list[str]] = {}
        for name, cell in zip(header, cells, strict=False):
            cell = cell.strip()
            if cell == "":
                continue
            if name in MONEY_COLUMNS:
                cell = cell.replace(" ", "").replace("\u00a0", "")
                if "," in cell and "." not in cell:
                    cell = cell.replace(",", ".")  # a decimal comma
            item[name] = cell
        rows.append(item)
    if len(rows) > MAX_ITEMS:
        raise DomainError(_("At most %(n)d rows per file: split it.") % {"n": MAX_ITEMS}, field="file")
    return header, rows


class _DryRun(Exception):
    pass


def preview(*, access: Access, kind: str, text: str) -> Preview:
    """What importing `text` would do (nothing is written)."""
    access.require(Perm.WRITE)
    try:
        columns, items = read_rows(kind, text)
    except DomainError as exc:
        return Preview(kind=kind, columns=[], rows=[], file_errors=_messages(exc))
    rows = [PreviewRow(line=index + 2, values=item) for index, item in enumerate(items)]
    for row in rows:
        if "__extra__" in row.values:
            row.errors.append(_("More cells than columns."))
            row.values = {}
    result = None
    if not any(row.errors for row in rows):
        try:
            with transaction.atomic():
                result = UPSERTS[kind](organization=access.organization, items=items)
                raise _DryRun
        except _DryRun:
            pass
        except DomainError as exc:
            _attach_errors(rows, exc)
    for row in rows:
        row.cells = [row.values.get(name, "") for name in columns]
    view = Preview(kind=kind, columns=columns, rows=rows)
    if not rows:
        view.file_errors.append(_("The file has no rows."))
    if result is not None:
        by_id = {item.external_id: item.result for item in result.items}
        last_line = {row.values["external_id"]: row.line for row in rows}
        for row in rows:
            external_id = row.values["external_id"]
            if last_line[external_id] != row.line:
                row.result = _("replaced by line %(line)d") % {"line": last_line[external_id]}
            else:
                row.result = by_id.get(external_id, "")
        view.counts = {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
    return view


def import_rows(*, access: Access, kind: str, text: str) -> services.UpsertResult:
    """Imports `text` for real (all or nothing); a file with any error raises `DomainError`."""
    access.require(Perm.WRITE)
    _columns, items = read_rows(kind, text)
    if any("__extra__" in item for item in items):
        raise DomainError(_("Some rows have more cells than columns."), field="file")
    if not items:
        raise DomainError(_("The file has no rows."), field="file")
    return UPSERTS[kind](organization=access.organization, items=items)


def _messages(exc: DomainError) -> list[str]:
    messages = [m for msgs in exc.fields.values() for m in msgs]
    return messages or [str(exc.message)]


def _attach_errors(rows: list[PreviewRow], exc: DomainError) -> None:
    for path, messages in exc.fields.items():
        match = _ITEM_FIELD.match(path)
        if match is None or int(match.group(1)) >= len(rows):
            if rows:  # not about one row: shown on the first
                rows[0].errors.extend(messages)
            continue
        column = match.group(2)
        rows[int(match.group(1))].errors.extend(f"{column}: {m}" if column else m for m in messages)
