"""Staff import collectives with their 号长, and members, from Excel (issue 12, part 3)."""

import io
from datetime import date, timedelta

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from apps.accounts.models import User
from apps.audit.models import AuditEntry
from apps.collectives.models import Collective, Member, PostPage, Status
from apps.imports.models import ImportJob, JobStatus

from .conftest import ROLES
from .factories import CollectiveFactory, UserFactory
from .import_files import (
    COLLECTIVE_HEADERS,
    collective_row,
    collectives_file,
    member_row,
    members_file,
    upload,
    workbook_bytes,
)

pytestmark = pytest.mark.django_db


def post_file(client, content, kind="collectives", name="import.xlsx", node=None, user=None):
    from apps.organizations.models import Node

    node = node or Node.objects.get(region_id="340803", kind="league")
    data = {"kind": kind, "node": node.pk, "file": upload(content, name), "statement": "on"}
    return client.post(reverse("imports:list"), data)


@pytest.fixture
def county_admin(staff_user, login):
    user = staff_user("admin", "340803")
    login(user)
    return user


def last_job():
    return ImportJob.objects.latest("pk")


# The happy path ----------------------------------------------------------------------------------------------------


def test_dry_run_then_confirm_imports_collectives_with_new_leader_accounts(client, county_admin):
    response = post_file(client, collectives_file([collective_row(1), collective_row(2)]))
    job = last_job()
    assert response.status_code == 302 and response.url == reverse("imports:detail", args=[job.pk])
    assert job.status == JobStatus.CHECKED
    assert (job.new_count, job.updated_count, job.unchanged_count, job.error_count) == (2, 0, 0, 0)
    assert job.notes == {"new_accounts": 2}
    assert not Collective.objects.filter(name__startswith="营业厅青年班组").exists()
    page = client.get(reverse("imports:detail", args=[job.pk]))
    assert "确认导入" in page.content.decode()

    client.post(reverse("imports:confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.IMPORTED
    collective = Collective.objects.get(registration_number="340803-2024-00001")
    assert collective.status == Status.REGISTERED and collective.registered_on == date(2024, 5, 1)
    assert collective.registering_node.name == "共青团大观区委" and collective.has_league_branch
    assert collective.leader_account.phone == "13700000001" and not collective.leader_account.has_usable_password()
    entry = AuditEntry.objects.for_object(collective).get()
    assert (entry.action, entry.to_state, entry.actor) == ("imported", Status.REGISTERED, county_admin)
    page = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "/accounts/reset/" in page  # the one-time links to pass on
    links = openpyxl.load_workbook(io.BytesIO(client.get(reverse("imports:accounts", args=[job.pk])).content)).active
    assert [row[1] for row in links.iter_rows(min_row=2, values_only=True)] == ["13700000001", "13700000002"]


def test_imported_collectives_and_members_leave_the_stored_post_pages_current(client, county_admin, run_tasks, django_capture_on_commit_callbacks):
    def imported(content, kind):
        with django_capture_on_commit_callbacks(execute=True):
            post_file(client, content, kind=kind)
            client.post(reverse("imports:confirm", args=[last_job().pk]))
        assert last_job().status == JobStatus.IMPORTED, last_job().row_errors
        run_tasks()
        return Collective.objects.get(registration_number="340803-2024-00001")

    collective = imported(collectives_file([collective_row(1)]), "collectives")
    assert PostPage.objects.get(collective=collective).version == collective.updated_at
    collective = imported(collectives_file([collective_row(1, 地址="安庆市大观区新址路2号")]), "collectives")
    stored = PostPage.objects.get(collective=collective)
    assert stored.version == collective.updated_at and "新址路2号" in stored.content
    collective = imported(members_file([member_row(1), member_row(2, 是否号长="是")]), "members")
    assert PostPage.objects.get(collective=collective).version == collective.updated_at


def test_the_confirm_takes_the_dry_runs_values_but_checks_the_portal_as_it_is_then(client, county_admin, staff_user):
    """The import does not read the cells again (the dry run kept their cleaned values with the rows), but it checks
    every row again against the records and accounts as they are when the import is confirmed."""
    post_file(client, collectives_file([collective_row(1, 备案日期="2024年5月1日"), collective_row(2)]))
    job = last_job()
    assert job.status == JobStatus.CHECKED and len(job.checked_rows["staged"]["rows"]) == 2
    staff = staff_user("viewer", "340800")  # meanwhile, the second 号长's phone became a staff account's
    staff.phone = "13700000002"
    staff.save()
    client.post(reverse("imports:confirm", args=[job.pk]))
    job.refresh_from_db()
    assert (job.status, job.error_count) == (JobStatus.REJECTED, 1)
    assert job.row_errors[0]["row"] == 3 and "13700000002" in job.row_errors[0]["message"]
    assert not Collective.objects.filter(name__startswith="营业厅青年班组").exists()

    post_file(client, collectives_file([collective_row(1, 备案日期="2024年5月1日")]))
    job = last_job()
    client.post(reverse("imports:confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.IMPORTED
    assert Collective.objects.get(registration_number="340803-2024-00001").registered_on == date(2024, 5, 1)


def test_reimporting_the_same_file_changes_nothing(client, county_admin):
    content = collectives_file([collective_row(1), collective_row(2, 状态="草稿", 备案编号="", 备案日期="")])
    post_file(client, content)
    client.post(reverse("imports:confirm", args=[last_job().pk]))
    before = list(Collective.objects.order_by("pk").values())
    post_file(client, content)
    job = last_job()
    assert (job.new_count, job.updated_count, job.unchanged_count) == (0, 0, 2), job.row_errors
    client.post(reverse("imports:confirm", args=[job.pk]))
    assert list(Collective.objects.order_by("pk").values()) == before
    assert User.objects.filter(phone__startswith="137").count() == 2


def test_round_trip_export_then_reimport_changes_nothing(client, county_admin):
    from apps.collectives.resources import CollectiveImportResource
    from apps.imports.resources import ImportContext

    collective = CollectiveFactory(status="registered", registration_number="340803-2025-00007", registered_on=date(2025, 1, 2))
    context = ImportContext(node=collective.registering_node)
    exported = CollectiveImportResource(context).export(Collective.objects.filter(pk=collective.pk))
    content = workbook_bytes(list(exported.headers), [list(row) for row in exported])
    post_file(client, content)
    job = last_job()
    assert (job.status, job.new_count, job.updated_count, job.unchanged_count) == (JobStatus.CHECKED, 0, 0, 1)


def test_an_update_is_counted_and_audited(client, county_admin):
    content = collectives_file([collective_row(1)])
    post_file(client, content)
    client.post(reverse("imports:confirm", args=[last_job().pk]))
    post_file(client, collectives_file([collective_row(1, 地址="安庆市大观区新地址2号")]))
    job = last_job()
    assert (job.new_count, job.updated_count, job.unchanged_count) == (0, 1, 0)
    client.post(reverse("imports:confirm", args=[job.pk]))
    collective = Collective.objects.get(registration_number="340803-2024-00001")
    assert collective.address == "安庆市大观区新地址2号"
    assert AuditEntry.objects.for_object(collective).count() == 2


def test_members_import_sets_the_leader_and_the_count(client, county_admin):
    collective = CollectiveFactory(status="registered", registration_number="340803-2024-00001", members=[date(1990, 1, 1)])
    old_leader = collective.members.get()
    rows = [member_row(n) for n in range(1, 6)] + [member_row(9, 姓名="新号长", 是否号长="是", 手机=collective.leader_account.phone)]
    post_file(client, members_file(rows), kind="members")
    job = last_job()
    assert (job.status, job.new_count) == (JobStatus.CHECKED, 6)
    client.post(reverse("imports:confirm", args=[job.pk]))
    collective.refresh_from_db()
    assert collective.member_count == 7
    assert collective.members.get(is_leader=True).name == "新号长"
    old_leader.refresh_from_db()
    assert not old_leader.is_leader
    post_file(client, members_file(rows), kind="members")
    assert (last_job().new_count, last_job().unchanged_count) == (0, 6)


def test_members_found_by_workplace_unit_and_name(client, county_admin):
    collective = CollectiveFactory(members=[date(1990, 1, 1)])
    rows = [member_row(1, 备案编号="", 所在单位=collective.workplace_unit, 集体名称=collective.name)]
    post_file(client, members_file(rows), kind="members")
    assert last_job().status == JobStatus.CHECKED


# Bad files: a clear message and nothing written ---------------------------------------------------------------------


def failure_of(client, content, name="import.xlsx", kind="collectives"):
    response = post_file(client, content, name=name, kind=kind)
    if response.status_code == 200:  # refused by the upload form
        return " ".join(response.context["form"].errors["file"])
    job = last_job()
    assert job.status == JobStatus.FAILED
    return job.failure


@pytest.mark.parametrize(
    "content, name, expected",
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old.xls", "97"),
        ("集体名称,所在单位\n班组,单位\n".encode(), "renamed.xlsx", "不是 Excel 工作簿"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "photo.xlsx", "不是 Excel 工作簿"),
        (b"", "empty.xlsx", "空"),
    ],
)
def test_files_that_are_not_xlsx_are_refused_by_content(client, county_admin, content, name, expected):
    assert expected in failure_of(client, content, name)
    assert not ImportJob.objects.exists()


def test_a_zip_of_something_else_is_refused(client, county_admin):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("report.docx", "not a workbook")
    assert "压缩包" in failure_of(client, buffer.getvalue())


def test_empty_and_header_only_sheets(client, county_admin):
    workbook = openpyxl.Workbook()
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert "空" in failure_of(client, buffer.getvalue())
    assert "没有数据行" in failure_of(client, collectives_file([]))


def test_missing_and_unknown_headers_are_named(client, county_admin):
    headers = [h for h in COLLECTIVE_HEADERS if h != "号长手机"] + ["备注"]
    message = failure_of(client, collectives_file([collective_row(1)], headers=headers))
    assert "号长手机" in message and "备注" in message
    assert not Collective.objects.filter(name="营业厅青年班组1").exists()


def test_reordered_headers_still_work(client, county_admin):
    headers = list(reversed(COLLECTIVE_HEADERS))
    post_file(client, collectives_file([collective_row(1)], headers=headers))
    assert last_job().status == JobStatus.CHECKED


def test_formulas_and_merged_cells_are_refused(client, county_admin):
    def formula(sheet):
        sheet["D2"] = "=CONCAT(\"安庆\",\"大观\")"

    assert "公式" in failure_of(client, collectives_file([collective_row(1)], build=formula))

    def merged(sheet):
        sheet.merge_cells("B2:B3")

    assert "合并" in failure_of(client, collectives_file([collective_row(1), collective_row(2)], build=merged))


def test_more_rows_than_the_limit_are_refused_naming_the_limit(client, county_admin, monkeypatch):
    from apps.imports import workbook

    monkeypatch.setattr(workbook, "MAX_ROWS", 3)
    monkeypatch.setattr(workbook.read_table, "__defaults__", (3,))
    monkeypatch.setattr(workbook.count_rows, "__defaults__", (3,))
    message = failure_of(client, collectives_file([collective_row(n) for n in range(1, 6)]))
    assert "3" in message and "超过" in message


# Bad rows: row, column and a Chinese message; nothing written -------------------------------------------------------


def row_errors(client, rows, kind="collectives"):
    post_file(client, (collectives_file if kind == "collectives" else members_file)(rows), kind=kind)
    job = last_job()
    assert job.status == JobStatus.REJECTED
    return job.row_errors


def test_full_width_digits_and_stray_spaces_are_normalised(client, county_admin):
    row = collective_row(1, 号长手机="１３７ ０００ ０００ ０１", 所在地区=" ３４０８０３ ", 监督电话="（0556）555 1234")
    post_file(client, collectives_file([row]))
    job = last_job()
    assert job.status == JobStatus.CHECKED
    client.post(reverse("imports:confirm", args=[job.pk]))
    collective = Collective.objects.get(name="营业厅青年班组1")
    assert collective.leader_account.phone == "13700000001" and collective.region_id == "340803"
    assert collective.supervision_phone == "05565551234"


def test_each_bad_row_is_named_with_its_column(client, county_admin, staff_user):
    staff = staff_user("viewer", "340800")
    rows = [
        collective_row(1, 号长手机="0556-5551234"),  # not a mobile
        collective_row(2, 所在地区="340102"),  # 合肥 瑶海区, outside 大观区
        collective_row(3, 备案团委="共青团怀宁县委"),  # another county
        collective_row(4, 备案编号="340803-2024-00004"),
        collective_row(5, 备案编号="340803-2024-00004"),  # duplicate number in the file
        collective_row(6),
        collective_row(6, 号长手机="13700000099"),  # the same collective twice
        collective_row(7, 号长手机=staff.phone),  # a staff account
        collective_row(8, 备案日期=(date.today() + timedelta(days=3)).isoformat()),
    ]
    errors = row_errors(client, rows)
    by_row = {(e["row"], e["column"]): e["message"] for e in errors}
    assert "手机号码" in by_row[(2, "号长手机")]
    assert "范围" in by_row[(3, "所在地区")]
    assert "共青团怀宁县委" in by_row[(4, "备案团委")]
    assert "第 5 行" in by_row[(6, "备案编号")]
    assert "第 7 行" in by_row[(8, "")]
    assert "工作人员" in by_row[(9, "号长手机")]
    assert "晚于今天" in by_row[(10, "备案日期")]
    assert not Collective.objects.filter(name__startswith="营业厅青年班组").exists()
    job = last_job()
    rejected = openpyxl.load_workbook(io.BytesIO(b"".join(client.get(reverse("imports:rejected", args=[job.pk])).streaming_content))).active
    rows = list(rejected.iter_rows(values_only=True))
    assert rows[0][-1] == "错误" and len(rows) == 1 + job.error_count
    assert "手机号码" in rows[1][-1]


def test_a_registration_number_of_another_collective(client, county_admin):
    CollectiveFactory(status="registered", registration_number="340803-2024-00001", name="别的班组")
    CollectiveFactory(name="营业厅青年班组9")
    errors = row_errors(client, [collective_row(9, 备案编号="340803-2024-00001")])
    assert any(e["column"] == "集体名称" and "营业厅青年班组9" in e["message"] for e in errors), errors


def test_member_rows(client, county_admin):
    collective = CollectiveFactory(status="registered", registration_number="340803-2024-00001")
    future = (date.today() + timedelta(days=1)).isoformat()
    rows = [
        member_row(1, 出生日期=future),
        member_row(2, 手机="12345"),
        member_row(3, 备案编号="340803-2024-09999"),
        member_row(4, 是否号长="是"),
        member_row(5, 是否号长="是"),
        member_row(4),
    ]
    errors = {(e["row"], e["column"]): e["message"] for e in row_errors(client, rows, kind="members")}
    assert "晚于今天" in errors[(2, "出生日期")]
    assert "手机号码" in errors[(3, "手机")]
    assert "先导入集体" in errors[(4, "备案编号")]
    assert "第 5 行" in errors[(6, "是否号长")]
    assert "第 5 行" in errors[(7, "")]
    assert collective.members.count() == 6


# Scope and roles --------------------------------------------------------------------------------------------------


def test_a_county_admin_cannot_import_into_another_county(client, login, staff_user):
    from apps.organizations.models import Node

    login(staff_user("admin", "340803"))
    response = post_file(client, collectives_file([collective_row(1)]), node=Node.objects.get(region_id="340822", kind="league"))
    assert response.status_code == 200 and "node" in response.context["form"].errors
    CollectiveFactory(registration_number="340822-2024-00001", region_id="340822", status="registered", name="怀宁班组")
    errors = row_errors(client, [collective_row(1, 备案编号="340822-2024-00001", 集体名称="怀宁班组", 所在地区="340822")])
    assert errors


def test_jobs_of_another_county_are_not_found(client, login, staff_user):
    login(staff_user("admin", "340803"))
    post_file(client, collectives_file([collective_row(1)]))
    job = last_job()
    login(staff_user("admin", "340822"))
    assert client.get(reverse("imports:detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("imports:status", args=[job.pk])).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix_on_every_import_view(client, login, staff_user, role):
    owner = staff_user("admin", "340803")
    login(owner)
    post_file(client, collectives_file([collective_row(1)]))
    job = last_job()
    login(staff_user(role, "340803"))
    allowed = role in ("admin", "reviewer")
    urls = [
        reverse("imports:list"),
        reverse("imports:template", args=["collectives"]),
        reverse("imports:detail", args=[job.pk]),
        reverse("imports:status", args=[job.pk]),
        reverse("imports:accounts", args=[job.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == (200 if allowed else 403), url
    assert client.get(reverse("imports:rejected", args=[job.pk])).status_code == (404 if allowed else 403)
    response = client.post(reverse("imports:confirm", args=[job.pk]))
    assert response.status_code == (302 if allowed else 403)
    job.refresh_from_db()
    assert job.status == (JobStatus.IMPORTED if allowed else JobStatus.CHECKED)
    response = post_file(client, collectives_file([collective_row(2)]))
    assert response.status_code == (302 if allowed else 403)


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get(reverse("imports:list")).status_code == 302


def test_the_template_has_drop_downs_and_codes_of_the_area(client, county_admin):
    response = client.get(reverse("imports:template", args=["collectives"]))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet, codes = workbook.worksheets
    assert [c.value.rstrip("*") for c in sheet[1]] == COLLECTIVE_HEADERS
    assert sheet["A2"].value.startswith("示例")
    assert len(sheet.data_validations.dataValidation) == 3  # industry, status, league branch
    code_values = {c for row in codes.iter_rows(values_only=True) for c in row if c}
    assert {"340803", "共青团大观区委", "电力", "争创集体"} <= code_values
    assert "340822" not in code_values  # 怀宁县 is another county's
    # The filled-in template imports as it is (its example row is skipped).
    sheet.append(list(collective_row(1).values()))
    buffer = io.BytesIO()
    workbook.save(buffer)
    post_file(client, buffer.getvalue())
    assert (last_job().status, last_job().new_count) == (JobStatus.CHECKED, 1)


# Background jobs --------------------------------------------------------------------------------------------------


def run_worker():
    """The real worker of the real backend, in batch mode: it runs every task waiting, then stops."""
    call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)


def test_large_files_run_in_the_background_with_progress(client, county_admin, monkeypatch, django_capture_on_commit_callbacks):
    from django_tasks_db.management.commands import db_worker

    from apps.imports import workflow

    monkeypatch.setattr(workflow, "BACKGROUND_ROWS", 3)
    # The worker drops connections that are not in autocommit, as a test's transaction is not: it keeps it here.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    rows = [collective_row(n) for n in range(1, 6)] + [collective_row(6, 号长手机="123")]
    with django_capture_on_commit_callbacks(execute=True):
        post_file(client, collectives_file(rows))
    job = last_job()
    assert job.in_background and job.status == JobStatus.CHECKING
    page = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "import-progress.js" in page and "<progress" in page
    assert client.get(reverse("imports:status", args=[job.pk])).json()["running"] is True
    run_worker()
    status = client.get(reverse("imports:status", args=[job.pk])).json()
    assert status == {**status, "status": "rejected", "running": False, "rows_done": 6, "rows_total": 6, "percent": 100}
    rejected = openpyxl.load_workbook(io.BytesIO(b"".join(client.get(reverse("imports:rejected", args=[job.pk])).streaming_content))).active
    assert rejected.max_row == 2 and rejected.cell(2, 1).value == "营业厅青年班组6"

    with django_capture_on_commit_callbacks(execute=True):
        post_file(client, collectives_file(rows[:5]))
    job = last_job()
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.CHECKED
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.IMPORTING
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.new_count, job.invited_users.count()) == (JobStatus.IMPORTED, 5, 5)
    assert Collective.objects.filter(name__startswith="营业厅青年班组").count() == 5


# The command line -------------------------------------------------------------------------------------------------


def test_commands_print_counts_and_exit_non_zero_on_refused_rows(tmp_path, capsys):
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(collectives_file([collective_row(1), collective_row(2)]))
    bad.write_bytes(collectives_file([collective_row(3, 号长手机="12")]))
    call_command("import_collectives", str(good), node="340803", dry_run=True)
    assert "new 2" in capsys.readouterr().out
    assert not Collective.objects.filter(name="营业厅青年班组1").exists()
    call_command("import_collectives", str(good), node="340803")
    out = capsys.readouterr().out
    assert "new 2" in out and "/accounts/reset/" in out
    with pytest.raises(CommandError):
        call_command("import_collectives", str(bad), node="340803")
    assert "row 2 [号长手机]" in capsys.readouterr().err
    members = tmp_path / "members.xlsx"
    members.write_bytes(members_file([member_row(1), member_row(2, 是否号长="是")]))
    call_command("import_members", str(members), node="340800")
    assert Collective.objects.get(registration_number="340803-2024-00001").member_count == 2
    with pytest.raises(CommandError):
        call_command("import_members", str(members), node="340822")  # 怀宁县 may not touch 大观区's collectives


def test_member_row_rules_for_a_pasted_list():
    """apps/collectives/validation.member_errors: one member's own values, without a query."""
    from apps.collectives.validation import member_errors

    assert member_errors(Member(name="张三", birth_date=date(1995, 1, 1), position="客户经理")) == {}
    errors = member_errors(Member(name="", birth_date=date.today() + timedelta(days=1), position="岗" * 60))
    assert set(errors) == {"name", "birth_date", "position"}
    assert "晚于今天" in errors["birth_date"][0]


def test_a_leader_with_an_account_is_matched_by_phone_and_name(client, county_admin):
    existing = UserFactory(real_name="王晓明", phone="13800000001")
    rows = [
        collective_row(1, 号长姓名="王晓明", 号长手机="138 0000 0001", 所在地区="大观区", 行业="power"),
        collective_row(2, 号长姓名="李四", 号长手机="13800000001"),
    ]
    errors = row_errors(client, rows)
    assert [(e["row"], e["column"]) for e in errors] == [(3, "号长姓名")] and "王晓明" in errors[0]["message"]
    post_file(client, collectives_file(rows[:1]))
    job = last_job()
    assert (job.status, job.notes) == (JobStatus.CHECKED, {})
    client.post(reverse("imports:confirm", args=[job.pk]))
    collective = Collective.objects.get(name="营业厅青年班组1")
    assert collective.leader_account == existing and collective.industry.code == "power"
    assert not job.invited_users.exists()


def test_a_city_committee_registers_with_the_county_committee_of_the_region(client, login, staff_user):
    login(staff_user("reviewer", "340800"))
    from apps.organizations.models import Node

    city = Node.objects.get(region_id="340800", kind="league")
    post_file(client, collectives_file([collective_row(1, 所在地区="340822")]), node=city)
    job = last_job()
    assert job.status == JobStatus.CHECKED, job.row_errors
    client.post(reverse("imports:confirm", args=[job.pk]))
    assert Collective.objects.get(name="营业厅青年班组1").registering_node.name == "共青团怀宁县委"


def test_a_sheet_that_does_not_declare_its_size_is_counted_and_refused_past_the_limit(client, county_admin, monkeypatch):
    from apps.imports import workbook

    monkeypatch.setattr(workbook.read_table, "__defaults__", (3,))
    monkeypatch.setattr(workbook.count_rows, "__defaults__", (3,))
    book = openpyxl.Workbook(write_only=True)  # writes no <dimension>
    sheet = book.create_sheet()
    sheet.append(COLLECTIVE_HEADERS)
    for n in range(1, 6):
        sheet.append(list(collective_row(n).values()))
    buffer = io.BytesIO()
    book.save(buffer)
    assert "3" in failure_of(client, buffer.getvalue())
