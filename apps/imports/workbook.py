"""Reading an uploaded workbook, checked by its content, and writing the template and the rejected rows.

The checks that concern the file as a whole happen here, before any row is imported, each with a message staff
understand: not an .xlsx at all (an old .xls, a CSV or an image renamed, a zip of something else), an empty sheet,
headers only, missing, unknown or repeated headers, formulas, merged cells, more than MAX_ROWS rows (refused from the
sheet's declared size before reading it, and in any case as soon as row MAX_ROWS + 1 is reached).

Only the first sheet is read: the template's second sheet holds the codes to choose from.
"""

import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

import openpyxl
from django.utils.translation import gettext as _
from lxml import etree
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation

MAX_ROWS = 50_000
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# An .xlsx is a zip: its parts are compressed about tenfold. More than this unpacked is not a spreadsheet of people.
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97–2003 .xls (and old Word files)
ZIP_SIGNATURE = b"PK\x03\x04"
REQUIRED_MARK = "*"
CODES_SHEET_TITLE = "代码表"


class WorkbookError(Exception):
    """The file cannot be imported at all; the message says why, for the person who uploaded it."""


@dataclass
class Table:
    """The data rows of the first sheet with their row numbers in the sheet; `columns` are the import fields whose
    headers the sheet has, in the sheet's order. After a dry run without refused rows, `staged` holds the values it
    cleaned (ImportResource.staged_values), which the import then takes instead of cleaning the cells again."""

    columns: list
    rows: list = field(default_factory=list)  # lists of values in the order of `columns`
    row_numbers: list = field(default_factory=list)
    staged: dict = None

    def __len__(self):
        return len(self.rows)

    def as_json(self):
        data = {"columns": [c.column_name for c in self.columns], "rows": self.rows, "row_numbers": self.row_numbers}
        if self.staged:
            data["staged"] = self.staged
        return data

    @classmethod
    def from_json(cls, data, columns):
        """The table a dry run kept (dates come back as ISO text, which the date columns read as they read cells)."""
        by_name = {c.column_name: c for c in columns}
        return cls(
            columns=[by_name[name] for name in data["columns"]], rows=data["rows"], row_numbers=data["row_numbers"],
            staged=data.get("staged"),
        )


def normalize_header(value):
    """A header as people type it: full-width letters, spaces and the template's * for required columns ignored."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    return "".join(text.split()).rstrip(REQUIRED_MARK).lstrip(REQUIRED_MARK)


def _check_container(upload):
    """Refuse what is not an .xlsx by its bytes, whatever its name says."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not head:
        raise WorkbookError(_("The file is empty."))
    if head.startswith(OLE2_SIGNATURE):
        raise WorkbookError(
            _("This is an old Excel 97–2003 file (.xls). Open it in Excel or WPS and save it as an Excel workbook (.xlsx), then upload that.")
        )
    if not head.startswith(ZIP_SIGNATURE):
        raise WorkbookError(
            _("This file is not an Excel workbook (.xlsx), whatever its name says (a CSV file, a picture or a document renamed?). Download the template, fill it in and upload it.")
        )
    try:
        archive = zipfile.ZipFile(upload)
    except zipfile.BadZipFile:
        raise WorkbookError(_("The file is damaged: it cannot be opened as an Excel workbook (.xlsx)."))
    names = set(archive.namelist())
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise WorkbookError(
            _("This is a zip archive, not an Excel workbook (.xlsx). Upload the workbook itself, saved from Excel or WPS.")
        )
    if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
        raise WorkbookError(_("The workbook is too large to be a list for import."))
    upload.seek(0)


@dataclass
class Sheet:
    """The first worksheet of a workbook as the reader needs it: its part in the archive, the shared strings, which
    cell styles are dates, and the date epoch."""

    archive: zipfile.ZipFile
    path: str
    strings: list
    date_styles: set
    epoch: object

    def open(self):
        return self.archive.open(self.path)


def _first_sheet(upload):
    """openpyxl reads the workbook's parts (strings, styles, sheet list); its read-only worksheet is not used, since
    it scans a whole sheet that does not declare its size just to construct it."""
    try:
        reader = ExcelReader(upload, read_only=True, data_only=False)
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        sheets = [rel.target for _sheet, rel in reader.parser.find_sheets() if "worksheet" in rel.Type and rel.target in reader.valid_files]
    except Exception:  # openpyxl raises many kinds of errors on a damaged or foreign workbook.
        raise WorkbookError(_("The file is damaged: it cannot be opened as an Excel workbook (.xlsx)."))
    if not sheets:
        raise WorkbookError(_("The workbook has no sheet."))
    return Sheet(reader.archive, sheets[0], reader.shared_strings, reader.wb._date_formats, reader.wb.epoch)


def _declared_rows(sheet):
    """The last row the sheet declares in its <dimension> (None when it declares none), read without going further."""
    with sheet.open() as source:
        for event, element in etree.iterparse(source, events=("start",), tag=(DIMENSION_TAG, DATA_TAG), resolve_entities=False, no_network=True):
            if element.tag == DATA_TAG:
                return None
            last = element.get("ref", "").split(":")[-1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            return int(last) if last.isdigit() else None
    return None


SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
ROW_TAG, CELL_TAG, MERGE_TAG = f"{SHEET_NS}row", f"{SHEET_NS}c", f"{SHEET_NS}mergeCell"
DIMENSION_TAG, DATA_TAG = f"{SHEET_NS}dimension", f"{SHEET_NS}sheetData"
VALUE_TAG, FORMULA_TAG, INLINE_TAG = f"{SHEET_NS}v", f"{SHEET_NS}f", f"{SHEET_NS}is"


def _sheet_rows(sheet):
    """(row number, {column index: (value, data type)}) for every row the sheet stores, then (None, merged ranges).

    openpyxl's own read-only cells cost about half a millisecond a row (each inline string becomes a rich-text
    object); 50,000 rows are read here with lxml straight from the sheet's XML, with openpyxl's shared strings,
    date styles and epoch."""
    strings, date_styles, epoch = sheet.strings, sheet.date_styles, sheet.epoch
    columns = {}
    merged = []
    with sheet.open() as source:
        parser = etree.iterparse(source, events=("end",), tag=(ROW_TAG, MERGE_TAG), resolve_entities=False, no_network=True)
        number = 0
        for _event, element in parser:
            if element.tag == MERGE_TAG:
                merged.append(element.get("ref"))
                continue
            number = int(element.get("r") or number + 1)
            cells, position = {}, 0
            for cell in element.iterchildren(CELL_TAG):
                reference = cell.get("r")
                if reference:
                    letters = reference.rstrip("0123456789")
                    position = columns.get(letters) or columns.setdefault(letters, column_index_from_string(letters))
                else:
                    position += 1
                cells[position] = _cell_value(cell, strings, date_styles, epoch)
            element.clear()
            while element.getprevious() is not None:  # keep memory flat on 50,000 rows
                del element.getparent()[0]
            yield number, cells
    yield None, merged


def _cell_value(cell, strings, date_styles, epoch):
    data_type, value = cell.get("t", "n"), None
    for child in cell:
        if child.tag == VALUE_TAG:
            value = child.text
        elif child.tag == FORMULA_TAG:
            return child.text, "f"
        elif child.tag == INLINE_TAG:
            return "".join(child.itertext()), "s"
    if value is None:
        return None, data_type
    if data_type == "s":
        return strings[int(value)], "s"
    if data_type == "n":
        number = float(value) if ("." in value or "E" in value or "e" in value) else int(value)
        if cell.get("s") and int(cell.get("s")) in date_styles:
            return from_excel(number, epoch), "d"
        return number, "n"
    if data_type == "b":
        return value == "1", "b"
    return value, data_type  # str (a formula's cached text), e (an error such as #N/A), d (an ISO date)


def clean_cell(value):
    """A cell as the import reads it: text stripped, whole numbers without ".0", dates without a time."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime) and not value.time():
        return value.date()
    return value


def read_table(upload, columns, max_rows=MAX_ROWS):
    """The first sheet of an uploaded .xlsx as a Table under `columns` (ImportField objects, matched by header).

    Raises WorkbookError for anything that makes the file as a whole unusable."""
    _check_container(upload)
    sheet = _first_sheet(upload)
    try:
        declared = _declared_rows(sheet)
        if declared is not None and declared - 1 > max_rows:
            raise WorkbookError(_too_many_rows(max_rows))
        rows = _sheet_rows(sheet)
        header_number, header_cells = next(((n, c) for n, c in rows if n is None or any(v is not None for v, _t in c.values())), (None, None))
        if header_number is None:
            raise WorkbookError(_("The first sheet is empty. Fill in the template's first sheet."))
        positions = _match_headers(header_cells, columns)
        table = Table(columns=[column for column, _position in positions])
        formulas = []
        merged = None
        for number, cells in rows:
            if number is None:
                merged = cells
                break
            values = [None] * len(positions)
            for index, (_column, position) in enumerate(positions):
                value, data_type = cells.get(position, (None, None))
                if data_type == "f":
                    formulas.append(f"{get_column_letter(position)}{number}")
                values[index] = clean_cell(value)
            if all(v is None for v in values) or _is_example(values):
                continue
            if len(table.rows) == max_rows:
                raise WorkbookError(_too_many_rows(max_rows))
            table.rows.append(values)
            table.row_numbers.append(number)
        if merged:
            cells = "、".join(merged[:5])
            raise WorkbookError(
                _("The sheet has merged cells (%(cells)s). Unmerge them and fill in every cell, one record per row.") % {"cells": cells}
            )
        if formulas:
            raise WorkbookError(
                _("Cells %(cells)s hold formulas. Copy the sheet and paste it as values only, then upload it again.")
                % {"cells": "、".join(formulas[:5]) + ("…" if len(formulas) > 5 else "")}
            )
        if not table.rows:
            raise WorkbookError(_("The sheet has headers but no data rows."))
        return table
    finally:
        sheet.archive.close()


def count_rows(upload, max_rows=MAX_ROWS):
    """The number of data rows, roughly (rows the sheet stores, less the header), to choose between now and the
    background: the sheet's declared size, else a quick count. Checks the container and refuses an oversized sheet
    before reading it."""
    _check_container(upload)
    sheet = _first_sheet(upload)
    try:
        declared = _declared_rows(sheet)
        if declared is None:
            declared = sum(1 for _row in _sheet_rows(sheet)) - 1
        if declared - 1 > max_rows:
            raise WorkbookError(_too_many_rows(max_rows))
        return max(declared - 1, 0)
    finally:
        sheet.archive.close()
        upload.seek(0)


def _too_many_rows(max_rows):
    return _("The sheet has more than %(limit)s rows, the most one file may hold. Split it into several files.") % {
        "limit": f"{max_rows:,}"
    }


EXAMPLE_PREFIX = "示例"


def _is_example(values):
    """The template's example row (its first cell starts with 示例) is left out, in case it was not deleted."""
    return isinstance(values[0], str) and values[0].startswith(EXAMPLE_PREFIX)


def _match_headers(header_cells, columns):
    """[(column, position in the sheet)] for the columns present; reordered headers are fine."""
    wanted = {}
    for column in columns:
        for name in column.header_names():
            wanted[normalize_header(name)] = column
    found, unknown, repeated = {}, [], []
    for position, (value, _type) in sorted(header_cells.items()):
        header = normalize_header(value)
        if not header:
            continue
        column = wanted.get(header)
        if column is None:
            unknown.append(str(value).strip())
        elif column in found.values():
            repeated.append(str(value).strip())
        else:
            found[position] = column
    problems = []
    missing = [c.column_name for c in columns if c.required and c not in found.values()]
    if missing:
        problems.append(_("Required columns are missing: %(columns)s.") % {"columns": "、".join(missing)})
    if unknown:
        problems.append(_("Unknown columns: %(columns)s.") % {"columns": "、".join(unknown)})
    if repeated:
        problems.append(_("Columns that appear twice: %(columns)s.") % {"columns": "、".join(repeated)})
    if problems:
        expected = "、".join(c.column_name for c in columns)
        problems.append(_("The first row must hold the template's headers (in any order): %(columns)s.") % {"columns": expected})
        raise WorkbookError(" ".join(problems))
    return [(column, position) for position, column in found.items()]


# Writing ----------------------------------------------------------------------------------------------------------

HEADER_FONT = Font(bold=True)
REQUIRED_FILL = PatternFill("solid", fgColor="FDE9D9")


def text_cell(sheet, value):
    """A cell that Excel shows as text and never runs as a formula, whatever the text starts with."""
    if isinstance(value, (date, int, float)) or value is None:
        return WriteOnlyCell(sheet, value=value)
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.data_type = "s"
    return cell


def template_workbook(columns, example, code_tables):
    """The import template: headers (required ones marked * and shaded), one example row, a drop-down list on
    every column with choices, and a second sheet with the codes to use.

    `example` maps column names to values; `code_tables` is a list of (title, headers, rows)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "导入数据"
    codes = workbook.create_sheet(CODES_SHEET_TITLE)
    code_column = 1
    for index, column in enumerate(columns, 1):
        cell = sheet.cell(row=1, column=index, value=column.column_name + (REQUIRED_MARK if column.required else ""))
        cell.font = HEADER_FONT
        if column.required:
            cell.fill = REQUIRED_FILL
        sheet.cell(row=2, column=index, value=example.get(column.column_name))
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(column.column_name) * 2 + 4)
        if column.help_text:
            sheet.cell(row=1, column=index).comment = openpyxl.comments.Comment(str(column.help_text), "civpost")
        choices = column.choices()
        if choices:
            codes.cell(row=1, column=code_column, value=column.column_name).font = HEADER_FONT
            for row, choice in enumerate(choices, 2):
                codes.cell(row=row, column=code_column, value=choice)
            letter = get_column_letter(code_column)
            validation = DataValidation(
                type="list",
                formula1=f"'{CODES_SHEET_TITLE}'!${letter}$2:${letter}${len(choices) + 1}",
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle=column.column_name,
                error=_("Choose a value from the list."),
            )
            validation.add(f"{get_column_letter(index)}2:{get_column_letter(index)}{MAX_ROWS + 1}")
            sheet.add_data_validation(validation)
            code_column += 1
    sheet.freeze_panes = "A2"
    code_column += 1
    for title, headers, rows in code_tables:
        codes.cell(row=1, column=code_column, value=title).font = HEADER_FONT
        for offset, header in enumerate(headers):
            codes.cell(row=2, column=code_column + offset, value=header).font = HEADER_FONT
        for row_index, row in enumerate(rows, 3):
            for offset, value in enumerate(row):
                codes.cell(row=row_index, column=code_column + offset, value=value)
        code_column += len(headers) + 1
    return workbook


def rejected_rows_workbook(headers, rows, error_header):
    """The rejected rows as they were uploaded, with a last column saying what is wrong, ready to fix and upload."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("导入数据")
    sheet.append([text_cell(sheet, h) for h in [*headers, error_header]])
    for values, errors in rows:
        sheet.append([text_cell(sheet, v) for v in [*values, errors]])
    return workbook
