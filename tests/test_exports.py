"""Excel exports of the staff lists and the printed forms (civpost/exports.py and each app's export views):
each follows the page's filters and the user's subtree, escapes formulas, and costs the same queries for 10 rows
as for 100."""

import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from apps.organizations.enums import Role
from apps.organizations.models import Region
from civpost.exports import Column, Sheet, escape_formula, write_xlsx

from .conftest import ROLES
from .factories import CollectiveFactory

pytestmark = pytest.mark.django_db


def workbook(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def rows(response, sheet=0):
    return list(workbook(response).worksheets[sheet].iter_rows(values_only=True))


def column(table, header):
    """The values under `header`, from the header row down."""
    for index, row in enumerate(table):
        if header in row:
            position = row.index(header)
            return [r[position] for r in table[index + 1 :] if any(value is not None for value in r)]
    raise AssertionError(f"no column {header!r} in {table[:3]}")


# The helper -------------------------------------------------------------------------------------------------


def test_formula_like_text_is_escaped_and_other_values_kept():
    assert escape_formula("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert [escape_formula(v) for v in ("+86", "-1", "@SUM", "\tx")] == ["'+86", "'-1", "'@SUM", "'\tx"]
    assert escape_formula("大观区") == "大观区"
    assert escape_formula(-1) == -1


def test_write_xlsx_heading_header_frozen_and_footer():
    buffer = io.BytesIO()
    columns = [Column("名称", lambda row: row[0], 30), Column("数量", lambda row: row[1])]
    write_xlsx(buffer, Sheet("清单", columns, [("=1+1", 3), ("班组", None)], heading=["标题", "副标题"], footer=["负责人："]))
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active
    table = list(sheet.iter_rows(values_only=True))
    assert table[0][0] == "标题" and table[1][0] == "副标题"
    assert table[2] == ("名称", "数量")
    assert table[3] == ("'=1+1", 3)
    assert table[-1][0] == "负责人："
    assert sheet.freeze_panes == "A4"
    assert "A1:B1" in {str(cells) for cells in sheet.merged_cells.ranges}
    assert sheet.column_dimensions["A"].width == 30


# Registrations ------------------------------------------------------------------------------------------------


def test_registration_export_follows_filters_and_scope(login, staff_user):
    mine = CollectiveFactory(status="registered", name="=营业厅青年班组", registration_number="340803-2024-00001")
    CollectiveFactory(status="submitted", name="待审核班组")
    CollectiveFactory(status="registered", name="怀宁县班组", region=Region.objects.get(code="340822"))
    client = login(staff_user(Role.VIEWER, "340803"))
    url = reverse("collectives:staff_queue_export")
    table = rows(client.get(url, {"status": "registered"}))
    assert column(table, "集体名称") == ["'=营业厅青年班组"]
    assert column(table, "成员数")[0] == 6
    assert column(table, "青年占比（%）")[0] == pytest.approx(66.7)
    assert column(table, "备案编号") == [mine.registration_number]
    # The page's default tab (awaiting review), and the search box.
    assert column(rows(client.get(url)), "集体名称") == ["待审核班组"]
    assert column(rows(client.get(url, {"status": "registered", "q": "没有"})), "集体名称") == []
    page = client.get(reverse("collectives:staff_queue"), {"status": "registered"})
    assert f'{url}?status=registered"' in page.content.decode()


def test_registration_export_filename_is_chinese(login, staff_user):
    response = login(staff_user(Role.VIEWER, "340803")).get(reverse("collectives:staff_queue_export"))
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")


@pytest.mark.parametrize("role", ROLES)
def test_registration_export_roles(client, login, staff_user, role):
    response = login(staff_user(role, "340803")).get(reverse("collectives:staff_queue_export"))
    assert response.status_code == (403 if role == Role.EXPERT else 200)


def test_registration_export_refuses_anonymous_and_leaders(client, login, leader):
    url = reverse("collectives:staff_queue_export")
    assert client.get(url).status_code == 302
    assert login(leader).get(url).status_code == 403


def test_registration_export_queries_do_not_grow_with_rows(login, staff_user, django_assert_num_queries):
    client = login(staff_user(Role.VIEWER, "340800"))
    url = reverse("collectives:staff_queue_export")
    CollectiveFactory.create_batch(10, status="registered", members=[date(1990, 1, 1)])
    with django_assert_num_queries(3) as captured:
        assert len(rows(client.get(url, {"status": "registered"}))) == 11
    CollectiveFactory.create_batch(90, status="registered", members=[date(1990, 1, 1)])
    with django_assert_num_queries(len(captured)):
        assert len(rows(client.get(url, {"status": "registered"}))) == 101
