"""The security trail (issue 15, item 3): every security event recorded with who, when, from which address and the
result; append-only in the application and, on PostgreSQL, against any UPDATE or DELETE statement; the retention
command; the superuser's search page."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.invitations import invitation_url
from apps.audit.models import AuditEntry
from apps.organizations.enums import Role
from apps.security.models import AppendOnlyError, Event, Result, SecurityEvent

from .conftest import committee
from .factories import PASSWORD, CollectiveFactory, UserFactory

pytestmark = pytest.mark.django_db

DAGUAN, ANQING = "340803", "340800"
NEW_PASSWORD = "Qing-nian-2026!"


def sign_in(client, login, password=PASSWORD):
    return client.post(reverse("login"), {"username": login, "password": password})


def last(event, **filters):
    return SecurityEvent.objects.filter(event=event, **filters).select_related("actor", "account").first()


# What is recorded --------------------------------------------------------------------------------------------------


def test_sign_in_failed_sign_in_and_sign_out_are_recorded_with_the_address():
    person = UserFactory()
    browser = Client(REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="Mozilla/5.0 测试")
    sign_in(browser, person.phone, "wrong-password")
    failed = last(Event.LOGIN_FAILED)
    assert (failed.account, failed.actor, failed.username, failed.address, failed.result) == (person, None, person.phone, "10.1.2.3", Result.FAILURE)
    sign_in(browser, "nobody-here", "wrong-password")
    unknown = last(Event.LOGIN_FAILED)
    assert unknown.account is None and unknown.username == "nobody-here"

    sign_in(browser, person.username)
    login = last(Event.LOGIN)
    assert (login.actor, login.account, login.address, login.result, login.user_agent) == (person, person, "10.1.2.3", Result.SUCCESS, "Mozilla/5.0 测试")
    browser.post(reverse("logout"))
    assert last(Event.LOGOUT).account == person


def test_a_lockout_is_recorded():
    person = UserFactory()
    browser = Client(REMOTE_ADDR="10.1.2.4")
    for _attempt in range(5):
        sign_in(browser, person.username, "wrong-password")
    locked = last(Event.LOCKED_OUT)
    assert (locked.account, locked.address, locked.result) == (person, "10.1.2.4", Result.FAILURE)


def test_behind_a_trusted_proxy_the_address_is_the_one_the_proxy_saw(settings):
    settings.BEHIND_PROXY = True
    person = UserFactory()
    sign_in(Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9"), person.username)
    assert last(Event.LOGIN).address == "203.0.113.9"
    settings.PROXY_CLIENT_ADDRESS_HEADER = "HTTP_X_REAL_IP"
    sign_in(Client(REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="198.51.100.7"), person.username)
    assert last(Event.LOGIN).address == "198.51.100.7"


def test_password_change_and_reset_are_recorded(client):
    person = UserFactory()
    client.force_login(person)
    data = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert client.post(reverse("password_change"), data).status_code == 302
    changed = last(Event.PASSWORD_CHANGED)
    assert (changed.actor, changed.account, changed.address) == (person, person, "127.0.0.1")

    person.refresh_from_db()
    stranger = Client(REMOTE_ADDR="10.9.9.9")
    form_url = stranger.get(invitation_url(person).split("8000", 1)[1], follow=True).redirect_chain[-1][0]
    stranger.post(form_url, {"new_password1": "Another-2026!", "new_password2": "Another-2026!"})
    reset = last(Event.PASSWORD_RESET)
    assert (reset.actor, reset.account, reset.address) == (None, person, "10.9.9.9")


def test_role_changes_are_in_the_trail_beside_their_audit_entries(login, staff_user):
    admin = staff_user(Role.ADMIN, ANQING)
    person = UserFactory()
    client = login(admin)
    client.post(reverse("organizations:staff_add"), {"action": "grant", "user": person.pk, "node": committee(DAGUAN).pk, "role": Role.REVIEWER})
    granted = last(Event.ROLE_GRANTED)
    assert (granted.actor, granted.account, granted.address) == (admin, person, "127.0.0.1")
    assert "共青团大观区委" in granted.detail and "审核人员" in granted.detail
    membership = person.memberships.get()
    client.post(reverse("organizations:staff_change_role", args=[membership.pk]), {"role": Role.VIEWER})
    client.post(reverse("organizations:staff_end", args=[membership.pk]), {"reason": "调离"})
    assert last(Event.ROLE_CHANGED).account == person and last(Event.ROLE_ENDED).account == person
    assert AuditEntry.objects.filter(action__in=["grant_role", "change_role", "end_membership"]).count() == 3


def test_every_download_of_personal_data_is_recorded(login, staff_user):
    viewer = staff_user(Role.VIEWER, DAGUAN)
    CollectiveFactory(status="registered")
    response = login(viewer).get(reverse("collectives:staff_queue_export"), {"status": "registered"})
    assert response.status_code == 200
    export = last(Event.EXPORT)
    assert (export.actor, export.address, export.result) == (viewer, "127.0.0.1", Result.SUCCESS)
    assert ".xlsx" in export.detail and "status=registered" in export.detail


def test_pages_and_refused_downloads_are_not_exports(client, login, leader):
    assert client.get(reverse("collectives:staff_queue_export")).status_code == 302
    assert login(leader).get(reverse("collectives:staff_queue_export")).status_code == 403
    assert login(leader).get(reverse("collectives:my")).status_code == 200
    assert not SecurityEvent.objects.filter(event=Event.EXPORT).exists()


# Append-only --------------------------------------------------------------------------------------------------------


def test_events_cannot_be_changed_or_deleted_through_the_application():
    event = SecurityEvent.objects.create(event=Event.LOGIN, username="someone")
    event.detail = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        SecurityEvent.objects.filter(pk=event.pk).update(detail="changed")
    with pytest.raises(AppendOnlyError):
        SecurityEvent.objects.filter(pk=event.pk).delete()
    assert SecurityEvent.objects.get(pk=event.pk).detail == ""


def test_the_admin_offers_neither_change_nor_delete(login):
    event = SecurityEvent.objects.create(event=Event.LOGIN, username="someone")
    admin = login(UserFactory(is_superuser=True, is_staff=True))
    assert admin.get(reverse("admin:security_securityevent_changelist")).status_code == 200
    assert admin.post(reverse("admin:security_securityevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    admin.post(reverse("admin:security_securityevent_change", args=[event.pk]), {"detail": "changed"})
    assert SecurityEvent.objects.get(pk=event.pk).detail == ""


def statement_refused(sql, params):
    """Run a statement in a savepoint; True when the database refused it."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as error:
        assert "pgtrigger: Cannot" in str(error)
        return True
    return False


def test_on_postgresql_update_and_delete_statements_are_refused_by_triggers():
    """On PostgreSQL the triggers refuse a plain UPDATE or DELETE of any security event younger than 180 days and of
    any audit entry; the embedded SQLite has no such triggers, and there the application's refusal is what holds."""
    recent = SecurityEvent.objects.create(event=Event.LOGIN, username="someone")
    old = SecurityEvent.objects.create(event=Event.LOGIN, username="someone", created_at=timezone.now() - timedelta(days=200))
    entry = AuditEntry.objects.create(content_type_id=1, object_id=1, action="test")
    table = SecurityEvent._meta.db_table
    on_postgresql = connection.vendor == "postgresql"
    assert statement_refused(f"UPDATE {table} SET detail = 'x' WHERE id = %s", [recent.pk]) is on_postgresql
    assert statement_refused(f"UPDATE {table} SET detail = 'x' WHERE id = %s", [old.pk]) is on_postgresql
    assert statement_refused(f"DELETE FROM {table} WHERE id = %s", [recent.pk]) is on_postgresql
    assert statement_refused("UPDATE audit_auditentry SET comment = 'x' WHERE id = %s", [entry.pk]) is on_postgresql
    assert statement_refused("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk]) is on_postgresql
    if on_postgresql:
        assert SecurityEvent.objects.get(pk=recent.pk).detail == "" and AuditEntry.objects.filter(pk=entry.pk).exists()
    # Older than the legal minimum, an event may go (the retention command's deletion).
    assert statement_refused(f"DELETE FROM {table} WHERE id = %s", [old.pk]) is False
    with pytest.raises(AppendOnlyError):
        SecurityEvent.objects.filter(pk=recent.pk).update(detail="x")


# Retention ---------------------------------------------------------------------------------------------------------


def test_the_retention_command_deletes_only_events_older_than_the_retention_time(settings, capsys):
    now = timezone.now()
    ages = {"ancient": 400, "old": 200, "kept": 179, "new": 0}
    for name, days in ages.items():
        SecurityEvent.objects.create(event=Event.LOGIN, username=name, created_at=now - timedelta(days=days))
    call_command("purge_security_events", "--dry-run")
    assert "2" in capsys.readouterr().out and SecurityEvent.objects.count() == 4
    call_command("purge_security_events", "--days", "365")
    assert set(SecurityEvent.objects.values_list("username", flat=True)) == {"old", "kept", "new"}
    call_command("purge_security_events")
    assert set(SecurityEvent.objects.values_list("username", flat=True)) == {"kept", "new"}
    with pytest.raises(CommandError):
        call_command("purge_security_events", "--days", "30")
    assert SecurityEvent.objects.count() == 2


# The search page ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["leader", Role.ADMIN, Role.REVIEWER, Role.VIEWER, "staff flag"])
def test_only_superusers_search_the_trail(login, staff_user, who):
    if who == "leader":
        person = CollectiveFactory().leader_account
    elif who == "staff flag":
        person = UserFactory(is_staff=True)
    else:
        person = staff_user(who, ANQING)
    assert login(person).get(reverse("security:events")).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("security:events"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_superuser_searches_by_account_event_address_and_period(login):
    person, other = UserFactory(), UserFactory()
    sign_in(Client(REMOTE_ADDR="10.7.7.7"), person.username, "wrong-password")
    sign_in(Client(REMOTE_ADDR="10.8.8.8"), other.username, "wrong-password")
    sign_in(Client(REMOTE_ADDR="10.7.7.7"), person.username)
    SecurityEvent.objects.create(event=Event.LOGIN_FAILED, account=person, username=person.username, created_at=timezone.now() - timedelta(days=10))
    client = login(UserFactory(is_superuser=True, is_staff=True))
    url = reverse("security:events")
    today = timezone.localdate().isoformat()

    def rows(**query):
        page = client.get(url, query)
        assert page.status_code == 200
        return list(page.context["page"])

    assert {e.account for e in rows(user=person.phone)} == {person}
    assert len(rows(user=person.username, event=Event.LOGIN_FAILED)) == 2
    assert len(rows(user=person.username, event=Event.LOGIN_FAILED, date_from=today, date_to=today)) == 1
    assert {e.account for e in rows(address="10.8.8.8")} == {other}
    assert rows(event=Event.LOGIN, address="10.8.8.8") == []
    page = client.get(url, {"address": "not-an-address", "date_from": today, "date_to": "2000-01-01"}).content.decode()
    assert "请输入 IPv4 或 IPv6 地址" in page and "开始日期晚于结束日期" in page
    assert "安全审计日志" in client.get(url).content.decode()


def test_the_search_page_costs_the_same_whatever_the_number_of_events(login):
    client = login(UserFactory(is_superuser=True, is_staff=True))
    url = reverse("security:events")
    people = UserFactory.create_batch(3)
    for person in people:
        SecurityEvent.objects.create(event=Event.LOGIN, actor=person, account=person, username=person.username)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for person in UserFactory.create_batch(40):
        SecurityEvent.objects.create(event=Event.LOGIN, actor=person, account=person, username=person.username)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url, {"page": 2})
    assert page.status_code == 200 and len(page.context["page"]) > 0
    assert len(many) == len(few)
