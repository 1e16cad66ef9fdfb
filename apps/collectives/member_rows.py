"""Members from rows copied out of Excel (or read from the members template): the one place that turns a sheet's
rows into unsaved Member objects with a Chinese message per bad row, for the 号长's members page and any staff
import of members. Each member's own values are checked by validation.member_errors, like every other way in."""

import io
from dataclasses import dataclass, field
from datetime import date

import openpyxl

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civpost.cells import clean_text, parse_date

from .cells import parse_yes_no
from .models import Member
from .validation import member_errors

NAME, BIRTH_DATE, POSITION, IS_LEADER = "name", "birth_date", "position", "is_leader"
# The columns of the template and of a paste without a header row, in this order.
COLUMNS = [NAME, BIRTH_DATE, POSITION, IS_LEADER]
COLUMN_LABELS = {
    NAME: gettext_lazy("Name"),
    BIRTH_DATE: gettext_lazy("Birth date"),
    POSITION: gettext_lazy("Position"),
    IS_LEADER: gettext_lazy("号长"),
}
# The template's headers are the file's format, Chinese whatever the page's language; a header row in either
# language (or with the usual variants) says which column is which, so reordered columns are read right.
TEMPLATE_HEADERS = {NAME: "姓名", BIRTH_DATE: "出生日期", POSITION: "岗位", IS_LEADER: "是否号长"}
HEADER_ALIASES = {
    "姓名": NAME, "名字": NAME, "name": NAME, "full name": NAME,
    "出生日期": BIRTH_DATE, "出生年月": BIRTH_DATE, "生日": BIRTH_DATE, "birth date": BIRTH_DATE,
    "职务": POSITION, "岗位": POSITION, "职务/岗位": POSITION, "position": POSITION,
    "是否号长": IS_LEADER, "号长": IS_LEADER, "号长(是/否)": IS_LEADER, "leader": IS_LEADER, "is leader": IS_LEADER,
}


@dataclass
class ParsedMembers:
    members: list = field(default_factory=list)  # unsaved Member objects, in the sheet's order
    errors: list = field(default_factory=list)  # (line, message), line numbered as in the sheet or the text box

    @property
    def messages(self):
        return [_("Line %(line)s: %(message)s") % {"line": line, "message": message} for line, message in self.errors]


def parse_member_rows(rows):
    """Read members from rows of cells (rows[0] is line 1). A first row of known headers maps the columns; without
    one the columns are name, birth date, position, 号长 (yes/no). Empty rows are skipped; cells beyond the known
    columns (a phone, a note) are ignored: the portal keeps no more personal data than the rules need."""
    parsed = ParsedMembers()
    numbered = [(line, row) for line, row in enumerate(rows, start=1) if any(clean_text(cell) for cell in row)]
    columns = _header(numbered[0][1]) if numbered else None
    if columns:
        numbered = numbered[1:]
    columns = columns or {name: index for index, name in enumerate(COLUMNS)}
    first_line_of = {}
    for line, row in numbered:
        member, errors = _read_member(row, columns)
        if not errors:
            key = (member.name, member.birth_date)
            if key in first_line_of:
                errors.append(_("%(name)s, born %(date)s, is already on line %(line)s.") % {"name": member.name, "date": member.birth_date.isoformat(), "line": first_line_of[key]})
            first_line_of.setdefault(key, line)
        if errors:
            parsed.errors.extend((line, message) for message in errors)
        else:
            parsed.members.append(member)
    return parsed


def _header(row):
    columns = {}
    for index, cell in enumerate(row):
        name = HEADER_ALIASES.get(clean_text(cell).lower().replace("（", "(").replace("）", ")"))
        if name:
            columns.setdefault(name, index)
    return columns if NAME in columns and BIRTH_DATE in columns else None


def _read_member(row, columns):
    def cell(name):
        index = columns.get(name)
        return row[index] if index is not None and index < len(row) else None

    errors = []
    birth_date = parse_date(cell(BIRTH_DATE))
    if birth_date is None:
        text = clean_text(cell(BIRTH_DATE))
        errors.append(
            _("Birth date: “%(value)s” is not a date; write it as 1995-05-01.") % {"value": text}
            if text
            else _("Birth date: missing.")
        )
    is_leader = parse_yes_no(cell(IS_LEADER))
    if is_leader is None:
        errors.append(_("号长: write 是 or 否, not “%(value)s”.") % {"value": clean_text(cell(IS_LEADER))})
    member = Member(name=clean_text(cell(NAME)), birth_date=birth_date, position=clean_text(cell(POSITION)), is_leader=bool(is_leader))
    for name, messages in member_errors(member).items():
        if name == BIRTH_DATE and birth_date is None:
            continue  # Already said above.
        label = COLUMN_LABELS.get(name, name)
        errors.extend(f"{label}：{message}" for message in messages)
    return member, errors


def member_rows_text(members):
    """Members as tab-separated text in the template's columns: what the confirm step posts back to be read again."""
    yes, no = "是", "否"
    return "\n".join(
        "\t".join([m.name, m.birth_date.isoformat(), m.position, yes if m.is_leader else no]) for m in members
    )


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXAMPLE_ROW = ["王晓明", date(1995, 5, 1), "班长", "是"]


def members_template_xlsx():
    """The members template: the headers the members page reads and one example row (to overwrite), with the rules
    on a second sheet (only the first is read)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "成员"
    sheet.append([TEMPLATE_HEADERS[name] for name in COLUMNS])
    sheet.append(EXAMPLE_ROW)
    sheet["B2"].number_format = "yyyy-mm-dd"
    for column, width in zip("ABCD", (14, 14, 18, 10)):
        sheet.column_dimensions[column].width = width
    notes = book.create_sheet("填写说明")
    for line in TEMPLATE_NOTES:
        notes.append([line])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


TEMPLATE_NOTES = [
    "每行一名成员；第一行是表头，请勿删除。示例行请改成本集体的成员。",
    "出生日期可写成 1995-05-01、1995/5/1 或 1995年5月1日。",
    "是否号长：号长填“是”，其他成员填“否”或留空；全表只能有一名号长。",
    "成员姓名和出生日期只有团委工作人员可见，不会公开。",
]
