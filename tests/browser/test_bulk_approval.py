"""A county reviewer logs in, lands on 待办, opens the registrations waiting, ticks 20, approves them on one
confirmation page, sees 20 done, and downloads the queue of registered collectives as .xlsx."""

import re
from io import BytesIO

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from apps.audit.models import AuditEntry
from apps.collectives.models import Collective
from apps.notifications.models import Notification
from apps.organizations.models import Node
from tests.factories import PASSWORD, CollectiveFactory, MembershipFactory

pytestmark = pytest.mark.serial


def test_a_county_reviewer_approves_twenty_registrations_at_once_and_exports_them(page, committee_tree):
    daguan = Node.objects.get(region_id="340803", kind="league")
    reviewer = MembershipFactory(role="reviewer", node=daguan).user
    waiting = [CollectiveFactory(status="submitted") for _ in range(23)]

    page.goto("/accounts/login/")
    page.get_by_label("用户名或手机号码").fill(reviewer.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/workbench/$"))
    expect(page.get_by_role("heading", name="待办")).to_be_visible()

    page.get_by_role("link", name="待审核的备案申请").click()
    expect(page).to_have_url(re.compile(r"/workbench/registrations/\?status=submitted$"))
    ticks = page.locator('input[name="ids"]')
    expect(ticks).to_have_count(23)
    page.get_by_label("勾选本页全部记录").check()  # every row of the page, then three of them untouched again
    for index in range(20, 23):
        ticks.nth(index).uncheck()
    page.get_by_label("勾选本页全部记录").uncheck()
    expect(page.locator('input[name="ids"]:checked')).to_have_count(0)
    chosen = []
    for index in range(20):
        tick = ticks.nth(index)
        tick.check()
        chosen.append(int(tick.get_attribute("value")))
    page.get_by_role("button", name="同意备案…").click()

    expect(page.get_by_role("heading", name="确认：同意备案")).to_be_visible()
    expect(page.get_by_text("将同意 20 项备案申请")).to_be_visible()
    expect(page.get_by_text("此操作不可撤回。")).to_be_visible()
    expect(page.locator('textarea[name="comment"]')).to_have_count(1)
    page.locator('textarea[name="comment"]').fill("材料齐全，同意备案。")
    page.get_by_role("button", name="同意备案：20 项").click()

    expect(page.get_by_role("heading", name="结果：同意备案")).to_be_visible()
    expect(page.get_by_text("已完成 20 项。")).to_be_visible()
    expect(page.get_by_text("没有被拒绝的事项。")).to_be_visible()
    assert Collective.objects.filter(pk__in=chosen, status="registered").count() == 20
    assert Collective.objects.filter(status="submitted").count() == 3
    assert AuditEntry.objects.filter(action="approve", actor=reviewer, comment="材料齐全，同意备案。").count() == 20
    assert Notification.objects.filter(recipient__in=[c.leader_account for c in waiting if c.pk in chosen]).count() == 20

    page.get_by_role("link", name="返回列表").click()
    page.locator(".tabs").get_by_role("link", name=re.compile(r"^争创集体")).click()
    expect(page.locator("table tbody tr")).to_have_count(20)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出 Excel").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(BytesIO(open(download.path(), "rb").read()), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    names = {c.name for c in Collective.objects.filter(pk__in=chosen)}
    assert len(rows) == 21  # the header and the 20 approved collectives
    assert {cell for row in rows[1:] for cell in row if cell in names} == names
