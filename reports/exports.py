"""The report's KPI table as CSV and XLSX: raw numbers (a dot decimal separator), one row per KPI."""

import csv
import io
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from .models import Report


def _header() -> list[str]:
    return [
        str(_("KPI")),
        str(pgettext("KPI table column: the KPI's code", "Key")),
        str(_("Unit")),
        str(_("This period")),
        str(_("Previous period")),
    ]


def _rows(report: Report) -> list[list[object]]:
    return [
        [row["name"], row["key"], row["unit"], row["current"], row["previous"]]
        for row in (report.snapshot or {}).get("kpis", [])
    ]


def kpi_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_header())
    writer.writerows(_rows(report))
    return out.getvalue()


def kpi_xlsx(report: Report) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = str(_("KPIs"))[:31]
    sheet.append(_header())
    for name, key, unit, current, previous in _rows(report):
        sheet.append(
            [
                name,
                key,
                unit,
                None if current is None else float(Decimal(str(current))),
                None if previous is None else float(Decimal(str(previous))),
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
