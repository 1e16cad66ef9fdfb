"""The members' list pasted or uploaded on a collective's members page: its rows (an .xlsx's first sheet, or text
copied from Excel) and its yes/no cells. Text and dates are read by civpost/cells.py, as every import reads them.
"""

import csv
import io

import openpyxl
from django.utils.translation import gettext as _

from civpost.cells import clean_text

YES = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "号长"}
NO = {"", "否", "n", "no", "false", "0", "×", "x"}


def parse_yes_no(value):
    """True, False, or None when the cell is neither (e.g. 'maybe'). An empty cell is no."""
    if isinstance(value, bool):
        return value
    text = clean_text(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    return None


class UnreadableSheet(ValueError):
    """The upload is neither an Excel workbook (.xlsx) nor UTF-8 text."""


XLSX_SIGNATURE = b"PK\x03\x04"  # An .xlsx is a zip archive.
MAX_SHEET_ROWS = 10_000


def read_sheet(content):
    """The rows of an upload as lists of cells: the first sheet of an .xlsx (recognised by its content, never by its
    name), or tab- or comma-separated UTF-8 text. Empty rows are kept so that row numbers match the sheet's."""
    if content.startswith(XLSX_SIGNATURE):
        return _read_xlsx(content)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableSheet(_("The file is neither an Excel workbook (.xlsx) nor UTF-8 text.")) from None
    return split_text(text)


def split_text(text):
    """Rows of pasted or saved text: cells separated by tabs (what Excel copies), or by commas when no line has a tab."""
    lines = text.splitlines()[: MAX_SHEET_ROWS + 1]
    separator = "\t" if any("\t" in line for line in lines) else ","
    return [next(csv.reader([line], delimiter=separator)) if line.strip() else [] for line in lines]


def _read_xlsx(content):
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors on a damaged or disguised file.
        raise UnreadableSheet(_("The file is not a readable Excel workbook (.xlsx).")) from None
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True, max_row=MAX_SHEET_ROWS + 1)]
    finally:
        workbook.close()
