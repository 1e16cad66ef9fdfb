"""Two-factor authentication (issue 15, item 2): enrolment with a QR code and a confirming code, recovery codes shown
once and each usable once, the code asked for after the password, throttled wrong codes, turning it off with the
password, a superuser's reset, and the requirement for committee admins and superusers."""

import re
import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.organizations.enums import Role
from apps.security.models import Event, Result, SecurityEvent

from .factories import PASSWORD, CollectiveFactory, UserFactory

pytestmark = pytest.mark.django_db

ANHUI, DAGUAN = "340000", "340803"


def code_for(device, steps_ahead=0):
    """The code the person's app shows now (or `steps_ahead` 30-second steps later), from the device's key."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def sign_in(client, person, password=PASSWORD):
    return client.post(reverse("login"), {"username": person.username, "password": password})


def enrol(client, person):
    """Set up two-factor authentication through the pages; returns the recovery codes shown."""
    page = client.get(reverse("security:setup"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=person, confirmed=False)
    response = client.post(reverse("security:setup"), {"code": code_for(device)})
    assert response.status_code == 302 and response["Location"] == reverse("security:recovery_codes")
    shown = client.get(reverse("security:recovery_codes")).content.decode()
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", shown)


def throttle_passed(person):
    """Let the waiting time django-otp imposes after a wrong code run out, without sleeping in the test."""
    for device in TOTPDevice.objects.filter(user=person):
        device.throttling_failure_timestamp = None
        device.save()


def test_a_committee_admin_enrols_and_signs_in_with_a_code(client, staff_user):
    admin = staff_user(Role.ADMIN, ANHUI)
    assert sign_in(client, admin).status_code == 302
    page = client.get(reverse("security:setup")).content.decode()
    assert "data:image/svg+xml;base64," in page and "扫描" in page  # the QR code, made here, no script needed
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    assert re.search(r'<code id="otp-secret">[A-Z2-7 ]+</code>', page)

    wrong = client.post(reverse("security:setup"), {"code": "12345"})
    assert wrong.status_code == 200 and "验证码错误或已过期" in wrong.content.decode()
    throttle_passed(admin)
    codes = enrol(client, admin)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert TOTPDevice.objects.get(user=admin).confirmed
    again = client.get(reverse("security:recovery_codes"))  # shown once only
    assert again.status_code == 302 and not re.search(r"<li><code>", client.get(again["Location"]).content.decode())
    assert SecurityEvent.objects.filter(event=Event.OTP_ENROLLED, account=admin, address="127.0.0.1").exists()

    client.post(reverse("logout"))
    browser = Client()
    response = sign_in(browser, admin)
    assert response.status_code == 302
    blocked = browser.get(reverse("workbench:todo"))
    assert blocked.status_code == 302 and blocked["Location"].startswith(reverse("security:verify") + "?next=")
    assert browser.get(reverse("admin:index"))["Location"].startswith(reverse("security:verify"))
    verify_page = browser.get(blocked["Location"]).content.decode()
    assert "输入验证码" in verify_page
    device = TOTPDevice.objects.get(user=admin)
    signed_in = browser.post(reverse("security:verify"), {"code": code_for(device, 1), "next": reverse("workbench:todo")})
    assert signed_in.status_code == 302 and signed_in["Location"] == reverse("workbench:todo")
    assert browser.get(reverse("workbench:todo")).status_code == 200
    logins = SecurityEvent.objects.filter(event=Event.LOGIN, account=admin).order_by("pk")
    assert [e.result for e in logins][-2:] == [Result.PENDING, Result.SUCCESS]


def test_a_person_without_two_factor_signs_in_with_the_password_alone(client):
    leader = CollectiveFactory().leader_account
    assert sign_in(client, leader)["Location"] == reverse("collectives:my")
    assert client.get(reverse("collectives:my")).status_code == 200


def test_wrong_codes_are_refused_throttled_and_recorded(client, staff_user):
    admin = staff_user(Role.ADMIN, ANHUI)
    client.force_login(admin)
    enrol(client, admin)
    browser = Client()
    sign_in(browser, admin)
    wrong = browser.post(reverse("security:verify"), {"code": "000000"})
    assert wrong.status_code == 200 and "验证码错误或已过期" in wrong.content.decode()
    device = TOTPDevice.objects.get(user=admin)
    throttled = browser.post(reverse("security:verify"), {"code": code_for(device, 1)})
    assert throttled.status_code == 200 and "错误次数过多" in throttled.content.decode()
    assert browser.get(reverse("workbench:todo")).status_code == 302
    assert SecurityEvent.objects.filter(event=Event.LOGIN_FAILED, account=admin, result=Result.FAILURE, detail="second factor").count() == 2
    throttle_passed(admin)
    assert browser.post(reverse("security:verify"), {"code": code_for(device, 1)}).status_code == 302
    assert browser.get(reverse("workbench:todo")).status_code == 200


def test_a_recovery_code_signs_in_once(client, staff_user):
    admin = staff_user(Role.ADMIN, ANHUI)
    client.force_login(admin)
    codes = enrol(client, admin)
    first = Client()
    sign_in(first, admin)
    used = first.post(reverse("security:verify"), {"code": codes[0].upper()}, follow=True)
    assert "恢复码" in used.content.decode() and "还剩 9 个" in used.content.decode()
    assert first.get(reverse("workbench:todo")).status_code == 200
    assert StaticToken.objects.filter(device__user=admin).count() == 9
    assert SecurityEvent.objects.filter(event=Event.LOGIN, account=admin, detail="recovery code").exists()

    second = Client()
    sign_in(second, admin)
    refused = second.post(reverse("security:verify"), {"code": codes[0]})
    assert refused.status_code == 200 and "验证码错误或已过期" in refused.content.decode()
    assert second.get(reverse("workbench:todo")).status_code == 302


def test_the_verify_page_is_only_for_a_session_waiting_for_its_code(client):
    assert client.get(reverse("security:verify"))["Location"] == reverse("login")


def test_required_for_committee_admins_and_superusers(client, settings, staff_user):
    settings.OTP_REQUIRED_FOR_ADMINS = True
    for person in (staff_user(Role.ADMIN, DAGUAN), UserFactory(is_superuser=True, is_staff=True)):
        browser = Client()
        sign_in(browser, person)
        for url in (reverse("workbench:todo"), reverse("admin:index"), reverse("collectives:my")):
            response = browser.get(url)
            assert response.status_code == 302 and response["Location"].startswith(reverse("security:setup")), url
        page = browser.get(reverse("security:setup")).content.decode()
        assert "您的角色要求启用两步验证" in page
        enrol(browser, person)
        assert browser.get(reverse("workbench:todo")).status_code == 200


def test_not_required_of_other_staff_or_leaders_nor_when_switched_off(client, settings, staff_user):
    settings.OTP_REQUIRED_FOR_ADMINS = True
    reviewer = staff_user(Role.REVIEWER, DAGUAN)
    sign_in(client, reviewer)
    assert client.get(reverse("workbench:todo")).status_code == 200
    settings.OTP_REQUIRED_FOR_ADMINS = False
    admin_browser = Client()
    sign_in(admin_browser, staff_user(Role.ADMIN, DAGUAN))
    assert admin_browser.get(reverse("workbench:todo")).status_code == 200


def test_turning_it_off_needs_the_password(client, staff_user):
    admin = staff_user(Role.ADMIN, ANHUI)
    client.force_login(admin)
    enrol(client, admin)
    page = client.get(reverse("security:two_factor")).content.decode()
    assert "已启用" in page and "10 个恢复码" in page
    refused = client.post(reverse("security:disable"), {"password": "wrong"}, follow=True)
    assert "密码错误" in refused.content.decode() and TOTPDevice.objects.filter(user=admin).exists()
    client.post(reverse("security:disable"), {"password": PASSWORD})
    assert not TOTPDevice.objects.filter(user=admin).exists() and not StaticToken.objects.filter(device__user=admin).exists()
    assert SecurityEvent.objects.filter(event=Event.OTP_REMOVED, actor=admin, account=admin).exists()
    browser = Client()
    sign_in(browser, admin)
    assert browser.get(reverse("workbench:todo")).status_code == 200


def test_new_recovery_codes_replace_the_old_ones(client, staff_user):
    admin = staff_user(Role.ADMIN, ANHUI)
    client.force_login(admin)
    old = enrol(client, admin)
    client.post(reverse("security:renew_codes"), {"password": PASSWORD})
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", client.get(reverse("security:recovery_codes")).content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert set(StaticToken.objects.filter(device__user=admin).values_list("token", flat=True)) == set(new)
    assert SecurityEvent.objects.filter(event=Event.RECOVERY_CODES, account=admin).exists()


def test_a_superuser_resets_two_factor_of_a_person_who_lost_their_phone(client, staff_user):
    admin = staff_user(Role.ADMIN, ANHUI)
    client.force_login(admin)
    enrol(client, admin)
    superuser = UserFactory(is_superuser=True, is_staff=True)
    su = Client()
    su.force_login(superuser)
    response = su.post(reverse("admin:accounts_user_changelist"), {"action": "reset_two_factor", "_selected_action": [admin.pk]}, follow=True)
    assert "已为 1 人重置两步验证" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=admin).exists()
    assert SecurityEvent.objects.filter(event=Event.OTP_RESET, actor=superuser, account=admin).exists()
    browser = Client()
    sign_in(browser, admin)
    assert browser.get(reverse("workbench:todo")).status_code == 200


def test_a_staff_member_who_is_not_a_superuser_cannot_reset(client, staff_user):
    admin = staff_user(Role.ADMIN, ANHUI)
    client.force_login(admin)
    enrol(client, admin)
    other = UserFactory(is_staff=True)
    browser = Client()
    browser.force_login(other)
    response = browser.post(reverse("admin:accounts_user_changelist"), {"action": "reset_two_factor", "_selected_action": [admin.pk]})
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=admin, confirmed=True).exists()


def test_device_keys_are_not_in_the_admin(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    index = client.get(reverse("admin:index")).content.decode()
    assert "otp_totp" not in index and "otp_static" not in index


@pytest.mark.parametrize("name", ["security:two_factor", "security:setup", "security:recovery_codes", "security:renew_codes", "security:disable"])
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    response = client.post(reverse(name)) if name in ("security:renew_codes", "security:disable") else client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not TOTPDevice.objects.exists()


def test_a_session_waiting_for_its_code_can_change_nothing(client, staff_user):
    admin = staff_user(Role.ADMIN, ANHUI)
    client.force_login(admin)
    enrol(client, admin)
    person = UserFactory()
    browser = Client()
    sign_in(browser, admin)
    grant = browser.post(reverse("organizations:staff_add"), {"action": "grant", "user": person.pk, "node": admin.memberships.get().node.pk, "role": Role.REVIEWER})
    assert grant.status_code == 302 and grant["Location"] == reverse("security:verify")
    assert not person.memberships.exists()
    assert browser.post(reverse("security:disable"), {"password": PASSWORD})["Location"] == reverse("security:verify")
    assert TOTPDevice.objects.filter(user=admin, confirmed=True).exists()
    assert browser.get(reverse("security:setup"))["Location"].startswith(reverse("security:verify"))
