"""A county reviewer logs in, lands on 待办 and follows the registrations waiting to the filtered queue."""

import re

from playwright.sync_api import expect

from apps.organizations.models import Node
from tests.factories import PASSWORD, CollectiveFactory, MembershipFactory


def test_a_county_reviewer_lands_on_the_to_do_list_and_opens_the_registrations(page, committee_tree):
    daguan = Node.objects.get(region_id="340803", kind="league")
    reviewer = MembershipFactory(role="reviewer", node=daguan).user
    waiting = [CollectiveFactory(status="submitted") for _ in range(3)]
    draft = CollectiveFactory(status="draft")

    page.goto("/accounts/login/")
    page.get_by_label("用户名或手机号码").fill(reviewer.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()

    expect(page).to_have_url(re.compile(r"/workbench/$"))
    expect(page.get_by_role("heading", name="待办")).to_be_visible()
    expect(page.locator(".site-nav").get_by_role("link", name="我的集体")).to_have_count(0)
    item = page.locator(".todo-list li", has=page.get_by_role("link", name="待审核的备案申请"))
    expect(item.locator(".todo-count")).to_have_text("3")
    item.get_by_role("link", name="待审核的备案申请").click()

    expect(page).to_have_url(re.compile(r"/workbench/registrations/\?status=submitted$"))
    for collective in waiting:
        expect(page.get_by_role("link", name=collective.name)).to_be_visible()
    expect(page.get_by_role("link", name=draft.name)).to_have_count(0)
