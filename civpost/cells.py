"""Reading the cells of spreadsheets people fill in by hand (Excel, WPS): text and dates, the same way for every
reader of the project (the staff import's columns in apps/imports, the members' paste and upload in
apps/collectives, the historical titles in apps/evaluations).

Full-width characters (１９９５／５／３, ＡＢ) become their half-width forms, stray spaces go, and a date may be written
in any of the forms Excel produces in China.
"""

import re
import unicodedata
from datetime import date, datetime, timedelta

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
# Excel adds a time to dates it exports as text ("2001-05-03 00:00:00"); ISO text has a T before it.
TIME_PART = re.compile(r"(?:\s+|T)\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


def clean_text(value):
    """The cell as text: full-width forms folded (NFKC), inner runs of spaces collapsed, ends stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 1995.0 from a number cell is 1995
    return " ".join(unicodedata.normalize("NFKC", str(value)).split())


def parse_date(value):
    """A date from a cell, or None when the cell holds no date this function recognises.

    Accepts date and datetime objects (an .xlsx date cell; a time is dropped), Excel serial numbers (a date cell read
    as a number), and the text forms 2001-05-03, 2001/5/3, 2001.5.3, 2001年5月3日 and 20010503, full-width or not,
    with or without a time after them (2001-05-03 00:00:00, 2001-05-03T08:30).
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        serial = _from_serial(value)
        if serial is not None or int(value) != value:
            return serial
        value = int(value)  # 20010503 typed into a number cell
    text = clean_text(value)
    text = TIME_PART.sub("", text).replace(" ", "")
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
