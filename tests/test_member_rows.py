"""The 号长's members page: rows pasted from Excel or the uploaded template, previewed, then saved all or nothing."""

import io
from datetime import date

import openpyxl
import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.activities.models import VolunteerHours
from apps.collectives.cells import parse_yes_no
from civpost.cells import parse_date
from apps.collectives.member_rows import parse_member_rows
from apps.collectives.models import Collective, Member

from .activity_factories import ReportFactory
from .conftest import ROLES
from .factories import CollectiveFactory

pytestmark = pytest.mark.django_db

# What Excel puts on the clipboard: cells separated by tabs, one row per line, the header first.
PASTED = (
    "姓名\t出生日期\t职务\t是否号长\r\n"
    "王晓明\t1995-05-01\t班长\t是\r\n"
    "李丽\t1998/3/2\t客户经理\t否\r\n"
    " 张 伟 \t1999年7月8日\t客户经理\t\r\n"
    "刘芳\t２０００／１／１\t柜员\t否\r\n"
    "\r\n"
    "陈强\t1980-02-03\t柜员\t否\r\n"
    "杨军\t1975.6.6\t主任\t否\r\n"
)


@pytest.fixture
def collective(leader):
    return CollectiveFactory(leader_account=leader, status="draft", members=[date(1990, 1, 1)])


def members_url(collective):
    return reverse("collectives:members", args=[collective.pk])


def preview(client, collective, rows, mode="replace"):
    return client.post(members_url(collective), {"rows": rows, "mode": mode, "action": "preview"})


def confirm(client, collective, response):
    """Press the confirm button of a preview: post back what its form holds."""
    change = response.context["change"]
    assert change.ready
    return client.post(members_url(collective), {"rows": change.rows_to_confirm, "mode": change.mode, "action": "confirm", "consent": "on"})


def test_pasted_rows_are_previewed_then_saved_on_confirm(login, leader, collective):
    client = login(leader)
    response = preview(client, collective, PASTED)
    page = response.content.decode()
    assert response.status_code == 200
    assert "尚未保存" in page and "张 伟" in page and "2000-01-01" in page
    assert "<strong>6</strong>" in page and "<strong>66.7%</strong>" in page
    assert collective.members.count() == 1  # nothing saved by the preview

    response = confirm(client, collective, response)
    assert response.status_code == 302 and response.url == reverse("collectives:my_collective", args=[collective.pk])
    members = list(collective.members.order_by("pk").values_list("name", "birth_date", "position", "is_leader"))
    assert members[0] == ("王晓明", date(1995, 5, 1), "班长", True)
    assert [m[0] for m in members] == ["王晓明", "李丽", "张 伟", "刘芳", "陈强", "杨军"]
    assert members[4][1] == date(1980, 2, 3) and members[5][1] == date(1975, 6, 6)
    collective.refresh_from_db()
    assert collective.member_count == 6
    assert "6" in client.get(response.url).content.decode()


def test_rows_without_a_header_are_name_birth_date_position_leader(login, leader, collective):
    response = preview(login(leader), collective, "王晓明\t1995-05-01\t班长\t是\n李丽\t1998-03-02\t客户经理\t否")
    assert [m.name for m in response.context["change"].result] == ["王晓明", "李丽"]


def test_each_bad_row_is_named_by_its_line_and_nothing_can_be_saved(login, leader, collective):
    too_young = timezone.localdate().replace(year=timezone.localdate().year - 10).isoformat()
    rows = (
        "姓名\t出生日期\t职务\t是否号长\n"
        "王晓明\t1995-05-01\t班长\t是\n"
        "李丽\t1998-13-02\t客户经理\t否\n"
        "\t1999-07-08\t客户经理\t否\n"
        "刘芳\t2000-01-01\t柜员\t也许\n"
        f"小明\t{too_young}\t学徒\t否\n"
        "王晓明\t1995-05-01\t班长\t否\n"
    )
    client = login(leader)
    response = preview(client, collective, rows)
    page = response.content.decode()
    assert "第3行：出生日期：“1998-13-02”不是日期" in page
    assert "第4行：姓名：" in page
    assert "第5行：号长：请填写“是”或“否”" in page
    assert "第6行：出生日期：成员须年满16周岁" in page
    assert "第7行：王晓明（1995-05-01）已在第2行" in page
    assert not response.context["change"].ready and "保存这份成员名单" not in page
    # A forged confirm with the same rows is read again and refused.
    response = client.post(members_url(collective), {"rows": rows, "mode": "replace", "action": "confirm", "consent": "on"})
    assert response.status_code == 200 and "第3行" in response.content.decode()
    assert list(collective.members.values_list("birth_date", flat=True)) == [date(1990, 1, 1)]


def test_the_preview_measures_the_youth_share_against_the_rules(login, leader, collective):
    rows = "\n".join(
        f"成员{n}\t{born}\t职员\t{'是' if n == 0 else '否'}" for n, born in enumerate(["1995-01-01", "1996-01-01", "1970-01-01", "1971-01-01", "1972-01-01", "1973-01-01"])
    )
    response = preview(login(leader), collective, rows)
    page = response.content.decode()
    assert "<strong>33.3%</strong>" in page
    checks = {check.label: check for check in response.context["change"].checks}
    assert not checks["35周岁以下成员占比"].passed and checks["成员人数"].passed
    assert "不符合" in page
    assert response.context["change"].ready  # the rules are for applying; the list itself may be saved


def test_a_list_without_exactly_one_leader_cannot_be_saved(login, leader, collective):
    response = preview(login(leader), collective, "李丽\t1998-03-02\t客户经理\t否\n张伟\t1999-07-08\t客户经理\t否")
    assert "请且只能将一名成员标为号长" in response.content.decode()
    assert not response.context["change"].ready


def test_adding_rows_keeps_the_current_members(login, leader):
    collective = CollectiveFactory(leader_account=leader, status="registered")
    client = login(leader)
    response = preview(client, collective, "新成员甲\t2001-05-03\t志愿者\t否\n新成员乙\t2002-06-04\t志愿者\t", mode="add")
    assert "<strong>8</strong>" in response.content.decode()
    confirm(client, collective, response)
    collective.refresh_from_db()
    assert collective.members.count() == 8 == collective.member_count
    assert collective.members.filter(is_leader=True).count() == 1


def test_adding_a_second_leader_or_an_existing_member_is_refused(login, leader):
    collective = CollectiveFactory(leader_account=leader, status="registered")
    existing = collective.members.get(is_leader=False, birth_date=date(1998, 3, 2))
    client = login(leader)
    page = preview(client, collective, "新号长\t2001-05-03\t班长\t是", mode="add").content.decode()
    assert "请且只能将一名成员标为号长" in page
    page = preview(client, collective, f"{existing.name}\t1998-03-02\t柜员\t否", mode="add").content.decode()
    assert "已是成员" in page


def test_replacing_keeps_the_members_listed_again_with_their_volunteer_hours(login, leader):
    collective = CollectiveFactory(leader_account=leader, status="registered")
    kept = collective.members.get(is_leader=True)
    gone = collective.members.filter(is_leader=False).first()
    report = ReportFactory(collective=collective, kind="volunteer")
    VolunteerHours.objects.create(report=report, member=kept, hours=2)
    client = login(leader)
    rows = f"{kept.name}\t{kept.birth_date:%Y/%m/%d}\t队长\t是\n新成员\t2001-05-03\t志愿者\t否"
    response = preview(client, collective, rows)
    change = response.context["change"]
    assert (len(change.added), len(change.updated), len(change.removed)) == (1, 1, 5)
    assert gone.name in response.content.decode()
    confirm(client, collective, response)
    kept.refresh_from_db()
    assert kept.position == "队长" and kept.is_leader
    assert VolunteerHours.objects.filter(member=kept).exists()
    assert not Member.objects.filter(pk=gone.pk).exists()
    assert Collective.objects.get(pk=collective.pk).member_count == 2


def test_moving_the_leader_role_by_replacing(login, leader):
    collective = CollectiveFactory(leader_account=leader, status="draft")
    old, new = collective.members.get(is_leader=True), collective.members.filter(is_leader=False).first()
    rows = f"{old.name}\t{old.birth_date}\t组员\t否\n{new.name}\t{new.birth_date}\t班长\t是"
    client = login(leader)
    confirm(client, collective, preview(client, collective, rows))
    assert collective.members.get(is_leader=True).pk == new.pk


# The template and uploads -------------------------------------------------------------------------------------


def test_the_template_downloads_and_comes_back_filled_in(login, leader, collective):
    client = login(leader)
    response = client.get(reverse("collectives:members_template", args=[collective.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert [cell.value for cell in sheet[1]] == ["姓名", "出生日期", "岗位", "是否号长"]
    assert sheet["A2"].value == "王晓明"
    sheet.append(["李丽", 35856, "客户经理", "否"])  # a date cell Excel saved as its serial number: 1998-03-02
    sheet.append(["张伟", "1999年7月8日", "客户经理", None])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("成员.xlsx", buffer.getvalue())
    response = client.post(members_url(collective), {"file": upload, "mode": "replace", "action": "preview"})
    result = response.context["change"].result
    assert [(m.name, m.birth_date) for m in result] == [("王晓明", date(1995, 5, 1)), ("李丽", date(1998, 3, 2)), ("张伟", date(1999, 7, 8))]
    confirm(client, collective, response)
    assert collective.members.count() == 3


def test_an_upload_is_checked_by_its_content(login, leader, collective):
    fake = SimpleUploadedFile("成员.xlsx", b"PK\x03\x04 this is not a workbook")
    response = login(leader).post(members_url(collective), {"file": fake, "mode": "replace", "action": "preview"})
    assert response.status_code == 200 and "不是可读取的 Excel 工作簿" in response.content.decode()
    binary = SimpleUploadedFile("成员.xlsx", b"\xff\xd8\xff\xe0 a jpeg")
    response = login(leader).post(members_url(collective), {"file": binary, "mode": "replace", "action": "preview"})
    assert "既不是 Excel 工作簿" in response.content.decode()


def test_nothing_pasted_nothing_uploaded(login, leader, collective):
    response = preview(login(leader), collective, "  \n")
    assert "请粘贴从 Excel 复制的行" in response.content.decode()


# Who may use it, and when ---------------------------------------------------------------------------------------


def test_another_leader_gets_404(login, collective):
    other = CollectiveFactory(status="draft").leader_account
    client = login(other)
    assert client.get(members_url(collective)).status_code == 404
    assert preview(client, collective, PASTED).status_code == 404
    assert client.get(reverse("collectives:members_template", args=[collective.pk])).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_staff_get_404(login, staff_user, collective, role):
    client = login(staff_user(role, "340803"))
    assert client.get(members_url(collective)).status_code == 404
    assert preview(client, collective, PASTED).status_code == 404


def test_visitors_are_sent_to_log_in(client, collective):
    response = client.get(members_url(collective))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_not_while_the_committee_reviews_the_registration(login, leader, submitted):
    client = login(leader)
    response = client.get(members_url(submitted))
    assert response.status_code == 302
    response = client.post(members_url(submitted), {"rows": PASTED, "mode": "replace", "action": "confirm"}, follow=True)
    assert "团委审核期间不能修改集体信息" in response.content.decode()
    assert submitted.members.count() == 6


def test_the_page_is_ready_for_a_phone(login, leader, collective):
    page = login(leader).get(members_url(collective), HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148").content.decode()
    assert 'name="viewport" content="width=device-width' in page
    assert 'class="table-wrap"' in page  # tables scroll inside their box, not the page
    assert '<textarea name="rows"' in page and 'accept=".xlsx"' in page
    assert "members/template.xlsx" in page
    assert 'src="/static/js/member-rows.js"' in page and "<script>" not in page  # CSP: no inline script
    assert finders.find("js/member-rows.js")


def test_the_collective_pages_link_to_the_members_page(login, leader, collective):
    client = login(leader)
    url = members_url(collective)
    assert url in client.get(reverse("collectives:my_collective", args=[collective.pk])).content.decode()
    assert url in client.get(reverse("collectives:edit", args=[collective.pk])).content.decode()


# Reading cells ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["2001-05-03", "2001/5/3", "2001年5月3日", "2001.5.3", "20010503", "２００１－０５－０３", " 2001-05-03 00:00:00 ", 37014, "37014", 37014.0],
)
def test_dates_in_the_forms_excel_produces(value):
    assert parse_date(value) == date(2001, 5, 3)


@pytest.mark.parametrize("value", ["2001-02-30", "去年", "5/3/2001", "", None, 12, "1234567"])
def test_what_is_not_a_date(value):
    assert parse_date(value) is None


def test_yes_and_no():
    assert [parse_yes_no(v) for v in ["是", "Y", "√", "", None, "否", "也许"]] == [True, True, True, False, False, False, None]


def test_reordered_columns_are_read_by_their_headers():
    parsed = parse_member_rows([["是否号长", "职务", "出生日期", "姓名", "手机"], ["是", "班长", "1995-05-01", "王晓明", "13800000000"]])
    member = parsed.members[0]
    assert (member.name, member.position, member.is_leader, member.birth_date) == ("王晓明", "班长", True, date(1995, 5, 1))


def test_two_hundred_rows_cost_a_constant_number_of_queries(login, leader, collective, django_assert_max_num_queries):
    rows = "\n".join(f"成员{n}\t{1990 + n % 15}-0{1 + n % 9}-1{n % 10}\t职员\t{'是' if n == 0 else '否'}" for n in range(200))
    client = login(leader)
    with django_assert_max_num_queries(12):
        response = preview(client, collective, rows)
    assert len(response.context["change"].added) == 200
    with django_assert_max_num_queries(20):
        confirm(client, collective, response)
    assert collective.members.count() == 200


def test_rows_that_change_nothing_say_so(login, leader):
    collective = CollectiveFactory(leader_account=leader, status="draft", members=[date(1990, 1, 1)])
    member = collective.members.get()
    response = preview(login(leader), collective, f"{member.name}\t{member.birth_date}\t{member.position}\t是")
    assert not response.context["change"].ready and "这些行没有带来任何变化" in response.content.decode()
