"""The members page on a phone: the 号长 pastes rows copied from Excel, watches the count and youth share follow
the text box (static JS), previews on the server and saves."""

import re

from playwright.sync_api import expect

from apps.collectives.models import Collective
from tests.factories import CollectiveFactory, UserFactory

from .test_honour_journey import log_in

ROWS = "姓名\t出生日期\t岗位\t是否号长\n王晓明\t1995-05-01\t班长\t是\n李丽\t1998/3/2\t客户经理\t否\n陈强\t1980年2月3日\t柜员\t否\n"


def test_leader_pastes_members_on_a_phone(browser, live_server, committee_tree):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    collective = CollectiveFactory(leader_account=UserFactory(), status="draft")
    try:
        log_in(page, collective.leader_account)
        page.goto(f"/my/collectives/{collective.pk}/members/")
        expect(page.get_by_role("heading", name="集体成员", exact=True)).to_be_visible()
        page.get_by_label("从 Excel 复制的行").fill(ROWS)
        figures = page.locator("#live-figures")
        expect(figures).to_be_visible()
        expect(figures.locator("[data-live=count]")).to_have_text("3")
        expect(figures.locator("[data-live=share]")).to_have_text("66.7")
        page.get_by_label("添加到现有成员中").check()
        expect(figures.locator("[data-live=count]")).to_have_text("9")
        page.get_by_label("替换成员名单", exact=False).check()
        # Nothing is wider than the phone's screen: tables scroll inside their box.
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.get_by_role("button", name="预览").click()
        expect(page.get_by_text("预览：尚未保存")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.get_by_label(re.compile("所列成员已知悉")).check()
        page.get_by_role("button", name="保存这份成员名单").click()
        expect(page.get_by_text("成员名单已保存：共 3 名成员。")).to_be_visible()
        assert Collective.objects.get(pk=collective.pk).member_count == 3
    finally:
        context.close()
