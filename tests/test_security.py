"""Controls found missing by outside testing (issue 15): sign-in lockout and unlock, sign-up throttle, password
rules, idle sessions, dangerous PDFs, downloads, request size, health check, error pages, public form bounds."""

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.sessions import LAST_SEEN
from apps.audit.models import AuditEntry
from apps.complaints.models import Complaint
from apps.organizations.enums import Role

from . import pdfs
from .conftest import committee
from .evaluation_factories import ApplicationFactory
from .factories import PASSWORD, CollectiveFactory, MembershipFactory, UserFactory
from .test_evaluations_pages import upload
from .test_supervision import complaint_post

pytestmark = pytest.mark.django_db

DAGUAN, ANHUI, BEIJING = "340803", "340000", "110000"


# Sign-in lockout ---------------------------------------------------------------------------------------------------


def sign_in(client, login, password):
    return client.post(reverse("login"), {"username": login, "password": password})


def lock_out(client, person):
    for _attempt in range(4):
        assert sign_in(client, person.username, "wrong-password").status_code == 200
    assert sign_in(client, person.username, "wrong-password").status_code == 429  # the fifth failure locks


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client):
    person = UserFactory()
    lock_out(client, person)
    refused = sign_in(client, person.username, PASSWORD)
    assert refused.status_code == 429
    assert "登录已锁定" in refused.content.decode() and "30" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # The phone number is the same account: typing it instead of the username does not get around the lock.
    assert sign_in(Client(REMOTE_ADDR="10.0.0.9"), person.phone, PASSWORD).status_code == 429


def test_the_lock_holds_the_address_too_for_other_accounts(client):
    lock_out(client, UserFactory())
    other = UserFactory()
    assert sign_in(client, other.username, PASSWORD).status_code == 429
    assert sign_in(Client(REMOTE_ADDR="10.0.0.9"), other.username, PASSWORD).status_code == 302


def test_fewer_failures_then_the_right_password_signs_in(client):
    person = UserFactory()
    for _attempt in range(4):
        sign_in(client, person.username, "wrong-password")
    assert sign_in(client, person.username, PASSWORD).status_code == 302


def test_signing_in_to_another_account_between_guesses_does_not_reset_the_count(client):
    victim, own = UserFactory(), UserFactory()
    for _attempt in range(4):
        sign_in(client, victim.username, "wrong-password")
    assert sign_in(client, own.username, PASSWORD).status_code == 302
    client.post(reverse("logout"))
    assert sign_in(Client(REMOTE_ADDR="10.0.0.9"), victim.username, "wrong-password").status_code == 429


def test_a_committee_admin_unlocks_a_person_of_their_committee(login, staff_user):
    membership = MembershipFactory(role=Role.REVIEWER, node=committee(DAGUAN))
    lock_out(Client(), membership.user)
    admin = login(staff_user(Role.ADMIN, ANHUI))
    page = admin.get(reverse("organizations:staff_detail", args=[membership.pk])).content.decode()
    assert "密码错误次数过多" in page and "解锁登录" in page
    response = admin.post(reverse("organizations:staff_unlock", args=[membership.pk]), follow=True)
    assert "已解锁登录" in response.content.decode()
    entry = AuditEntry.objects.get(action="unlock_sign_in")
    assert entry.object_id == membership.pk and entry.actor.username != membership.user.username
    assert sign_in(Client(), membership.user.username, PASSWORD).status_code == 302
    again = admin.post(reverse("organizations:staff_unlock", args=[membership.pk]), follow=True)
    assert "未被锁定" in again.content.decode()


@pytest.mark.parametrize("role, where", [(Role.ADMIN, BEIJING), (Role.REVIEWER, ANHUI), (Role.VIEWER, DAGUAN)])
def test_nobody_else_unlocks(login, staff_user, role, where):
    membership = MembershipFactory(role=Role.REVIEWER, node=committee(DAGUAN))
    lock_out(Client(), membership.user)
    response = login(staff_user(role, where)).post(reverse("organizations:staff_unlock", args=[membership.pk]))
    assert response.status_code in (403, 404)
    assert not AuditEntry.objects.filter(action="unlock_sign_in").exists()
    assert sign_in(Client(REMOTE_ADDR="10.0.0.9"), membership.user.username, PASSWORD).status_code == 429


def test_a_superuser_unlocks_anyone_in_the_admin(login):
    person = UserFactory()
    lock_out(Client(), person)
    admin = login(UserFactory(is_superuser=True, is_staff=True))
    attempt = AccessAttempt.objects.get(username=person.username)
    listing = admin.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200 and person.username in listing.content.decode()
    admin.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert sign_in(Client(), person.username, PASSWORD).status_code == 302


def test_a_leader_cannot_unlock(login):
    membership = MembershipFactory(role=Role.REVIEWER, node=committee(DAGUAN))
    lock_out(Client(), membership.user)
    response = login(CollectiveFactory().leader_account).post(reverse("organizations:staff_unlock", args=[membership.pk]))
    assert response.status_code in (403, 404)


# Sign-up and password rules ----------------------------------------------------------------------------------------


def signup_data(number, password="Civ-post-2026!"):
    return {
        "username": f"leader{number}",
        "real_name": "王晓明",
        "phone": f"1380013800{number}",
        "email": f"leader{number}@example.cn",
        "password1": password,
        "password2": password,
    }


def test_sign_up_is_throttled_per_address():
    for number in range(5):
        assert Client().post(reverse("signup"), signup_data(number)).status_code == 302
    refused = Client().post(reverse("signup"), signup_data(5))
    assert refused.status_code == 429 and "注册的账号过多" in refused.content.decode()
    assert not User.objects.filter(username="leader5").exists()
    assert Client(REMOTE_ADDR="10.0.0.9").post(reverse("signup"), signup_data(6)).status_code == 302


@pytest.mark.parametrize(
    "password, message",
    [
        ("Ab1!xyz", "至少需要 8 个字符"),
        ("abcdefghij", "中的 3 类"),
        ("abcdefgh12", "中的 3 类"),
        ("Leader1-Pass", "不得包含用户名或手机号码"),
        ("Pw-13800138001", "不得包含用户名或手机号码"),
    ],
)
def test_passwords_must_follow_the_rules(client, password, message):
    response = client.post(reverse("signup"), signup_data(1, password))
    assert response.status_code == 200 and message in response.content.decode()
    assert not User.objects.exists()


def test_a_password_of_three_classes_is_accepted(client):
    assert client.post(reverse("signup"), signup_data(1, "wen-ming-hao-2026")).status_code == 302


# Idle sessions -----------------------------------------------------------------------------------------------------


def idle_for(client, seconds):
    session = client.session
    session[LAST_SEEN] = int(time.time()) - seconds
    session.save()


def test_staff_are_signed_out_after_thirty_idle_minutes(login, staff_user):
    client = login(staff_user(Role.REVIEWER, DAGUAN))
    queue = reverse("collectives:staff_queue")
    idle_for(client, 29 * 60)
    assert client.get(queue).status_code == 200
    idle_for(client, 31 * 60)
    response = client.get(queue)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.get(queue).status_code == 302  # signed out for good, not just this once


def test_leaders_stay_signed_in_for_days(login, leader):
    client = login(leader)
    idle_for(client, 31 * 60)
    assert client.get(reverse("collectives:my")).status_code == 200
    idle_for(client, 8 * 24 * 3600)
    assert client.get(reverse("collectives:my")).status_code == 302


def test_each_request_renews_the_session_expiry(login, staff_user):
    client = login(staff_user(Role.REVIEWER, DAGUAN))
    idle_for(client, 20 * 60)
    client.get(reverse("collectives:staff_queue"))
    assert time.time() - client.session[LAST_SEEN] < 5
    assert client.session.get_expiry_age() == 30 * 60


# Uploads and downloads --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [pdfs.javascript_on_open(), pdfs.launch_action(), pdfs.embedded_file(), pdfs.hex_escaped_javascript(), pdfs.javascript_in_object_stream()],
    ids=["javascript", "launch", "embedded-file", "hex-escaped-name", "object-stream"],
)
def test_pdfs_with_active_content_are_refused(login, content):
    application = ApplicationFactory()
    response = upload(login(application.collective.leader_account), application, "事迹.pdf", content)
    assert "事迹.pdf 含有脚本、启动操作或嵌入文件" in response.content.decode()
    assert not application.attachments.exists()


def test_a_pdf_that_cannot_be_read_is_refused(login):
    application = ApplicationFactory()
    response = upload(login(application.collective.leader_account), application, "坏.pdf", b"%PDF-1.4\n%%EOF\n")
    assert "已损坏或已加密" in response.content.decode()


def test_attachments_are_downloaded_never_shown_inline(login):
    application = ApplicationFactory()
    client = login(application.collective.leader_account)
    upload(client, application, "事迹.pdf", pdfs.clean_pdf())
    attachment = application.attachments.get()
    response = client.get(reverse("evaluations:attachment", args=[application.pk, attachment.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;") and "%E4%BA%8B%E8%BF%B9.pdf" in response["Content-Disposition"]


def test_a_body_above_the_cap_is_refused_before_it_is_read(client, settings):
    settings.REQUEST_BODY_MAX_MB = 1
    response = client.post(reverse("signup"), data=b"x", content_type="application/octet-stream", CONTENT_LENGTH=str(2 * 1024 * 1024))
    assert response.status_code == 413 and "上传内容过大" in response.content.decode()


# Health check and error pages --------------------------------------------------------------------------------------


@pytest.fixture
def no_manifest(settings, tmp_path):
    """Production static storage before collectstatic ran: every {% static %} fails."""
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}


def test_healthz_is_ok_when_pages_render(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200 and response.content == b"ok\n"


def test_healthz_fails_when_pages_cannot_render(client, no_manifest):
    response = client.get(reverse("healthz"))
    assert response.status_code == 503 and b"pages cannot render" in response.content


def test_error_pages_need_no_static_files(no_manifest):
    client = Client(raise_request_exception=False)
    broken = client.get(reverse("home"))  # the home page needs the manifest: a real 500
    assert broken.status_code == 500 and "出错" in broken.content.decode()
    assert "/static/" not in broken.content.decode()
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404 and "页面不存在" in missing.content.decode()


# Public forms ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"happened_on": "0001-01-01"}, "近两年内"),
        ({"happened_on": (timezone.localdate() - timedelta(days=800)).isoformat()}, "近两年内"),
        ({"happened_on": (timezone.localdate() + timedelta(days=1)).isoformat()}, "日期不能晚于今天"),
        ({"what_happened": "字" * 200_000}, "请控制在 5000 字以内（现为 200000 字）"),
    ],
)
def test_complaints_are_bounded(client, changes, message):
    collective = CollectiveFactory(status="registered")
    response = client.post(reverse("complaints:complain", args=[collective.pk]), complaint_post(**changes))
    assert response.status_code == 200 and message in response.content.decode()
    assert not Complaint.objects.exists()


def test_the_complaint_form_names_its_limit(client):
    collective = CollectiveFactory(status="registered")
    page = client.get(reverse("complaints:complain", args=[collective.pk])).content.decode()
    assert 'maxlength="5000"' in page and "最多 5000 字" in page


def test_password_reset_requests_are_throttled(client):
    for _attempt in range(10):
        assert client.post(reverse("password_reset"), {"email": "nobody@example.cn"}).status_code == 302
    assert client.post(reverse("password_reset"), {"email": "nobody@example.cn"}).status_code == 429


def test_error_pages_read_nothing_but_the_session(login, leader, django_assert_max_num_queries):
    """No context processor runs for an error page: a database in trouble cannot turn a 404 into a 500."""
    client = login(leader)
    with django_assert_max_num_queries(2):  # the session and its user, read by the middleware for every request
        response = client.get("/no-such-page/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()
