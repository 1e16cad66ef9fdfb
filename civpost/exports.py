"""Excel (.xlsx) exports of staff lists, written in constant memory.

Every list a committee can export goes through `xlsx_response`: the view passes the queryset it already scoped to
the user's subtree and filtered exactly like the page, and the columns (a Chinese header and a value getter each).

How it stays small at national size (100,000 rows and more, see bench/exports.py):
- rows are read with `QuerySet.iterator(chunk_size=CHUNK)`: a server-side cursor on PostgreSQL, CHUNK rows in
  memory at a time; each `prefetch_related` costs one more query per chunk, never one per row;
- openpyxl's write-only mode writes each row's XML to a temporary file as it comes, and zips it into a temporary
  .xlsx at the end; the response then streams that file (`FileResponse`, 8 kB blocks) and deletes it when done.

Why a temporary file rather than a zip streamed as it is built (stream-zip, zipstream-ng): true streaming would mean
writing the SpreadsheetML by hand (shared strings, styles, widths, frozen header, merged title rows), which
openpyxl already does and keeps right; the file costs disk, not worker memory, and the few seconds until the first
byte of a national export are spent reading the database either way.

Cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) are written as
text with a leading apostrophe (formula injection, see ../shared/style.md).
"""

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import FileResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

CHUNK = 2000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Characters Excel refuses in a sheet's name, and its length limit.
SHEET_NAME_FORBIDDEN = str.maketrans({char: " " for char in "[]:*?/\\"})
SHEET_NAME_MAX = 31


def escape_formula(value):
    """A text value a spreadsheet shows as text and never runs as a formula; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], Any]
    width: int = 14


def field_column(model, path, width=14):
    """A column of `path` (`__` between relations: `registering_node__name`) headed by the translated name of its
    first field on `model` (registering committee), so that the export and the forms name things alike."""
    header = model._meta.get_field(path.split("__")[0]).verbose_name
    return Column(header, attribute(path), width)


def attribute(path):
    """A getter of `a__b__c` on a row, None when a relation on the way is empty."""

    def get(row):
        for name in path.split("__"):
            if row is None:
                return None
            row = getattr(row, name)
        return row() if callable(row) else row

    return get


@dataclass
class Sheet:
    title: str
    columns: list[Column]
    rows: Iterable
    heading: list[str] = field(default_factory=list)  # lines above the header, e.g. the title of a printed form
    footer: list[str] = field(default_factory=list)  # lines below the rows, e.g. its signature and stamp area
    numbered: bool = False  # a first column 序号 counting the rows


def cell_value(value):
    if value is None:
        return None
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, datetime):
        # Excel has no time zones: the local time, as on the page.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, bool | int | float | Decimal) or hasattr(value, "isoformat"):
        return value
    return escape_formula(str(value))


def _rows(rows):
    if hasattr(rows, "iterator"):
        return rows.iterator(chunk_size=CHUNK)
    return rows


def _styled(sheet, value, **styles):
    cell = WriteOnlyCell(sheet, value=cell_value(value))
    for name, style in styles.items():
        setattr(cell, name, style)
    return cell


def _numbered(columns, rows):
    numbers = Column(_("No."), lambda row: row[0], 6)
    return [numbers, *(Column(c.header, lambda row, get=c.value: get(row[1]), c.width) for c in columns)], enumerate(rows, start=1)


def _write_sheet(book, spec):
    sheet = book.create_sheet(str(spec.title).translate(SHEET_NAME_FORBIDDEN)[:SHEET_NAME_MAX])
    columns, rows = spec.columns, _rows(spec.rows)
    if spec.numbered:
        columns, rows = _numbered(columns, rows)
    width = len(columns)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    header_row = len(spec.heading) + 1
    # Set before the first row: write-only mode writes the sheet's views as soon as a row comes.
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    last = get_column_letter(width)
    for number, line in enumerate(spec.heading, start=1):
        # Each heading line spans the whole table, as on a printed form.
        sheet.merged_cells.add(f"A{number}:{last}{number}")
        size = 16 if number == 1 else 11
        sheet.append([_styled(sheet, line, font=Font(bold=number == 1, size=size), alignment=Alignment(horizontal="center" if number == 1 else "left"))])
    header_style = {"font": Font(bold=True), "fill": PatternFill("solid", fgColor="F2E6E4"), "alignment": Alignment(wrap_text=True, vertical="center")}
    sheet.append([_styled(sheet, capfirst(str(column.header)), **header_style) for column in columns])
    getters = [column.value for column in columns]
    for row in rows:
        sheet.append([cell_value(get(row)) for get in getters])
    if spec.footer:
        sheet.append([])
        for line in spec.footer:
            sheet.append([cell_value(line)])


def write_xlsx(file, *sheets):
    """Write the sheets as one workbook to a binary file object, one row in memory at a time."""
    book = Workbook(write_only=True)
    for spec in sheets:
        _write_sheet(book, spec)
    book.save(file)


def xlsx_response(filename, *sheets):
    """The workbook of these sheets as a download named `filename` (Chinese allowed: RFC 5987 in the header)."""
    file = tempfile.TemporaryFile(suffix=".xlsx")  # deleted when the response closes it
    write_xlsx(file, *sheets)
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


def dated_filename(name, extension="xlsx"):
    """备案队列-2026-12-03.xlsx: a list's name and the day it was exported."""
    return f"{name}-{timezone.localdate():%Y-%m-%d}.{extension}"
