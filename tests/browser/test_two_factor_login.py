"""A committee admin, required to use two-factor authentication, enrols an authenticator app at the first sign-in and
signs in the next time with the password and a code (computed here from the device's key, as the phone would)."""

import re

from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from apps.organizations.models import Node
from tests.factories import PASSWORD, MembershipFactory
from tests.test_two_factor import code_for


def log_in(page, login, password):
    page.goto("/accounts/login/")
    page.get_by_label("用户名或手机号码").fill(login)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_a_committee_admin_enrols_totp_and_signs_in_with_a_code(page, committee_tree, settings):
    settings.OTP_REQUIRED_FOR_ADMINS = True
    admin = MembershipFactory(role="admin", node=Node.objects.get(region_id="340803", kind="league")).user

    log_in(page, admin.username, PASSWORD)
    expect(page.get_by_role("heading", name="设置两步验证")).to_be_visible()
    expect(page.get_by_text("您的角色要求启用两步验证")).to_be_visible()
    page.goto("/workbench/")  # nothing else is reachable before enrolment
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/setup/"))
    qr = page.get_by_role("img", name="身份验证器应用的二维码")
    expect(qr).to_be_visible()
    assert qr.get_attribute("src").startswith("data:image/svg+xml;base64,")

    page.get_by_label("身份验证器应用中的验证码").fill("000000")
    page.get_by_role("button", name="确认").click()
    expect(page.get_by_text("验证码错误或已过期")).to_be_visible()
    TOTPDevice.objects.filter(user=admin).update(throttling_failure_timestamp=None)  # the wait after a wrong code
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    page.get_by_label("身份验证器应用中的验证码").fill(code_for(device))
    page.get_by_role("button", name="确认").click()
    expect(page.get_by_role("heading", name="恢复码")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="我已保存").click()
    page.goto("/workbench/")
    expect(page).to_have_url(re.compile(r"/workbench/$"))
    page.get_by_role("button", name="退出").click()

    log_in(page, admin.username, PASSWORD)
    expect(page.get_by_role("heading", name="输入验证码")).to_be_visible()
    device.refresh_from_db()
    page.get_by_label("身份验证器应用中的验证码或恢复码").fill(code_for(device, 1))  # the next 30 s step: codes are used once
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/workbench/$"))
    expect(page.get_by_role("button", name="退出")).to_be_visible()
