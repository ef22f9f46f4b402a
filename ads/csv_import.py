"""CSV import of daily campaign statistics for platforms without a connector.

One row per campaign and day: ``day, campaign, spend, impressions, clicks, reach, leads, revenue``
(``day`` and ``campaign`` required; an empty cell is "not reported", never 0). The campaign is
found by name in the chosen ad account, or created there. ``preview`` checks every row and
returns every row's errors; ``import_rows`` writes all rows or none (a file with any bad row is
refused whole), in one transaction, upserting by (campaign, day): importing a corrected file again
replaces the figures it repeats.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core.dates import EARLIEST_DATE, LATEST_DATE
from core.errors import DomainError
from core.numbers import money
from core.vocabulary import CampaignStatus
from integrations.bulk import bulk_upsert
from integrations.models import SocialAccount
from tenancy.access import Access
from tenancy.roles import Perm
from tenancy.scoping import get_for_organization

from .models import AdCampaign, AdStatDaily

COLUMNS = ("day", "campaign", "spend", "impressions", "clicks", "reach", "leads", "revenue")
REQUIRED = ("day", "campaign")
INTEGERS = ("impressions", "clicks", "reach", "leads")
MONEY = ("spend", "revenue")
MAX_ROWS = 5000
MAX_BYTES = 1024 * 1024
MAX_INT = 2**31 - 1
MAX_MONEY = Decimal("1000000000000")


@dataclass
class Row:
    line: int
    values: dict[str, Any]
    errors: list[str] = field(default_factory=list)


@dataclass
class Preview:
    rows: list[Row]
    new_campaigns: list[str]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not any(row.errors for row in self.rows)

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


def _number(cell: str, name: str) -> Any:
    cell = cell.replace(" ", "").replace("\u00a0", "")
    if name in MONEY:
        if "," in cell and "." not in cell:
            cell = cell.replace(",", ".")
        try:
            value = Decimal(cell)
        except InvalidOperation:
            raise ValueError(_("%(column)s: enter an amount, e.g. 1250.50.") % {"column": name}) from None
        if not value.is_finite() or value < 0 or value >= MAX_MONEY:
            raise ValueError(_("%(column)s: enter an amount that is not negative.") % {"column": name})
        return money(value)
    if not cell.isdigit() or int(cell) > MAX_INT:
        raise ValueError(_("%(column)s: enter a whole number that is not negative.") % {"column": name})
    return int(cell)


def _read(text: str) -> list[Row]:
    if "\x00" in text:
        raise DomainError(_("The file is not a text CSV file."), field="file")
    if not text.strip():
        raise DomainError(_("The file is empty."), field="file")
    first_line = text.lstrip().splitlines()[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text.lstrip()), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader, [])]
    unknown = [name for name in header if name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in header]
    if unknown or missing or len(set(header)) != len(header):
        raise DomainError(
            _("Columns must be: %(allowed)s (day and campaign required, each once).") % {"allowed": ", ".join(COLUMNS)},
            field="file",
        )
    rows: list[Row] = []
    seen: dict[tuple[str, dt.date], int] = {}
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        row = Row(line=line, values={})
        rows.append(row)
        if len(rows) > MAX_ROWS:
            raise DomainError(_("At most %(n)d rows per file: split it.") % {"n": MAX_ROWS}, field="file")
        if len(cells) > len(header):
            row.errors.append(_("More cells than columns."))
            continue
        for name, cell in zip(header, cells, strict=False):
            cell = cell.strip()
            if not cell:
                continue
            try:
                if name == "day":
                    try:
                        day = dt.date.fromisoformat(cell)
                    except ValueError:
                        raise ValueError(_("day: use YYYY-MM-DD.")) from None
                    if not EARLIEST_DATE <= day <= LATEST_DATE:
                        raise ValueError(_("day: choose a date between 2000-01-01 and 2099-12-31."))
                    row.values["day"] = day
                elif name == "campaign":
                    if len(cell) > 300:
                        raise ValueError(_("campaign: at most 300 characters."))
                    row.values["campaign"] = cell
                else:
                    row.values[name] = _number(cell, name)
            except ValueError as exc:
                row.errors.append(str(exc))
        for name in REQUIRED:
            if name not in row.values and not any(e.startswith(f"{name}:") for e in row.errors):
                row.errors.append(_("%(column)s: required.") % {"column": name})
        key = (row.values.get("campaign", ""), row.values.get("day", dt.date.min))
        if "campaign" in row.values and "day" in row.values:
            if key in seen:
                row.errors.append(_("The same campaign and day as line %(line)d.") % {"line": seen[key]})
            else:
                seen[key] = line
    if not rows:
        raise DomainError(_("The file has no rows."), field="file")
    return rows


def _account(access: Access, account_id: object) -> SocialAccount:
    return get_for_organization(
        SocialAccount.objects.for_organization(access.organization),
        access.organization,
        account_id,
        message=_("Choose an account of this organization."),
    )


def preview(*, access: Access, account_id: object, text: str) -> Preview:
    """Every row checked; nothing is written."""
    access.require(Perm.WRITE)
    account = _account(access, account_id)
    rows = _read(text)
    names = {row.values["campaign"] for row in rows if "campaign" in row.values}
    known = set(
        AdCampaign.objects.for_organization(access.organization)
        .filter(account=account, name__in=names)
        .values_list("name", flat=True)
    )
    return Preview(rows=rows, new_campaigns=sorted(names - known))


def import_rows(*, access: Access, account_id: object, text: str) -> int:
    """Write every row, or none: a file with any bad row raises ``DomainError`` with each row's errors."""
    result = preview(access=access, account_id=account_id, text=text)
    if not result.ok:
        raise DomainError(
            _("%(n)d rows have errors; nothing was imported.") % {"n": result.error_count},
            fields={f"line {row.line}": row.errors for row in result.rows if row.errors},
        )
    account = _account(access, account_id)
    organization = access.organization
    currency = (account.options or {}).get("currency") or organization.currency
    with transaction.atomic():
        campaigns = dict(
            AdCampaign.objects.for_organization(organization)
            .filter(account=account, name__in={row.values["campaign"] for row in result.rows})
            .values_list("name", "id")
        )
        for name in result.new_campaigns:
            campaigns[name] = AdCampaign.objects.create(
                organization=organization,
                account=account,
                external_id=f"csv:{name}"[:100],
                name=name,
                status=CampaignStatus.ACTIVE,
                currency=currency,
            ).pk
        rows = [
            {
                "organization_id": organization.pk,
                "account_id": account.pk,
                "campaign_id": campaigns[row.values["campaign"]],
                "day": row.values["day"],
                "currency": currency,
                **{name: row.values.get(name) for name in (*MONEY, *INTEGERS)},
            }
            for row in result.rows
        ]
        bulk_upsert(AdStatDaily, rows, key_fields=["organization_id", "campaign_id", "day"])
    return len(rows)
