"""Mobile phones verified by a code at sign-up (SMS_VERIFY_AT_SIGNUP) and password reset by text message."""

import re

import pytest
from django.urls import reverse

from apps.accounts.models import PhoneCode, User
from apps.accounts.views import PASSWORD_RESETS_PER_HOUR

from .factories import UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {"username": "wangfang", "real_name": "王芳", "phone": "13800138000", "email": "", "password1": "Qingnian#2026", "password2": "Qingnian#2026"}


def last_code(sent):
    return re.search(r"(\d{6})", sent[-1]["text"]).group(1)


def test_signup_asks_for_a_code_when_switched_on(client, settings, sms_outbox):
    settings.SMS_VERIFY_AT_SIGNUP = True
    page = client.post(reverse("signup"), {**SIGNUP, "send_code": "1"})
    assert page.status_code == 200 and [m["phone"] for m in sms_outbox] == ["13800138000"]
    assert sms_outbox[0]["template"] == "code" and page.context["form"].initial["phone"] == "13800138000"
    wrong = client.post(reverse("signup"), {**SIGNUP, "code": "000000" if last_code(sms_outbox) != "000000" else "111111"})
    assert wrong.status_code == 200 and "验证码错误或已过期" in wrong.content.decode()
    assert not User.objects.filter(username="wangfang").exists()
    response = client.post(reverse("signup"), {**SIGNUP, "code": last_code(sms_outbox)})
    assert response.status_code == 302
    assert User.objects.get(username="wangfang").phone_verified_at is not None


def test_signup_needs_no_code_when_switched_off_or_without_sms(client, settings):
    settings.SMS_VERIFY_AT_SIGNUP = True
    settings.SMS_BACKEND = ""
    assert "send_code" not in client.get(reverse("signup")).content.decode()
    assert client.post(reverse("signup"), SIGNUP).status_code == 302
    assert User.objects.get(username="wangfang").phone_verified_at is None


def test_a_code_is_not_resent_within_a_minute_and_allows_five_guesses(client, settings, sms_outbox):
    settings.SMS_VERIFY_AT_SIGNUP = True
    client.post(reverse("signup"), {**SIGNUP, "send_code": "1"})
    again = client.post(reverse("signup"), {**SIGNUP, "send_code": "1"}, follow=True)
    assert len(sms_outbox) == 1 and "不到一分钟" in again.content.decode()
    code = last_code(sms_outbox)
    for _guess in range(5):
        client.post(reverse("signup"), {**SIGNUP, "code": "999999" if code != "999999" else "888888"})
    assert client.post(reverse("signup"), {**SIGNUP, "code": code}).status_code == 200  # used up
    assert PhoneCode.objects.get().attempts == 5


def test_password_reset_by_text_message(client, sms_outbox):
    user = UserFactory(phone="13900001111", email="")
    page = client.post(reverse("password_reset_sms"), {"phone": "139 0000 1111", "send_code": "1"})
    assert page.status_code == 200 and [m["phone"] for m in sms_outbox] == ["13900001111"]
    data = {"phone": "13900001111", "code": last_code(sms_outbox), "new_password1": "Wenming@2027", "new_password2": "Wenming@2027"}
    assert client.post(reverse("password_reset_sms"), data).status_code == 302
    user.refresh_from_db()
    assert user.check_password("Wenming@2027")
    # The code works once.
    again = client.post(reverse("password_reset_sms"), {**data, "new_password1": "Another#2028", "new_password2": "Another#2028"})
    assert again.status_code == 200 and "验证码错误或已过期" in again.content.decode()


def test_reset_does_not_tell_which_numbers_have_an_account(client, sms_outbox):
    page = client.post(reverse("password_reset_sms"), {"phone": "13900002222", "send_code": "1"}, follow=True)
    assert sms_outbox == [] and "验证码已发送" in page.content.decode()


def test_reset_codes_share_the_reset_limit_per_address(client, sms_outbox):
    for n in range(PASSWORD_RESETS_PER_HOUR):
        client.post(reverse("password_reset_sms"), {"phone": f"1390000{n:04d}", "send_code": "1"})
    assert client.post(reverse("password_reset_sms"), {"phone": "13900009999", "send_code": "1"}).status_code == 429
    # The mail form counts against the same limit.
    assert client.post(reverse("password_reset"), {"email": "a@example.cn"}).status_code == 429


def test_the_mail_reset_page_offers_the_text_message_reset(client, sms_outbox):
    assert reverse("password_reset_sms") in client.get(reverse("password_reset")).content.decode()
