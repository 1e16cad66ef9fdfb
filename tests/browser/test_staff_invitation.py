"""A county committee admin adds a reviewer with a new account; the reviewer sets a password through the one-time
link and works the county's registration queue."""

from playwright.sync_api import expect

from apps.organizations.models import Node
from tests.factories import PASSWORD, CollectiveFactory, MembershipFactory

NEW_PASSWORD = "Qing-nian-2026!"


def log_in(page, login, password):
    page.goto("/accounts/login/")
    page.get_by_label("用户名或手机号码").fill(login)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def add_reviewer(page, typed_phone, phone, name):
    """From the workbench, as a committee admin: a new account for `name` as reviewer of 共青团大观区委. Returns the
    one-time link to set the password."""
    page.goto("/workbench/")
    page.get_by_role("link", name="工作人员").click()
    page.get_by_role("link", name="添加人员").click()
    page.get_by_label("手机号码或用户名").fill(typed_phone)
    page.get_by_role("button", name="查找").click()
    expect(page.get_by_text("没有账号使用这个手机号码或用户名")).to_be_visible()
    new_account = page.locator("form", has=page.get_by_role("button", name="新建账号并授予角色"))
    new_account.get_by_label("真实姓名").fill(name)
    expect(new_account.get_by_label("手机号码")).to_have_value(phone)
    new_account.get_by_label("团委").select_option(label="共青团大观区委")
    new_account.get_by_label("角色").select_option(label="审核人员")
    new_account.get_by_role("button", name="新建账号并授予角色").click()
    expect(page.get_by_text(f"已为{name}新建账号，现为共青团大观区委审核人员")).to_be_visible()
    return page.get_by_label("链接").input_value()


def set_password(page, link, password):
    """The new staff member opens the link on their own phone: same portal, so take its path."""
    page.goto(link.split("8000", 1)[1])
    page.locator("#id_new_password1").fill(password)
    page.locator("#id_new_password2").fill(password)
    page.get_by_role("button", name="设置密码").click()
    expect(page.get_by_role("heading", name="密码已设置")).to_be_visible()


def test_county_admin_invites_a_reviewer_who_sets_a_password(page, committee_tree, settings):
    daguan = Node.objects.get(region_id="340803", kind="league")
    admin = MembershipFactory(role="admin", node=daguan).user
    waiting = CollectiveFactory(status="submitted")

    log_in(page, admin.username, PASSWORD)
    link = add_reviewer(page, "１３７ ０５５６ ０００１", "13705560001", "吴审核")
    assert link.startswith(f"{settings.SITE_URL}/accounts/reset/")  # the public address, not the server's
    page.reload()
    expect(page.get_by_text("一次性设置密码链接")).to_have_count(0)  # shown once only
    page.get_by_role("button", name="退出").click()

    set_password(page, link, NEW_PASSWORD)
    log_in(page, "13705560001", NEW_PASSWORD)
    page.goto("/workbench/registrations/")
    expect(page.get_by_role("link", name=waiting.name)).to_be_visible()
    expect(page.get_by_text("共青团大观区委").first).to_be_visible()
    expect(page.get_by_role("link", name="工作人员")).to_have_count(0)  # reviewers do not manage staff
