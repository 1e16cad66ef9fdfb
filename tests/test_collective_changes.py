"""Loss of title and composition (domain.md §4, §6): registration blocked while the members fail the rules, a named
collective's changes waiting for its committee, the composition flag, and dissolution — each through HTTP."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.audit.models import AuditEntry
from apps.collectives.models import ChangeRequest, ChangeStatus, Collective, Member, Status
from apps.evaluations.models import Honor
from apps.evaluations.workflow import refresh_honor_level
from apps.notifications.models import Notification

from .evaluation_factories import HonorFactory, eligible_collective
from .factories import CollectiveFactory, UserFactory
from .forms_data import collective_post

pytestmark = pytest.mark.django_db

YOUNG, OLD = date(1998, 3, 2), date(1975, 6, 6)


def named_collective():
    """A registered collective of 大观区 holding a city title of 安庆 (named by 340800)."""
    honor = HonorFactory()
    refresh_honor_level(honor.collective)
    return Collective.objects.get(pk=honor.collective_id)


def member_rows(collective, *extra):
    """The collective's members as pasted rows, plus `extra` (name, birth date) rows."""
    rows = [f"{m.name}\t{m.birth_date.isoformat()}\t{m.position}\t{'是' if m.is_leader else '否'}" for m in collective.members.all()]
    rows += [f"{name}\t{birth.isoformat()}\t客户经理\t否" for name, birth in extra]
    return "\n".join(rows)


def paste(client, collective, rows, mode="replace"):
    url = reverse("collectives:members", args=[collective.pk])
    return client.post(url, {"rows": rows, "mode": mode, "action": "confirm", "consent": "on"}, follow=True)


def edit_post(collective, **overrides):
    members = [(m.name, m.birth_date.isoformat(), m.position, m.is_leader) for m in collective.members.all()]
    return collective_post(members=members, existing=[m.pk for m in collective.members.all()], **{"name": collective.name, **overrides})


def messages_of(response):
    return " ".join(str(message) for message in response.context["messages"])


# Registration blocked while the rules fail ------------------------------------------------------------------------


def test_submission_is_refused_with_the_reason_of_each_failed_rule(login, leader):
    collective = CollectiveFactory(leader_account=leader, members=[YOUNG, OLD, OLD, OLD, OLD])
    client = login(leader)
    page = client.get(reverse("collectives:my_collective", args=[collective.pk])).content.decode()
    assert "5人（要求6至200人）" in page
    response = client.post(reverse("collectives:submit", args=[collective.pk]), follow=True)
    collective.refresh_from_db()
    assert collective.status == "draft"
    text = messages_of(response)
    assert "成员人数：5人" in text and "35周岁以下成员占比" in text
    assert "号长年龄" not in text  # the 号长 (the first member) is young: only failed rules are named


def test_a_collective_within_the_rules_is_submitted(login, leader):
    collective = CollectiveFactory(leader_account=leader)
    login(leader).post(reverse("collectives:submit", args=[collective.pk]))
    collective.refresh_from_db()
    assert collective.status == "submitted"


# A named collective's changes ------------------------------------------------------------------------------------


def test_a_named_collectives_new_name_waits_for_the_committee(login, staff_user):
    collective = named_collective()
    old_name = collective.name
    client = login(collective.leader_account)
    response = client.post(reverse("collectives:edit", args=[collective.pk]), edit_post(collective, name="新名称班组", address="新地址1号"), follow=True)
    assert "等待" in messages_of(response)
    collective.refresh_from_db()
    assert (collective.name, collective.address) == (old_name, "新地址1号")  # the other data saves at once
    change = ChangeRequest.objects.get(collective=collective)
    assert (change.status, change.name, change.member_rows) == ("pending", "新名称班组", "")
    public = client.get(collective.get_absolute_url()).content.decode()
    assert old_name in public and "新名称班组" not in public

    reviewer = login(staff_user("reviewer", "340803"))
    detail = reviewer.get(reverse("collectives:change_detail", args=[change.pk])).content.decode()
    assert "新名称班组" in detail
    assert reviewer.post(reverse("collectives:change_approve", args=[change.pk]), {"comment": ""}).status_code == 200  # confirmation
    reviewer.post(reverse("collectives:change_approve", args=[change.pk]), {"comment": "", "confirmed": "1"})
    collective.refresh_from_db()
    change.refresh_from_db()
    assert (collective.name, change.status) == ("新名称班组", "approved")
    assert "新名称班组" in reviewer.get(collective.get_absolute_url()).content.decode()
    entry = AuditEntry.objects.for_object(collective).get(action="approve_change")
    assert entry.changes == {"name": [old_name, "新名称班组"]}
    assert Notification.objects.filter(recipient=collective.leader_account, subject__contains="新名称班组").exists()


def test_a_returned_change_leaves_the_collective_as_it_was(login, staff_user):
    collective = named_collective()
    old_name = collective.name
    login(collective.leader_account).post(reverse("collectives:edit", args=[collective.pk]), edit_post(collective, name="新名称班组"))
    change = ChangeRequest.objects.get(collective=collective)
    reviewer = login(staff_user("reviewer", "340803"))
    refused = reviewer.post(reverse("collectives:change_return", args=[change.pk]), {"comment": ""}, follow=True)
    assert ChangeRequest.objects.get(pk=change.pk).status == "pending"
    assert "必填" in messages_of(refused)
    reviewer.post(reverse("collectives:change_return", args=[change.pk]), {"comment": "名称与营业执照不符"})
    collective.refresh_from_db()
    change.refresh_from_db()
    assert (collective.name, change.status, change.comment) == (old_name, "returned", "名称与营业执照不符")
    assert AuditEntry.objects.for_object(collective).filter(action="return_change", comment="名称与营业执照不符").exists()
    assert Notification.objects.filter(recipient=collective.leader_account, body="名称与营业执照不符").exists()


def test_a_second_change_waits_for_the_first(login):
    collective = named_collective()
    client = login(collective.leader_account)
    client.post(reverse("collectives:edit", args=[collective.pk]), edit_post(collective, name="新名称班组"))
    response = client.post(reverse("collectives:edit", args=[collective.pk]), edit_post(collective, name="又一个名称"), follow=True)
    assert response.status_code == 200
    assert "已有一项变更在等待" in messages_of(response)
    assert ChangeRequest.objects.filter(collective=collective).count() == 1


def test_a_named_collectives_members_change_on_approval(login, staff_user):
    collective = named_collective()
    client = login(collective.leader_account)
    paste(client, collective, member_rows(collective, ("新成员甲", YOUNG)))
    assert Member.objects.filter(collective=collective).count() == 6  # nothing changes before the decision
    change = ChangeRequest.objects.get(collective=collective)
    assert change.member_rows and not change.breaks_rules
    reviewer = login(staff_user("reviewer", "340803"))
    detail = reviewer.get(reverse("collectives:change_detail", args=[change.pk])).content.decode()
    assert "新成员甲" in detail
    reviewer.post(reverse("collectives:change_approve", args=[change.pk]), {"confirmed": "1"})
    collective.refresh_from_db()
    assert collective.member_count == 7
    assert collective.members.filter(name="新成员甲").exists()
    assert not collective.outside_rules


def test_a_change_that_breaks_the_rules_is_flagged_and_once_approved_the_leader_is_told(login, staff_user):
    collective = named_collective()
    young = [m for m in collective.members.all() if m.birth_date > date(1990, 1, 1) and not m.is_leader]
    client = login(collective.leader_account)
    paste(client, collective, "\n".join(member_rows(collective).splitlines()[: 6 - len(young)]))
    change = ChangeRequest.objects.get(collective=collective)
    assert change.breaks_rules
    reviewer = login(staff_user("reviewer", "340803"))
    flagged = reviewer.get(reverse("collectives:change_queue"), {"breaks_rules": "true"}).content.decode()
    assert collective.name in flagged
    reviewer.post(reverse("collectives:change_approve", args=[change.pk]), {"confirmed": "1"})
    collective.refresh_from_db()
    assert collective.outside_rules
    assert Notification.objects.filter(recipient=collective.leader_account, subject__contains="成员已不符合").exists()
    assert collective.name in reviewer.get(reverse("collectives:staff_queue"), {"status": "registered", "outside_rules": "true"}).content.decode()
    assert collective.name not in reviewer.get(reverse("collectives:staff_queue"), {"status": "registered", "outside_rules": "false"}).content.decode()
    workspace = login(collective.leader_account).get(reverse("collectives:my")).content.decode()
    assert "成员已不符合" in workspace


# The composition flag of an aspiring collective ------------------------------------------------------------------


def test_an_aspiring_collective_falling_below_six_members_is_flagged_at_once(login):
    collective = eligible_collective()
    client = login(collective.leader_account)
    paste(client, collective, "\n".join(member_rows(collective).splitlines()[:5]))
    collective.refresh_from_db()
    assert (collective.member_count, collective.outside_rules) == (5, True)
    assert AuditEntry.objects.for_object(collective).filter(action="composition").exists()
    assert Notification.objects.filter(recipient=collective.leader_account, subject__contains="成员已不符合").count() == 1
    paste(client, collective, member_rows(collective, ("新成员乙", YOUNG)))
    collective.refresh_from_db()
    assert (collective.member_count, collective.outside_rules) == (6, False)


def test_a_collective_whose_member_just_turned_36_is_flagged_by_the_daily_job(run_tasks):
    from django.utils import timezone

    from civpost import jobs

    from .test_schedule import run_job

    today = timezone.localdate()
    just_36 = today.replace(year=today.year - 36) - timedelta(days=1)
    # Three young of six: a member's 36th birthday yesterday leaves two (33 %).
    collective = eligible_collective(members=[YOUNG, YOUNG, just_36, OLD, OLD, OLD])
    untouched = eligible_collective()
    assert run_job(jobs.composition_checks, run_tasks) == 1
    collective.refresh_from_db()
    untouched.refresh_from_db()
    assert collective.outside_rules and not untouched.outside_rules
    assert Notification.objects.filter(recipient=collective.leader_account).count() == 1
    run_job(jobs.composition_checks, run_tasks)
    assert Notification.objects.filter(recipient=collective.leader_account).count() == 1  # told once


def test_the_command_flags_every_registered_collective_outside_the_rules():
    outside = eligible_collective(members=[YOUNG, YOUNG, OLD, OLD, OLD])
    within = eligible_collective()
    call_command("refresh_composition_flags", stdout=StringIO())
    outside.refresh_from_db()
    within.refresh_from_db()
    assert outside.outside_rules and not within.outside_rules


# Dissolution -----------------------------------------------------------------------------------------------------


def test_the_leader_dissolves_a_named_collective_and_its_titles_end_with_history_kept(login, client):
    collective = named_collective()
    honor = Honor.objects.get(collective=collective)
    leader = login(collective.leader_account)
    url = reverse("collectives:my_dissolve", args=[collective.pk])
    assert "从公开名单中移除" in leader.get(url).content.decode()  # the confirmation page says what will happen
    leader.post(url, {"comment": "营业厅撤并", "confirmed": "1"})
    collective.refresh_from_db()
    honor.refresh_from_db()
    assert (collective.status, collective.dissolution_reason, collective.honor_level) == ("dissolved", "营业厅撤并", "")
    assert collective.delisted_on is not None
    assert honor.status == "revoked" and "营业厅撤并" in honor.revocation_reason
    assert AuditEntry.objects.for_object(honor).filter(action="revoke").exists()
    assert AuditEntry.objects.for_object(collective).filter(action="dissolve", to_state="dissolved").exists()
    client.logout()
    public = client.get(collective.get_absolute_url()).content.decode()
    assert "该集体已于" in public and "注销，不再是青年文明号" in public
    assert "称号已于" not in public  # dissolved, not a revocation of its own
    assert collective.name not in client.get(reverse("directory:directory")).content.decode()


def test_staff_mark_an_aspiring_collective_dissolved(login, staff_user):
    collective = eligible_collective()
    detail = reverse("collectives:staff_detail", args=[collective.pk])
    assert reverse("collectives:staff_dissolve", args=[collective.pk]) not in login(staff_user("viewer", "340803")).get(detail).content.decode()
    reviewer = login(staff_user("reviewer", "340803"))
    assert reverse("collectives:staff_dissolve", args=[collective.pk]) in reviewer.get(detail).content.decode()
    refused = reviewer.post(reverse("collectives:staff_dissolve", args=[collective.pk]), {"comment": "", "confirmed": "1"})
    assert refused.status_code == 200  # the confirmation page again, with the reason asked for
    reviewer.post(reverse("collectives:staff_dissolve", args=[collective.pk]), {"comment": "班组已撤销", "confirmed": "1"})
    collective.refresh_from_db()
    assert collective.status == "dissolved"
    assert Notification.objects.filter(recipient=collective.leader_account, body="班组已撤销").exists()
    again = reviewer.post(reverse("collectives:staff_dissolve", args=[collective.pk]), {"comment": "再次", "confirmed": "1"}, follow=True)
    assert "不能再" in messages_of(again)


def test_dissolution_closes_a_pending_change(login):
    collective = named_collective()
    client = login(collective.leader_account)
    client.post(reverse("collectives:edit", args=[collective.pk]), edit_post(collective, name="新名称班组"))
    client.post(reverse("collectives:my_dissolve", args=[collective.pk]), {"comment": "撤并", "confirmed": "1"})
    assert ChangeRequest.objects.get(collective=collective).status == "returned"


# Who may do each new step (role × step), through HTTP ------------------------------------------------------------

# (role, committee) → may act on a 大观区 collective
MATRIX = [
    ("reviewer", "340803", True),
    ("admin", "340803", True),
    ("viewer", "340803", False),
    ("expert", "340803", False),
    ("reviewer", "340800", True),  # the city above
    ("admin", "340000", True),  # the province above
    ("reviewer", "340822", False),  # another county
    ("admin", "国网安庆供电公司", False),  # an industry unit it did not register with
]


@pytest.mark.parametrize(("role", "where", "may"), MATRIX)
def test_dissolution_by_role(login, staff_user, role, where, may):
    collective = eligible_collective()
    response = login(staff_user(role, where)).post(reverse("collectives:staff_dissolve", args=[collective.pk]), {"comment": "撤并", "confirmed": "1"})
    collective.refresh_from_db()
    assert (collective.status == "dissolved") is may
    if not may:
        assert response.status_code in (403, 404)


@pytest.mark.parametrize(("role", "where", "may"), MATRIX)
@pytest.mark.parametrize("step", ["change_approve", "change_return"])
def test_change_decisions_by_role(login, staff_user, role, where, may, step):
    collective = named_collective()
    login(collective.leader_account).post(reverse("collectives:edit", args=[collective.pk]), edit_post(collective, name="新名称班组"))
    change = ChangeRequest.objects.get(collective=collective)
    response = login(staff_user(role, where)).post(reverse(f"collectives:{step}", args=[change.pk]), {"comment": "理由", "confirmed": "1"})
    change.refresh_from_db()
    assert (change.status != "pending") is may
    if not may:
        assert response.status_code in (403, 404)


@pytest.mark.parametrize("status", ["draft", "submitted", "returned", "dissolved"])
def test_dissolution_only_of_a_registered_collective(login, staff_user, status):
    collective = CollectiveFactory(status=status)
    login(staff_user("reviewer", "340803")).post(reverse("collectives:staff_dissolve", args=[collective.pk]), {"comment": "撤并", "confirmed": "1"})
    collective.refresh_from_db()
    assert collective.status == status


@pytest.mark.parametrize("status", ["approved", "returned"])
def test_a_decided_change_is_not_decided_again(login, staff_user, status):
    collective = named_collective()
    change = ChangeRequest.objects.create(collective=collective, requested_by=collective.leader_account, name="新名称", workplace_unit=collective.workplace_unit, status=status)
    response = login(staff_user("reviewer", "340803")).post(reverse("collectives:change_approve", args=[change.pk]), {"confirmed": "1"}, follow=True)
    assert "已经" in messages_of(response)
    collective.refresh_from_db()
    assert collective.name != "新名称"


@pytest.mark.parametrize("status", Status.staff_visible())
@pytest.mark.parametrize("role", ["viewer", "expert"])
def test_permission_before_state_for_dissolution(login, staff_user, status, role):
    collective = CollectiveFactory(status=status)
    response = login(staff_user(role, "340803")).post(reverse("collectives:staff_dissolve", args=[collective.pk]), {})
    assert response.status_code == 403
    collective.refresh_from_db()
    assert collective.status == status


@pytest.mark.parametrize("status", ChangeStatus.values)
@pytest.mark.parametrize("step", ["change_approve", "change_return"])
def test_permission_before_state_for_change_decisions(login, staff_user, status, step):
    collective = named_collective()
    change = ChangeRequest.objects.create(collective=collective, requested_by=collective.leader_account, name="新名称", workplace_unit=collective.workplace_unit, status=status)
    response = login(staff_user("viewer", "340803")).post(reverse(f"collectives:{step}", args=[change.pk]), {})
    assert response.status_code == 403
    change.refresh_from_db()
    assert change.status == status


def test_another_leader_cannot_dissolve(login):
    collective = eligible_collective()
    response = login(UserFactory()).post(reverse("collectives:my_dissolve", args=[collective.pk]), {"comment": "撤并", "confirmed": "1"})
    assert response.status_code == 404
    collective.refresh_from_db()
    assert collective.status == "registered"


def test_staff_cannot_request_a_change_for_the_collective(login, staff_user):
    collective = named_collective()
    response = login(staff_user("reviewer", "340803")).post(reverse("collectives:edit", args=[collective.pk]), edit_post(collective, name="新名称"))
    assert response.status_code == 404
    assert not ChangeRequest.objects.exists()


def test_anonymous_is_sent_to_login(client):
    for url in [reverse("collectives:change_queue"), reverse("collectives:my_dissolve", args=[1])]:
        assert client.get(url).status_code == 302


# Bulk and query counts ---------------------------------------------------------------------------------------------


def pending_changes(count):
    changes = []
    for index in range(count):
        collective = named_collective()
        changes.append(
            ChangeRequest.objects.create(collective=collective, requested_by=collective.leader_account, name=f"新名称{index}", workplace_unit=collective.workplace_unit)
        )
    return changes


def test_changes_are_approved_in_bulk_each_through_its_step(login, staff_user):
    changes = pending_changes(2)
    reviewer = login(staff_user("reviewer", "340803"))
    confirmation = reviewer.post(reverse("collectives:change_queue_bulk"), {"action": "approve_change", "ids": [c.pk for c in changes]})
    assert confirmation.status_code == 200
    reviewer.post(reverse("collectives:change_queue_bulk"), {"action": "approve_change", "ids": [c.pk for c in changes], "confirmed": "1"})
    assert set(Collective.objects.filter(change_requests__in=changes).values_list("name", flat=True)) == {"新名称0", "新名称1"}
    assert AuditEntry.objects.filter(action="approve_change").count() == 2


def test_a_viewer_cannot_decide_in_bulk(login, staff_user):
    changes = pending_changes(1)
    viewer = login(staff_user("viewer", "340803"))
    response = viewer.post(reverse("collectives:change_queue_bulk"), {"action": "approve_change", "ids": [changes[0].pk], "confirmed": "1"})
    assert response.status_code == 403


def queries(client, url, params=None):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured)


def test_the_change_queue_costs_the_same_whatever_the_number_of_requests(login, staff_user):
    reviewer = login(staff_user("reviewer", "340803"))
    pending_changes(2)
    few = queries(reviewer, reverse("collectives:change_queue"))
    pending_changes(8)
    assert queries(reviewer, reverse("collectives:change_queue")) == few


def test_the_flagged_registrations_cost_the_same_whatever_their_number(login, staff_user):
    reviewer = login(staff_user("reviewer", "340803"))
    params = {"status": "registered", "outside_rules": "true"}
    eligible_collective(outside_rules=True)
    few = queries(reviewer, reverse("collectives:staff_queue"), params)
    for _index in range(8):
        eligible_collective(outside_rules=True)
    assert queries(reviewer, reverse("collectives:staff_queue"), params) == few
