"""The annual report as files: a PDF (WeasyPrint, A4, a CJK font) and an Excel workbook (openpyxl).

Both render the same ``annual.AnnualReport``. They are built by ``lianmeng worker``
(``tasks.annual_report_build``) and kept until the data changes (``files``, ``freshness``): laying out
a national year's PDF takes seconds, which no request should wait for.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from lianmeng.core.cleaning import strip_controls
from lianmeng.core.exports import safe_cell
from lianmeng.core.templatetags.lianmeng import date_cn

from .annual import DATE, INT, MONEY, AnnualReport

PDF_FONT_FAMILY = '"Noto Sans CJK SC", "Noto Sans SC", sans-serif'


def display_cell(value: Any, kind: str) -> str:
    """A cell as printed: dates 2026年11月27日, amounts and counts with thousands separators."""
    if value is None or value == "":
        return "—" if kind == DATE else ""
    if kind == DATE:
        return date_cn(value)
    if kind == MONEY:
        return f"{Decimal(str(value)):,.2f}"
    if kind == INT:
        return f"{int(value):,}"
    return str(value)


# A printed table stops here (the Excel file has every row): at national scale a year has thousands
# of landings, and laying out every row made the PDF take 8-15 s.
PDF_MAX_ROWS = 200


def report_pdf(report: AnnualReport, progress: Callable[[str], None] | None = None) -> bytes:
    """The PDF; ``progress`` is told "layout" before WeasyPrint lays the pages out and "write" after."""
    from weasyprint import DEFAULT_OPTIONS, HTML

    sections = [
        {
            "key": s.key,
            "title": s.title,
            "facts": s.facts,
            "tables": [
                {
                    "title": t.title,
                    "columns": t.columns,
                    "rows": [
                        [
                            (display_cell(v, kind), kind in (INT, MONEY))
                            for v, (_l, kind) in zip(row, t.columns, strict=True)
                        ]
                        for row in t.rows[:PDF_MAX_ROWS]
                    ],
                    "omitted": max(0, len(t.rows) - PDF_MAX_ROWS),
                    "empty_text": t.empty_text,
                }
                for t in s.tables
            ],
        }
        for s in report.sections
    ]
    html = render_to_string(
        "reporting/annual_pdf.html",
        {"report": report, "sections": sections, "font_family": PDF_FONT_FAMILY},
    )
    # Tagged for accessibility (structure tree, reading order, table headers, document language and title):
    # WeasyPrint's PDF/UA-1 variant, which implies pdf_tags=True.
    options = {**DEFAULT_OPTIONS, "pdf_variant": "pdf/ua-1"}
    if progress:
        progress("layout")
    document = HTML(string=html).render(**options)
    if progress:
        progress("write")
    return bytes(document.write_pdf(**options))


def report_xlsx(report: AnnualReport) -> bytes:
    """One sheet per section; the first table's header row styled and frozen; numbers stay numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1F4E8C")
    title_font = Font(bold=True, size=12)
    number_formats = {INT: "#,##0", MONEY: "#,##0.00", DATE: "yyyy-mm-dd"}
    used: set[str] = set()
    for index, section in enumerate(report.sections, start=1):
        name = _sheet_name(f"{index} {section.title}", used)
        ws = wb.create_sheet(name)
        widths: dict[int, int] = {}
        row_no = 1
        frozen = False
        for table in section.tables:
            ws.cell(row=row_no, column=1, value=safe_cell(table.title)).font = title_font
            row_no += 1
            for col, (label, _kind) in enumerate(table.columns, start=1):
                cell = ws.cell(row=row_no, column=col, value=safe_cell(label))
                cell.font, cell.fill = header_font, header_fill
                cell.alignment = Alignment(horizontal="center", vertical="center")
                widths[col] = max(widths.get(col, 0), _width(label))
            if not frozen:
                ws.freeze_panes = ws.cell(row=row_no + 1, column=1)
                frozen = True
            row_no += 1
            for values in table.rows:
                for col, (value, (_label, kind)) in enumerate(
                    zip(values, table.columns, strict=True), start=1
                ):
                    cell = ws.cell(row=row_no, column=col, value=_excel_value(value, kind))
                    if kind in number_formats:
                        cell.number_format = number_formats[kind]
                    widths[col] = max(widths.get(col, 0), _width(display_cell(value, kind)))
                row_no += 1
            if not table.rows:
                ws.cell(row=row_no, column=1, value=safe_cell(table.empty_text or _("无")))
                row_no += 1
            row_no += 1
        for col, width in widths.items():
            ws.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 8), 60)
    wb.properties.title = strip_controls(
        _("%(name)s %(year)s 年度报告") % {"name": report.alliance.name, "year": report.year}
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _excel_value(value: Any, kind: str) -> Any:
    """Numbers and dates as such; text through ``safe_cell`` (no formula from user text)."""
    if value is None or value == "":
        return None
    if kind == MONEY:
        return float(value)
    if kind == INT:
        return int(value)
    if kind == DATE and isinstance(value, datetime.date):
        return value
    return safe_cell(str(value))


def _width(text: str) -> int:
    """Display width: a CJK character takes two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def _sheet_name(name: str, used: set[str]) -> str:
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in strip_controls(name))[:31]
    candidate, n = clean, 2
    while candidate in used:
        candidate = f"{clean[:28]}_{n}"
        n += 1
    used.add(candidate)
    return candidate
