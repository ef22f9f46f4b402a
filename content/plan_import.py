"""CSV import of drafts into the plan: every row is checked first and the errors are reported per
row (line numbers as a spreadsheet shows them); only a file without errors is imported, all rows in
one transaction (all or nothing), through the same services as the pages and the API.

Columns (header row required, comma, semicolon or tab separated, UTF-8 or Windows-1251):
``date`` (YYYY-MM-DD, or DD.MM.YYYY), ``time`` (HH:MM, optional, default 10:00), ``title``,
``platform``, ``objective``, ``format`` (optional), ``pillar`` (name, optional), ``goal`` (title,
optional), ``text`` (optional)."""

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from core.dates import is_in_range
from core.errors import DomainError
from core.vocabulary import PostFormat, SocialPlatform
from strategy.launch_gate import current_strategy
from strategy.models import ContentPillar, Goal
from tenancy.access import Access
from tenancy.roles import Perm

from . import services
from .models import Post, PostObjective
from .plan_services import plan_slot_set

COLUMNS = ["date", "time", "title", "platform", "objective", "format", "pillar", "goal", "text"]
REQUIRED = ["date", "title", "platform", "objective"]
MAX_BYTES = 1024 * 1024
MAX_ROWS = 500
DEFAULT_TIME = dt.time(10, 0)


@dataclass
class ImportRow:
    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    rows: list[ImportRow]
    file_errors: list[str] = field(default_factory=list)
    created: list[Post] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and not any(r.errors for r in self.rows)


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1251 (what Russian Excel saves)."""
    if len(raw) > MAX_BYTES:
        raise DomainError(_("The file is larger than 1 MB: split it."), field="file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1251", errors="replace")


def _read(text: str) -> list[ImportRow]:
    if not text.strip():
        raise DomainError(_("The file is empty."), field="file")
    first_line = text.lstrip().splitlines()[0]
    reader = csv.reader(io.StringIO(text), delimiter=max(",;\t", key=first_line.count))
    header = [name.strip().lower() for name in next(reader, [])]
    unknown = [name for name in header if name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in header]
    if unknown or missing:
        raise DomainError(
            _("Columns must be: %(allowed)s (required: %(required)s).")
            % {"allowed": ", ".join(COLUMNS), "required": ", ".join(REQUIRED)},
            field="file",
        )
    rows = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        row = ImportRow(line=reader.line_num, values={n: c.strip() for n, c in zip(header, cells, strict=False)})
        if len(cells) > len(header):
            row.errors.append(_("More cells than columns."))
        rows.append(row)
    if len(rows) > MAX_ROWS:
        raise DomainError(_("At most %(n)d rows per file: split it.") % {"n": MAX_ROWS}, field="file")
    return rows


def _parse_date(value: str) -> dt.date | None:
    parts = value.split(".")
    text = f"{parts[2]}-{parts[1]:0>2}-{parts[0]:0>2}" if len(parts) == 3 else value
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def _check(row: ImportRow, pillars: dict[str, ContentPillar], goals: dict[str, Goal]) -> dict | None:
    """The row as service input, or None with `row.errors` filled."""
    v = row.values
    for name in REQUIRED:
        if not v.get(name):
            row.errors.append(_("%(column)s: required.") % {"column": name})
    day = _parse_date(v.get("date", ""))
    if v.get("date") and (day is None or not is_in_range(day)):
        row.errors.append(_("date: expected YYYY-MM-DD or DD.MM.YYYY."))
    at = DEFAULT_TIME
    if v.get("time"):
        try:
            at = dt.time.fromisoformat(v["time"])
            if len(v["time"]) != 5:
                raise ValueError(v["time"])
        except ValueError:
            row.errors.append(_("time: expected HH:MM."))
    if v.get("platform") and v["platform"] not in SocialPlatform.values:
        row.errors.append(_("platform: one of %(values)s.") % {"values": ", ".join(SocialPlatform.values)})
    if v.get("objective") and v["objective"] not in PostObjective.values:
        row.errors.append(_("objective: one of %(values)s.") % {"values": ", ".join(PostObjective.values)})
    if v.get("format") and v["format"] not in PostFormat.values:
        row.errors.append(_("format: one of %(values)s.") % {"values": ", ".join(PostFormat.values)})
    if len(v.get("title", "")) > 200:
        row.errors.append(_("title: at most 200 characters."))
    pillar = pillars.get(v.get("pillar", "").casefold()) if v.get("pillar") else None
    if v.get("pillar") and pillar is None:
        row.errors.append(_("pillar: no pillar «%(name)s» in the current strategy.") % {"name": v["pillar"]})
    goal = goals.get(v.get("goal", "").casefold()) if v.get("goal") else None
    if v.get("goal") and goal is None:
        row.errors.append(_("goal: no goal «%(name)s» in the current strategy.") % {"name": v["goal"]})
    if row.errors or day is None:
        return None
    return {
        "title": v["title"],
        "platform": v["platform"],
        "objective": v["objective"],
        "format": v.get("format") or PostFormat.TEXT,
        "text": v.get("text", ""),
        "pillar": pillar,
        "goal": goal,
        "planned_at": dt.datetime.combine(day, at),
    }


def import_drafts(*, access: Access, text: str, dry_run: bool = False) -> ImportResult:
    """Checks every row; imports all of them (as drafts with a planned slot) only if none has an error."""
    access.require(Perm.WRITE)
    try:
        rows = _read(text)
    except DomainError as exc:
        return ImportResult(rows=[], file_errors=[str(exc.message)])
    strategy = current_strategy(organization=access.organization)
    pillars = {
        p.name.casefold(): p for p in ContentPillar.objects.filter(organization=access.organization, strategy=strategy)
    }
    goals = {g.label.casefold(): g for g in Goal.objects.filter(organization=access.organization, strategy=strategy)}
    result = ImportResult(rows=rows)
    items = [(row, _check(row, pillars, goals)) for row in rows]
    if not rows:
        result.file_errors.append(_("The file has no rows."))
    if not result.ok or dry_run:
        return result
    try:
        with transaction.atomic():
            for row, item in items:
                if item is None:  # cannot happen: every row passed _check
                    continue
                planned_at = item.pop("planned_at")
                try:
                    post = services.post_create(access=access, **item)
                    plan_slot_set(access=access, post=post, planned_at=planned_at)
                except DomainError as exc:
                    row.errors.append(str(exc.message))
                    raise
                result.created.append(post)
    except DomainError:
        result.created = []
    return result
