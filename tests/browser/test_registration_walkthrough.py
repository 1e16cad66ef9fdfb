"""The foundation's walk-through in a real browser: sign up as 号长, register, county approves, public page."""

import re

from playwright.sync_api import expect

from apps.collectives.models import Collective
from tests.factories import PASSWORD, MembershipFactory
from apps.organizations.models import Node

MEMBERS = [
    ("王晓明", "1995-05-01", "班长"),
    ("李丽", "1998-03-02", "客户经理"),
    ("张伟", "1999-07-08", "客户经理"),
    ("刘芳", "2000-01-01", "柜员"),
    ("陈强", "1980-02-03", "柜员"),
    ("杨军", "1975-06-06", "主任"),
]


def log_out(page):
    page.get_by_role("button", name="退出").click()


def test_leader_registers_and_county_approves(page, committee_tree):
    reviewer = MembershipFactory(role="reviewer", node=Node.objects.get(region_id="340803", kind="league")).user

    page.goto("/accounts/signup/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.get_by_label("用户名").fill("wangxm")
    page.get_by_label("真实姓名").fill("王晓明")
    page.get_by_label("手机号码").fill("13800138000")
    page.locator("#id_password1").fill("Civ-post-2026!")
    page.locator("#id_password2").fill("Civ-post-2026!")
    page.get_by_role("button", name="注册").click()

    expect(page.get_by_role("heading", name="申报备案集体")).to_be_visible()
    page.get_by_label("集体名称").fill("客户服务中心营业厅青年班组")
    page.get_by_label("所在单位").fill("国网安庆供电公司")
    page.get_by_label("行业").select_option(label="电力")
    # Each choice brings the next list from the server (static/js/region-cascade.js), keeping what was typed.
    page.get_by_label("省份").select_option(label="安徽省")
    page.get_by_label(re.compile("^市")).select_option(label="安庆市")
    page.get_by_label("县（市、区）").select_option(label="大观区")
    expect(page.get_by_label("集体名称")).to_have_value("客户服务中心营业厅青年班组")
    page.locator("#id_address").fill("安庆市大观区德宽路1号")
    page.get_by_label("备案团委").select_option(label="共青团大观区委")
    for _ in MEMBERS[1:]:
        page.get_by_role("button", name="添加成员").click()
    rows = page.locator("#members-rows tr")
    expect(rows).to_have_count(len(MEMBERS))
    for index, (name, birth_date, position) in enumerate(MEMBERS):
        row = rows.nth(index)
        row.get_by_label("姓名").fill(name)
        row.get_by_label("出生日期").fill(birth_date)
        row.get_by_label("岗位").fill(position)
    rows.nth(0).get_by_label("号长").check()
    page.get_by_label("服务承诺").fill("微笑服务，文明用语\n首问负责，一次告知")
    page.get_by_label("监督电话").fill("0556-5551234")
    page.get_by_label(re.compile("我们接受信用承诺")).check()
    page.get_by_label(re.compile("所列成员已知悉")).check()
    page.get_by_role("button", name="保存并提交备案").click()

    expect(page.get_by_text("已提交。共青团大观区委将审核备案申请")).to_be_visible()
    expect(page.get_by_text("66.7%")).to_be_visible()
    log_out(page)

    page.goto("/accounts/login/")
    page.get_by_label("用户名或手机号码").fill(reviewer.phone)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto("/workbench/registrations/")
    page.get_by_role("link", name="客户服务中心营业厅青年班组").click()
    expect(page.get_by_text("王晓明").first).to_be_visible()
    page.get_by_role("button", name="同意备案…").click()
    expect(page.get_by_role("heading", name="确认：同意备案")).to_be_visible()
    page.get_by_role("button", name="同意备案", exact=True).click()
    expect(page.get_by_text(re.compile(r"已备案为争创集体，备案编号 340803-\d{4}-\d{5}"))).to_be_visible()
    log_out(page)

    collective = Collective.objects.get()
    page.goto("/posts/")  # the home page lists named posts; an aspiring one is in the directory at once
    page.get_by_role("link", name="客户服务中心营业厅青年班组").click()
    expect(page).to_have_url(re.compile(rf"/posts/{collective.pk}/$"))
    expect(page.get_by_text("争创集体").first).to_be_visible()
    expect(page.get_by_text("首问负责，一次告知")).to_be_visible()
    expect(page.get_by_text("0556-5551234")).to_be_visible()
    body = page.locator("body").inner_text()
    assert "李丽" not in body and "1998-03-02" not in body and "13800138000" not in body
