"""PIPL in a real browser: a 号长 downloads their data and asks to delete the account; the registering committee's
staff carry it out; the post page, the title and the history remain."""

import io
import json
from pathlib import Path

import openpyxl
from playwright.sync_api import expect

from apps.accounts.models import User
from apps.audit.models import record
from apps.organizations.models import Node
from tests.activity_factories import ReportFactory
from tests.evaluation_factories import HonorFactory, eligible_collective
from tests.factories import PASSWORD, MembershipFactory, UserFactory

from .test_honour_journey import log_in, log_out


def download(page, link_name):
    with page.expect_download() as started:
        page.get_by_role("link", name=link_name).first.click()
    return Path(started.value.path()).read_bytes()


def test_a_leader_takes_a_copy_and_leaves_while_the_post_stays(page, committee_tree):
    county = Node.objects.get(region_id="340803", kind="league")
    reviewer = MembershipFactory(role="reviewer", node=county, user=UserFactory(real_name="区团委审核员")).user
    leader = UserFactory(real_name="王号长", phone="13912345678")
    other = UserFactory(real_name="李号长")
    collective = eligible_collective(leader_account=leader, name="德宽路营业厅青年班组")
    eligible_collective(leader_account=other, name="别家营业厅青年班组")
    honor = HonorFactory(application__collective=collective)
    ReportFactory(collective=collective, title="开放日进社区")
    record(collective, actor=leader, action="submit", from_state="draft", to_state="submitted")
    record(collective, actor=reviewer, action="approve", from_state="submitted", to_state="registered")

    # The 号长 takes a copy of their data from /my/, in Excel and JSON: theirs, nobody else's.
    log_in(page, leader)
    page.goto("/my/")
    book = openpyxl.load_workbook(io.BytesIO(download(page, "下载 Excel（.xlsx）")))
    cells = {str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v is not None}
    assert {"王号长", "13912345678", "德宽路营业厅青年班组", "开放日进社区", honor.certificate_number} <= cells
    assert "别家营业厅青年班组" not in cells and "李号长" not in cells
    data = json.loads(download(page, "下载 JSON"))
    assert [c["name"] for c in data["collectives"]] == ["德宽路营业厅青年班组"]

    # … reads the notice from the footer, and asks to delete the account.
    page.locator("footer").get_by_role("link", name="个人信息保护政策").click()
    expect(page.get_by_role("heading", name="您的权利")).to_be_visible()
    page.get_by_role("link", name="我的个人信息").last.click()
    page.get_by_label("申请注销账户的原因").fill("已调离本单位，不再担任号长")
    page.get_by_role("button", name="申请注销我的账户").click()
    expect(page.get_by_text("申请已提交团委")).to_be_visible()
    log_out(page)

    # The county's reviewer finds it in the workbench and carries it out.
    log_in(page, reviewer)
    page.goto("/workbench/")
    page.get_by_role("link", name="注销申请").click()
    page.get_by_role("link", name="王号长").click()
    expect(page.locator("dd").get_by_text("已调离本单位，不再担任号长")).to_be_visible()
    expect(page.locator("dd").get_by_text("13912345678")).to_be_visible()  # in full on the detail page, to the committee's staff
    page.get_by_role("button", name="注销账户（匿名化）").click()
    expect(page.get_by_text("账户已匿名化注销")).to_be_visible()
    expect(page.locator("ol").get_by_text("账户已匿名化").first).to_be_visible()  # the request's history

    # The collective's history still shows every step, now under the anonymised name.
    page.goto(f"/workbench/registrations/{collective.pk}/")
    history = page.locator("ol")
    expect(history.get_by_text("已注销用户")).to_be_visible()  # who submitted it, as the account is now
    expect(history.get_by_text("区团委审核员")).to_be_visible()
    expect(page.get_by_text("王号长")).to_have_count(0)
    log_out(page)

    account = User.objects.get(pk=leader.pk)
    assert account.real_name == "已注销用户" and account.phone is None and not account.is_active

    # The post page and its title remain for the public.
    page.goto(f"/posts/{collective.pk}/")
    expect(page.get_by_role("heading", name="德宽路营业厅青年班组")).to_be_visible()
    expect(page.get_by_text("开放日进社区")).to_be_visible()
    page.goto(f"/verify/{honor.certificate_number}/")
    expect(page.get_by_text("德宽路营业厅青年班组")).to_be_visible()

    # And the person can no longer sign in.
    page.goto("/accounts/login/")
    page.locator("#id_username").fill("13912345678")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="退出")).to_have_count(0)
