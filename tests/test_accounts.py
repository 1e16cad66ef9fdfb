import pytest
from django.core import mail
from django.urls import reverse

from apps.accounts.validators import normalize_phone

from .factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("identifier", ["username", "phone"])
def test_login_by_username_or_phone(client, leader, identifier):
    response = client.post(reverse("login"), {"username": getattr(leader, identifier), "password": PASSWORD}, follow=True)
    assert response.context["user"] == leader


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("１３９ ５５５０ １２３４", "13955501234"),  # full-width digits and spaces from a Chinese input method
        ("139\u30005550\u30001234", "13955501234"),  # ideographic spaces
        ("+86 139-5550-1234", "13955501234"),
        ("0086 13955501234", "13955501234"),
        ("（０５５６）５５５１２３４", "05565551234"),
        ("0556-5551234", "0556-5551234"),  # a landline keeps the dash after its area code
        ("400-123-4567", "400-123-4567"),
        ("zhaoliu", "zhaoliu"),
    ],
)
def test_phone_numbers_are_normalised_however_typed(typed, stored):
    assert normalize_phone(typed) == stored


def test_login_with_a_phone_typed_in_full_width_digits(client, leader):
    typed = leader.phone.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    response = client.post(reverse("login"), {"username": typed, "password": PASSWORD}, follow=True)
    assert response.context["user"] == leader


def test_wrong_password_is_a_clear_message(client, leader):
    response = client.post(reverse("login"), {"username": leader.phone, "password": "nope"})
    assert "用户名/手机号码或密码错误" in response.content.decode()


def test_auth_pages_are_in_chinese(client):
    for name in ["login", "signup", "password_reset"]:
        page = client.get(reverse(name)).content.decode()
        assert 'lang="zh-hans"' in page
        assert "登录" in page or "注册" in page or "密码" in page


def test_password_reset_sends_a_mail(client, leader):
    client.post(reverse("password_reset"), {"email": leader.email})
    assert len(mail.outbox) == 1
    assert leader.username in mail.outbox[0].body


def test_password_change(login, leader):
    client = login(leader)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Another-pass-2026", "new_password2": "Another-pass-2026"},
        follow=True,
    )
    assert response.status_code == 200
    leader.refresh_from_db()
    assert leader.check_password("Another-pass-2026")


def test_logout_is_a_post(login, leader):
    client = login(leader)
    response = client.post(reverse("logout"), follow=True)
    assert not response.context["user"].is_authenticated


def test_english_is_selectable(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    assert 'lang="en"' in response.content.decode()


def test_chinese_is_the_default_whatever_the_browser_asks_for(client):
    page = client.get(reverse("home"), headers={"accept-language": "en-US,en;q=0.9"}).content.decode()
    assert 'lang="zh-hans"' in page and "青年文明号" in page


def test_workbench_link_only_for_staff(login, leader, staff_user):
    assert reverse("workbench:todo") not in login(leader).get(reverse("home")).content.decode()
    staff = login(staff_user("viewer", "340800"))
    assert reverse("workbench:todo") in staff.get(reverse("home")).content.decode()


def test_english_pages_stay_english_after_chinese_ones(client):
    """Labels defined at import time must follow the visitor's language, not the first request's."""
    client.get(reverse("home"))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("evaluations:notice_list")).content.decode()
    assert "Public notices" in page and "公示" not in page
