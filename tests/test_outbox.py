"""The outbox: messages sent by the real task worker (database backend), retried after a failure, text messages through
a local stub of Tencent Cloud's SMS endpoint, the staff's daily digest, preferences, de-duplication, and decisions
reversed before sending."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from apps.notifications import outbox
from apps.notifications.models import Message, MessageStatus, Notification
from apps.notifications.services import notify
from apps.organizations.enums import Role

from .factories import CollectiveFactory, UserFactory
from .sms_stub import SmsStub

pytestmark = pytest.mark.django_db


@pytest.fixture
def stub(settings):
    server = SmsStub()
    settings.SMS_BACKEND = "apps.notifications.sms.TencentCloudBackend"
    settings.SMS_OPTIONS = server.options()
    settings.SMS_TEMPLATES = {"code": "100001", "notice": "100002"}
    yield server
    server.close()


def test_a_leader_gets_mail_and_a_signed_text_message_through_the_provider(leader, stub, run_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify([leader], "您的申报已通过县级团委审核", "恭喜", url="/my/")
    assert mail.outbox == [] and stub.requests == []
    run_tasks()
    assert [m.to for m in mail.outbox] == [[leader.email]]
    [request] = stub.requests
    assert request["signed"] and request["action"] == "SendSms"
    assert request["payload"]["PhoneNumberSet"] == [f"+86{leader.phone}"]
    assert request["payload"]["TemplateId"] == "100002" and request["payload"]["SignName"] == "青年文明号"
    assert request["payload"]["TemplateParamSet"] == ["您的申报已通过县级团委审核"]
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}


def test_a_failed_send_is_retried_by_the_worker_and_the_failure_is_shown_to_superusers(
    leader, stub, run_tasks, django_capture_on_commit_callbacks, client
):
    stub.fail_first = 1
    leader.email = ""
    leader.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify([leader], "审核通过")
    run_tasks()
    failed = DBTaskResult.objects.get(status="FAILED")
    assert "DeliveryError" in failed.traceback and failed.task_path.endswith("deliver")
    message = Message.objects.get()
    assert (message.status, message.attempts) == (MessageStatus.PENDING, 1)
    assert "InternalError.Timeout" in message.error
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.run_after > timezone.now() + timedelta(seconds=30)  # not at once: after a delay
    assert retry.args_kwargs["kwargs"] == {"attempt": 2}

    # A superuser sees the failed task and its error in the admin; a committee admin does not.
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    listing = client.get(reverse("admin:django_tasks_database_dbtaskresult_changelist") + "?status__exact=FAILED")
    assert listing.status_code == 200 and "deliver" in listing.content.decode()
    detail = client.get(reverse("admin:django_tasks_database_dbtaskresult_change", args=[failed.pk])).content.decode()
    assert "DeliveryError" in detail and "could not be sent" in detail
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("admin:django_tasks_database_dbtaskresult_changelist")).status_code == 403

    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())  # the delay has passed
    run_tasks()
    assert DBTaskResult.objects.get(pk=retry.pk).status == "SUCCESSFUL"
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 2)
    assert len(stub.requests) == 2


def test_retries_stop_after_the_last_attempt(leader, stub, run_tasks, django_capture_on_commit_callbacks):
    stub.fail_first = 100
    with django_capture_on_commit_callbacks(execute=True):
        notify([leader], "审核通过")
    for _attempt in range(5):
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        run_tasks()
    assert DBTaskResult.objects.filter(status="FAILED").count() == 4  # the first attempt and three retries
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_staff_get_one_daily_digest_instead_of_a_mail_per_event(staff_user, leader, run_tasks, sms_outbox, django_capture_on_commit_callbacks):
    staff = staff_user(Role.REVIEWER, "340803")
    with django_capture_on_commit_callbacks(execute=True):
        notify([staff, leader], "新的备案申请：营业厅青年班组", url="/workbench/registrations/")
        notify([staff], "新的投诉", "请及时处理")
    run_tasks()
    assert [m.to for m in mail.outbox] == [[leader.email]]  # the 号长's mail; the staff's waits
    assert [m["phone"] for m in sms_outbox] == [leader.phone]  # staff get no text messages
    assert outbox.send_digests() == 1
    [digest] = mail.outbox[1:]
    assert digest.to == [staff.email] and "2" in digest.subject
    assert "新的备案申请：营业厅青年班组" in digest.body and "新的投诉" in digest.body and "请及时处理" in digest.body
    assert "/workbench/registrations/" in digest.body
    assert outbox.send_digests() == 0  # twice in a row: nothing new
    assert len(mail.outbox) == 2


def test_a_decision_reversed_before_sending_is_not_sent(staff_user, run_tasks, sms_outbox, django_capture_on_commit_callbacks):
    staff = staff_user(Role.REVIEWER, "340803")
    collective = CollectiveFactory(status="submitted")
    with django_capture_on_commit_callbacks(execute=True):
        notify([collective.leader_account, staff], "申报已提交", about=(collective, "status"))
    collective.status = "returned"  # reversed before the worker and the digest ran
    collective.save()
    run_tasks()
    assert outbox.send_digests() == 0
    assert mail.outbox == [] and sms_outbox == []
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SKIPPED}
    assert Notification.objects.count() == 2  # the portal still shows what happened


def test_preferences_choose_the_channels(login, leader, run_tasks, sms_outbox, django_capture_on_commit_callbacks):
    client = login(leader)
    assert client.get(reverse("notifications:preferences")).status_code == 200
    response = client.post(reverse("notifications:preferences"), {"sms": "on"})
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        notify([leader], "审核通过")
    run_tasks()
    assert mail.outbox == [] and [m["phone"] for m in sms_outbox] == [leader.phone]
    assert "审核通过" in sms_outbox[0]["text"]


def test_preferences_need_a_login(client):
    response = client.get(reverse("notifications:preferences"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_key_makes_notify_idempotent(leader, run_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert len(notify([leader], "截止提醒", key="remind:round:1")) == 1
        assert notify([leader], "截止提醒", key="remind:round:1") == []
    run_tasks()
    assert Notification.objects.count() == 1 and len(mail.outbox) == 1


def test_the_leader_hears_of_the_registration_decision_through_the_worker(login, staff_user, submitted, run_tasks, sms_outbox, django_capture_on_commit_callbacks):
    staff = login(staff_user(Role.REVIEWER, "340803"))
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(reverse("collectives:staff_approve", args=[submitted.pk]), {"comment": "材料齐全", "confirmed": "1"})
    assert response.status_code == 302 and mail.outbox == []
    [notification] = submitted.leader_account.notifications.all()
    submitted.refresh_from_db()
    assert submitted.registration_number in notification.subject and notification.body == "材料齐全"
    run_tasks()
    assert [m.to for m in mail.outbox] == [[submitted.leader_account.email]]
    assert [m["phone"] for m in sms_outbox] == [submitted.leader_account.phone]


def test_the_proxy_accepts_what_the_portal_accepts(settings):
    from pathlib import Path

    site = (Path(settings.BASE_DIR) / "deploy" / "nginx-civpost.conf").read_text()
    assert f"client_max_body_size {settings.REQUEST_BODY_MAX_MB}m;" in site
