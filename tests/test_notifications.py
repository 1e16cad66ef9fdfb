"""Notifications: notify() writes one row per recipient and mails after commit; the list, open and read-all views."""

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.notifications.models import Notification
from apps.notifications.services import notify

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def test_notify_creates_one_row_per_distinct_recipient_and_mails_from_the_worker(
    leader, django_capture_on_commit_callbacks, settings, run_tasks
):
    settings.SITE_URL = "https://civpost.example.cn/"
    settings.SMS_BACKEND = ""
    other, no_email, inactive = UserFactory(), UserFactory(email=""), UserFactory(is_active=False)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            created = notify([leader, other, leader, None, no_email, inactive], "审核通过", "恭喜", url="/my/collectives/7/")
    assert len(created) == 3 and len(callbacks) == 1
    assert sorted(Notification.objects.values_list("recipient", flat=True)) == sorted([leader.pk, other.pk, no_email.pk])
    assert mail.outbox == []  # nothing is sent in the request: the worker sends it
    run_tasks()
    assert sorted(message.to[0] for message in mail.outbox) == sorted([leader.email, other.email])
    message = mail.outbox[0]
    assert message.subject == "审核通过" and len(message.to) == 1
    assert "恭喜" in message.body and "https://civpost.example.cn/my/collectives/7/" in message.body


def test_notify_sends_nothing_when_the_transaction_rolls_back(leader, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                notify([leader], "审核通过")
                raise RuntimeError("transition failed")
    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_list_shows_only_own_notifications(login, leader):
    notify([leader], "我的通知")
    notify([UserFactory()], "别人的通知")
    page = login(leader).get(reverse("notifications:list")).content.decode()
    assert "我的通知" in page
    assert "别人的通知" not in page


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow(login, leader):
    client, url = login(leader), reverse("notifications:list")
    notify([leader], "第一条", url="/my/")
    few = _count_queries(client, url)
    for number in range(40):
        notify([leader], f"通知{number}", url="/my/")
    assert _count_queries(client, url) == few


def test_list_is_paginated(login, leader):
    for number in range(31):
        notify([leader], f"通知{number}")
    response = login(leader).get(reverse("notifications:list"))
    assert len(response.context["page"]) == 30
    assert response.context["page"].paginator.num_pages == 2


def test_open_marks_read_and_redirects(login, leader):
    [notification] = notify([leader], "审核通过", url="/my/collectives/7/")
    response = login(leader).get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/my/collectives/7/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_open_of_another_users_notification_is_404(login, leader):
    [notification] = notify([UserFactory()], "别人的通知", url="/my/")
    response = login(leader).get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


@pytest.mark.parametrize("url", ["https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)", ""])
def test_open_does_not_follow_links_off_the_site(login, leader, url):
    [notification] = notify([leader], "可疑链接", url=url)
    response = login(leader).get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("notifications:list")
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_anonymous_user_is_sent_to_login(client):
    for url in [reverse("notifications:list"), reverse("notifications:open", args=[1])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert client.post(reverse("notifications:read_all")).status_code == 302


def test_read_all_requires_post(login, leader):
    notify([leader], "审核通过")
    assert login(leader).get(reverse("notifications:read_all")).status_code == 405
    assert leader.notifications.filter(read_at__isnull=True).count() == 1


def test_unread_count_in_header_disappears_after_read_all(login, leader):
    notify([leader], "一")
    notify([leader], "二")
    notify([UserFactory()], "别人的")
    client = login(leader)
    response = client.get(reverse("home"))
    assert response.context["unread_notification_count"] == 2
    assert '<span class="count">2</span>' in response.content.decode()

    response = client.post(reverse("notifications:read_all"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("notifications:list")
    assert response.context["unread_notification_count"] == 0
    assert 'class="count"' not in client.get(reverse("home")).content.decode()
    assert not leader.notifications.filter(read_at__isnull=True).exists()


def test_anonymous_header_has_no_count(client):
    response = client.get(reverse("home"))
    assert response.context["unread_notification_count"] == 0
    assert reverse("notifications:list") not in response.content.decode()


def test_admin_lists_notifications_read_only(client, leader):
    admin = UserFactory(is_staff=True, is_superuser=True)
    [notification] = notify([leader], "审核通过")
    client.force_login(admin)
    assert "审核通过" in client.get(reverse("admin:notifications_notification_changelist") + "?q=审核").content.decode()
    assert client.get(reverse("admin:notifications_notification_change", args=[notification.pk])).status_code == 200
    assert client.get(reverse("admin:notifications_notification_add")).status_code == 403
