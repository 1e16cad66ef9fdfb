"""Reading the cells of spreadsheets people fill in by hand (Excel, WPS): text, dates and yes/no.

Both imports of this project read them (members here, historical titles in apps/evaluations), so they read them
the same way: full-width characters (１９９５／５／３, ＡＢ) become their half-width forms, stray spaces go, and a date
may be written in any of the forms Excel produces in China.
"""

import csv
import io
import re
import unicodedata
from datetime import date, datetime, timedelta

import openpyxl
from django.utils.translation import gettext as _

# Excel counts days from 1899-12-30 (its serial 60 is the 29 February 1900 that never was; dates before March
# 1900 are no concern here).
EXCEL_EPOCH = date(1899, 12, 30)
# Serial numbers from 1 January 1920 to the end of 2099: anything else is not a birth or naming date.
EXCEL_SERIALS = range(7306, 73051)

DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),  # 2001-05-03, 2001/5/3, 2001.5.3
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),  # 2001年5月3日
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),  # 20010503
]
# Excel adds a time to dates it exports as text ("2001-05-03 00:00:00").
TRAILING_MIDNIGHT = re.compile(r"\s+0{1,2}:00(:00)?$")

YES = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "号长"}
NO = {"", "否", "n", "no", "false", "0", "×", "x"}


def clean_text(value):
    """The cell as text: full-width forms folded (NFKC), inner runs of spaces collapsed, ends stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 1995.0 from a number cell is 1995
    return " ".join(unicodedata.normalize("NFKC", str(value)).split())


def parse_date(value):
    """A date from a cell, or None when the cell holds no date this function recognises.

    Accepts date and datetime objects (an .xlsx date cell), Excel serial numbers (a date cell read as a number),
    and the text forms 2001-05-03, 2001/5/3, 2001.5.3, 2001年5月3日 and 20010503, full-width or not.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _from_serial(value)
    text = TRAILING_MIDNIGHT.sub("", clean_text(value)).replace(" ", "")
    if text.isdigit() and len(text) <= 5:
        return _from_serial(int(text))
    for pattern in DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return date(*(int(part) for part in match.groups()))
            except ValueError:
                return None  # 2001-02-30
    return None


def _from_serial(number):
    if int(number) != number or int(number) not in EXCEL_SERIALS:
        return None
    return EXCEL_EPOCH + timedelta(days=int(number))


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
