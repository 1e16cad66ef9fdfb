"""Issue 14, item 4 on a 390 × 844 phone in Chromium: the 号长 registers a collective choosing province → city →
county (the committee suggested from the region and the industry), pastes 12 members copied from Excel and sees the
count and youth share before saving; then files a report whose kind list holds only the campaign's kinds."""

import re

from playwright.sync_api import expect

from apps.activities.models import ActivityReport
from apps.collectives.models import Collective
from apps.organizations.models import Node
from tests.activity_factories import CampaignFactory
from tests.evaluation_factories import eligible_collective
from tests.factories import UserFactory

from .test_honour_journey import log_in

PHONE = {"width": 390, "height": 844}
YOUNG = ["1995-05-01", "1996/3/2", "1997年7月8日", "1998-01-01", "1999-02-03", "2000-06-06", "2001-09-09", "2002-12-12"]
OLDER = ["1975-06-06", "1978-03-03", "1980-02-03", "1982-11-11"]
NAMES = ["王晓明", "李丽", "张伟", "刘芳", "陈强", "杨军", "赵敏", "黄磊", "周杰", "吴昊", "徐静", "孙悦"]


def excel_rows():
    """What Excel puts on the clipboard: a header row, then one tab-separated row per member."""
    rows = ["姓名\t出生日期\t岗位\t是否号长"]
    for index, (name, born) in enumerate(zip(NAMES, YOUNG + OLDER)):
        rows.append(f"{name}\t{born}\t客户经理\t{'是' if index == 0 else '否'}")
    return "\n".join(rows) + "\n"


def phone_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_leader_registers_step_by_step_and_pastes_twelve_members(browser, live_server, committee_tree):
    leader = UserFactory()
    context, page = phone_page(browser, live_server)
    try:
        log_in(page, leader)
        page.goto("/my/collectives/new/")
        expect(page.get_by_role("heading", name="申报备案集体")).to_be_visible()
        # Every select starts with 请选择; required fields carry the mark.
        expect(page.locator("#id_industry option").first).to_have_text("请选择")
        expect(page.locator("label[for=id_name] .required-mark")).to_be_visible()
        page.get_by_label("集体名称").fill("客户服务中心营业厅青年班组")
        page.get_by_label("所在单位").fill("国网安庆供电公司")
        page.get_by_label("行业").select_option(label="电力")
        page.get_by_label("省份").select_option(label="安徽省")
        page.get_by_label(re.compile("^市")).select_option(label="安庆市")
        page.get_by_label("县（市、区）").select_option(label="大观区")
        expect(page.get_by_label("集体名称")).to_have_value("客户服务中心营业厅青年班组")
        # The committee follows the region and the industry: the power company's unit of 安庆.
        unit = Node.objects.get(name="国网安庆供电公司")
        expect(page.locator("#id_registering_node")).to_have_value(str(unit.pk))
        page.locator("#id_address").fill("安庆市大观区德宽路1号")
        row = page.locator("#members-rows tr").first
        row.get_by_label("姓名").fill("王晓明")
        row.get_by_label("出生日期").fill("1995-05-01")
        row.get_by_label("岗位").fill("班长")
        row.get_by_label("号长").check()
        page.get_by_label("服务承诺").fill("微笑服务，文明用语\n首问负责，一次告知")
        page.get_by_label("监督电话").fill("0556-5551234")
        page.get_by_label(re.compile("所列成员已知悉")).check()
        fits_the_phone(page)
        page.get_by_role("button", name="保存", exact=True).click()
        expect(page.get_by_text("已保存。")).to_be_visible()
        collective = Collective.objects.get(leader_account=leader)
        assert (collective.region_id, collective.registering_node_id) == ("340803", unit.pk)

        page.goto(f"/my/collectives/{collective.pk}/members/")
        page.get_by_label("替换成员名单", exact=False).check()
        page.get_by_label("从 Excel 复制的行").fill(excel_rows())
        figures = page.locator("#live-figures")
        expect(figures).to_be_visible()
        expect(figures.locator("[data-live=rows]")).to_have_text("12")
        expect(figures.locator("[data-live=count]")).to_have_text("12")
        expect(figures.locator("[data-live=share]")).to_have_text("66.7")  # 8 of 12, before anything is saved
        assert Collective.objects.get(pk=collective.pk).members.count() == 1
        fits_the_phone(page)
        page.get_by_role("button", name="预览").click()
        expect(page.get_by_text("预览：尚未保存")).to_be_visible()
        page.get_by_label(re.compile("所列成员已知悉")).check()
        page.get_by_role("button", name="保存这份成员名单").click()
        expect(page.get_by_text("成员名单已保存：共 12 名成员。")).to_be_visible()
    finally:
        context.close()


def test_report_form_offers_only_the_campaigns_kinds(browser, live_server, committee_tree):
    campaign = CampaignFactory(title="2026年青年文明号开放周", report_kinds=["study", "open_week"])
    collective = eligible_collective(leader_account=UserFactory())
    context, page = phone_page(browser, live_server)
    try:
        log_in(page, collective.leader_account)
        page.goto(f"/my/collectives/{collective.pk}/reports/")
        page.get_by_role("link", name="为本次活动报送").first.click()
        page.wait_for_load_state()  # report-form.js listens from DOMContentLoaded: a change before it would be lost
        expect(page.locator("#id_campaign")).to_have_value(str(campaign.pk))
        expect(page.locator("#id_kind option")).to_have_text(["请选择", "学习教育", "开放周"])
        expect(page.locator("[data-hours-grid]")).to_be_hidden()  # neither kind counts hours
        expect(page.get_by_label("活动名称")).to_be_visible()
        # Without the campaign every kind comes back, and the hours grid with a kind that counts hours.
        page.locator("#id_campaign").select_option("")
        expect(page.locator("#id_kind option")).to_have_count(9)
        page.locator("#id_kind").select_option("volunteer")
        expect(page.locator("[data-hours-grid]")).to_be_visible()
        page.locator("#id_campaign").select_option(str(campaign.pk))
        expect(page.locator("#id_kind option")).to_have_text(["请选择", "学习教育", "开放周"])
        expect(page.locator("[data-hours-grid]")).to_be_hidden()

        page.locator("#id_kind").select_option("open_week")
        page.get_by_label("活动名称").fill("营业厅开放日")
        page.locator("#id_place").fill("营业厅")
        page.locator("#id_participants").fill("10")
        page.locator("#id_beneficiaries").fill("60")
        page.locator("#id_narrative").fill("向群众开放营业厅，讲解办事流程。")
        fits_the_phone(page)
        page.get_by_role("button", name="保存报告").click()
        expect(page.get_by_text("活动报告已保存。")).to_be_visible()
        report = ActivityReport.objects.get(collective=collective)
        assert (report.kind, report.campaign_id) == ("open_week", campaign.pk)
    finally:
        context.close()
