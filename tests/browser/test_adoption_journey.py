"""Issue 12 end to end in a real browser: a county committee adopts the portal. Its admin adds a reviewer, imports
the collectives the committee kept in Excel (a refused row first, then the corrected file), finds them in the
registration queue and the public directory, and downloads the 推荐汇总表 of a round."""

import io
from pathlib import Path

import openpyxl
from playwright.sync_api import expect

from apps.evaluations import workflow
from apps.organizations.models import Node
from tests.evaluation_factories import ApplicationFactory, RoundFactory
from tests.factories import PASSWORD, MembershipFactory
from tests.import_files import XLSX, collective_row, workbook_bytes

from .test_staff_invitation import NEW_PASSWORD, add_reviewer, log_in, set_password


def download(link):
    with link.page.expect_download() as started:
        link.click()
    return Path(started.value.path()).read_bytes()


def upload_collectives(page, content, name):
    page.goto("/workbench/imports/")
    page.locator("#id_kind").select_option("collectives")
    page.locator("#id_file").set_input_files(files=[{"name": name, "mimeType": XLSX, "buffer": content}])
    page.locator("#id_statement").check()  # the committee's statement on the personal data in the file
    page.get_by_role("button", name="上传并校验").click()


def test_county_committee_adopts_the_portal(page, committee_tree):
    daguan = Node.objects.get(region_id="340803", kind="league")
    admin = MembershipFactory(role="admin", node=daguan).user

    log_in(page, admin.username, PASSWORD)
    link = add_reviewer(page, "13705560002", "13705560002", "郑审核")
    page.get_by_role("button", name="退出").click()
    set_password(page, link, NEW_PASSWORD)
    log_in(page, "13705560002", NEW_PASSWORD)
    page.goto("/workbench/registrations/")
    expect(page.get_by_text("共青团大观区委").first).to_be_visible()  # the reviewer works the county's queue
    page.get_by_role("button", name="退出").click()

    # The admin fills the template's columns with the committee's own list; one 号长's phone is mistyped.
    log_in(page, admin.username, PASSWORD)
    page.goto("/workbench/imports/")
    template = openpyxl.load_workbook(io.BytesIO(download(page.locator("li", has_text="集体及号长").get_by_role("link", name="共青团大观区委模板"))))
    headers = [cell.value for cell in next(template.worksheets[0].iter_rows(max_row=1))]
    plain = {header: header.strip("*") for header in headers}
    good, typo = collective_row(901, 集体名称="德宽路营业厅青年班组"), collective_row(902, 集体名称="石化路营业厅青年班组")

    def sheet(*rows):
        return workbook_bytes(headers, [{header: row[plain[header]] for header in headers} for row in rows])

    upload_collectives(page, sheet(good, {**typo, "号长手机": "1370000"}), "大观区集体.xlsx")
    refused = page.locator("table").filter(has_text="问题")
    expect(refused.locator("tbody tr")).to_have_count(1)
    expect(refused.locator("tbody tr td").first).to_have_text("3")
    expect(refused).to_contain_text("号长手机")
    expect(refused).to_contain_text("请输入有效的11位手机号码")
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)

    upload_collectives(page, sheet(good, typo), "大观区集体（已更正）.xlsx")
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_text("导入完成。")).to_be_visible()

    page.goto("/workbench/registrations/?status=registered")
    expect(page.get_by_role("link", name="德宽路营业厅青年班组")).to_be_visible()
    expect(page.get_by_role("link", name="石化路营业厅青年班组")).to_be_visible()
    page.goto("/posts/?q=石化路营业厅")
    expect(page.get_by_role("link", name="石化路营业厅青年班组")).to_be_visible()

    # The county recommends an application to the city's round; its 推荐汇总表 comes from the round page.
    city_round = RoundFactory()
    application = ApplicationFactory(round=city_round)
    workflow.submit(application.pk, application.collective.leader_account)
    workflow.recommend(application.pk, admin, rank=1)
    page.goto(f"/workbench/rounds/{city_round.pk}/")
    expect(page.get_by_text("推荐汇总表：")).to_be_visible()
    assert download(page.get_by_role("link", name="共青团大观区委")).startswith(b"PK")
