"""Deleting an account on request (PIPL Art. 47) and removing members without losing the volunteer-hour history:
the 号长 asks, the registering committee's staff carry it out or refuse; the person is erased, the programme's
records stay."""

from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse

from apps.accounts.models import ANONYMISED_NAME
from apps.activities.models import ActivityReport, VolunteerHours
from apps.audit.models import AuditEntry
from apps.collectives.models import Collective
from apps.evaluations.models import Honor
from apps.notifications.models import Notification
from apps.privacy.models import DeletionRequest, DeletionStatus

from .activity_factories import ReportFactory
from .conftest import committee
from .evaluation_factories import HonorFactory, eligible_collective
from .factories import PASSWORD, CollectiveFactory, MembershipFactory, UserFactory
from .forms_data import collective_post
from .test_activities import report_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def named(leader):
    """A named collective of 大观区 led by `leader`, with its history."""
    honor = HonorFactory(application__collective=eligible_collective(leader_account=leader))
    collective = honor.collective
    AuditEntry.objects.create(content_type_id=_ct(collective), object_id=collective.pk, actor=leader, action="submit", to_state="submitted")
    return collective


def _ct(obj):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk


def ask(client, reason="不再担任号长"):
    return client.post(reverse("privacy:request_deletion"), {"reason": reason}, follow=True)


def test_a_leader_asks_and_the_request_waits_on_the_registering_committee(login, leader, named):
    client = login(leader)
    assert "申请注销我的账户" in client.get(reverse("privacy:my_data")).content.decode()
    page = ask(client).content.decode()
    assert "申请已提交团委" in page
    request = DeletionRequest.objects.get(account=leader)
    assert (request.status, request.node, request.reason) == (DeletionStatus.REQUESTED, committee("340803"), "不再担任号长")
    entry = AuditEntry.objects.for_object(request).get()
    assert (entry.action, entry.actor, entry.to_state) == ("request", leader, "requested")

    assert "您的注销申请正在等待团委办理" in ask(client).content.decode()
    assert DeletionRequest.objects.filter(account=leader).count() == 1


def test_a_reason_is_required(login, leader, named):
    page = ask(login(leader), reason="  ").content.decode()
    assert "请说明申请注销账户的原因" in page
    assert not DeletionRequest.objects.exists()


def test_collectives_under_two_committees_go_to_their_nearest_common_committee(login, leader):
    CollectiveFactory(leader_account=leader)  # 大观区 (340803)
    CollectiveFactory(leader_account=leader, region_id="340822", registering_node=committee("340822"))
    ask(login(leader))
    assert DeletionRequest.objects.get().node == committee("340800")


def test_staff_cannot_ask_here(login, staff_user):
    client = login(staff_user("reviewer", "340803"))
    assert client.post(reverse("privacy:request_deletion"), {"reason": "离职"}).status_code == 403
    assert "工作人员账户由所在团委停用" in client.get(reverse("privacy:my_data")).content.decode()


# Who may see and handle the requests: every role against every view and step ------------------------------------

MATRIX = [
    ("reviewer", "340803", True),
    ("admin", "340803", True),
    ("admin", "340800", True),  # the city above
    ("viewer", "340803", False),
    ("expert", "340803", False),
    ("reviewer", "340822", False),  # another county
    ("admin", "国网安庆供电公司", False),
]


@pytest.mark.parametrize(("role", "where", "may_handle"), MATRIX)
def test_every_role_against_the_queue_the_detail_and_the_steps(login, staff_user, leader, named, role, where, may_handle):
    from apps.privacy import workflow

    request = workflow.request_deletion(leader, "不再担任号长")
    client = login(staff_user(role, where))
    queue = client.get(reverse("privacy:queue"))
    detail = client.get(reverse("privacy:detail", args=[request.pk]))
    step = client.post(reverse("privacy:step", args=[request.pk, "refuse"]), {"comment": "需保留"})
    request.refresh_from_db()
    if may_handle:
        assert queue.status_code == 200 and leader.real_name in queue.content.decode()
        assert detail.status_code == 200 and leader.phone in detail.content.decode()  # in full on the detail page
        assert leader.phone not in queue.content.decode() and leader.phone[:3] + "****" in queue.content.decode()
        assert step.status_code == 302 and request.status == DeletionStatus.REFUSED
    elif role in ("viewer", "expert"):
        assert (queue.status_code, detail.status_code, step.status_code) == (403, 403, 403)
        assert request.status == DeletionStatus.REQUESTED
    else:
        assert queue.status_code == 200 and leader.real_name not in queue.content.decode()
        assert (detail.status_code, step.status_code) == (404, 404)
        assert request.status == DeletionStatus.REQUESTED


def test_a_leader_and_an_anonymous_visitor_reach_no_staff_view(client, login, leader, named):
    from apps.privacy import workflow

    request = workflow.request_deletion(leader, "不再担任号长")
    for url in (reverse("privacy:queue"), reverse("privacy:detail", args=[request.pk])):
        assert client.get(url).status_code == 302  # to the login page
    other = login(UserFactory())
    assert other.get(reverse("privacy:queue")).status_code == 403
    assert other.post(reverse("privacy:step", args=[request.pk, "carry_out"])).status_code == 403
    request.refresh_from_db()
    assert request.status == DeletionStatus.REQUESTED


def test_the_menu_shows_the_queue_to_those_who_handle_it(login, staff_user):
    assert reverse("privacy:queue") in login(staff_user("reviewer", "340803")).get(reverse("workbench:todo")).content.decode()
    assert reverse("privacy:queue") not in login(staff_user("viewer", "340803")).get(reverse("workbench:todo")).content.decode()


# Carrying it out ----------------------------------------------------------------------------------------------------


def test_carrying_it_out_erases_the_person_and_keeps_the_records(client, login, staff_user, leader, named):
    from apps.privacy import workflow

    report = ReportFactory(collective=named, title="开放日")
    history_before = AuditEntry.objects.filter(actor=leader).count()
    request = workflow.request_deletion(leader, "不再担任号长")
    reviewer = staff_user("reviewer", "340803")
    staff = login(reviewer)
    response = staff.post(reverse("privacy:step", args=[request.pk, "carry_out"]), follow=True)
    assert "账户已匿名化注销" in response.content.decode()

    leader.refresh_from_db()
    assert leader.username == f"deleted-{leader.pk}" and leader.real_name == ANONYMISED_NAME
    assert (leader.phone, leader.email, leader.first_name, leader.last_name) == (None, "", "", "")
    assert not leader.has_usable_password() and not leader.is_active
    assert not Notification.objects.filter(recipient=leader).exists()
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (DeletionStatus.DONE, reviewer)
    steps = [(e.action, e.from_state, e.to_state, e.actor) for e in AuditEntry.objects.for_object(request)]
    assert steps == [("request", "", "requested", leader), ("carry_out", "requested", "done", reviewer)]
    assert AuditEntry.objects.for_object(leader).filter(action="anonymise", actor=reviewer).exists()

    # The programme's records stay: the collective, its public page, its title, its reports and its history.
    assert AuditEntry.objects.filter(actor=leader).count() == history_before + 1  # and the request
    named.refresh_from_db()
    assert named.leader_account == leader and named.status == "registered"
    assert Honor.objects.filter(collective=named).exists()
    timeline = staff.get(reverse("collectives:staff_detail", args=[named.pk])).content.decode()
    assert ANONYMISED_NAME in timeline  # the collective's history names the account as it is now
    client.logout()
    page = client.get(reverse("collectives:public_page", args=[named.pk])).content.decode()
    assert named.name in page and "开放日" in page
    honor = named.honors.get()
    assert client.get(reverse("evaluations:verify", args=[honor.certificate_number])).status_code == 200
    assert ActivityReport.objects.filter(pk=report.pk).exists()

    # Nobody signs in to it again, not even by its placeholder username.
    client.post(reverse("login"), {"username": f"deleted-{leader.pk}", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_the_person_cannot_sign_in_after_it(client, leader, named):
    from apps.privacy import workflow

    old_username, old_phone = leader.username, leader.phone
    request = workflow.request_deletion(leader, "不再担任号长")
    workflow.perform("carry_out", request.pk, MembershipFactory(role="reviewer", node=committee("340803")).user)
    for login_name in (old_username, old_phone):
        response = client.post(reverse("login"), {"username": login_name, "password": PASSWORD})
        assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_refusing_needs_a_reason_and_tells_the_person(login, staff_user, leader, named):
    from apps.privacy import workflow

    request = workflow.request_deletion(leader, "不再担任号长")
    staff = login(staff_user("admin", "340803"))
    page = staff.post(reverse("privacy:step", args=[request.pk, "refuse"]), {"comment": ""}, follow=True).content.decode()
    assert "请填写申请人将看到的理由" in page
    request.refresh_from_db()
    assert request.status == DeletionStatus.REQUESTED
    staff.post(reverse("privacy:step", args=[request.pk, "refuse"]), {"comment": "集体正在申报，请先移交号长"})
    request.refresh_from_db()
    assert request.status == DeletionStatus.REFUSED
    assert Notification.objects.filter(recipient=leader, subject="您的账户注销申请未获同意").exists()
    leader.refresh_from_db()
    assert leader.is_active and leader.real_name != ANONYMISED_NAME
    mine = login(leader).get(reverse("privacy:my_data")).content.decode()
    assert "不予注销" in mine and "集体正在申报，请先移交号长" in mine


def test_a_decided_request_answers_the_second_click_with_a_message(login, staff_user, leader, named):
    from apps.privacy import workflow

    request = workflow.request_deletion(leader, "不再担任号长")
    staff = login(staff_user("admin", "340803"))
    staff.post(reverse("privacy:step", args=[request.pk, "carry_out"]))
    response = staff.post(reverse("privacy:step", args=[request.pk, "refuse"]), {"comment": "晚了"}, follow=True)
    assert response.status_code == 200 and "无法再“不予注销”" in response.content.decode()
    assert staff.post(reverse("privacy:step", args=[request.pk, "unknown"])).status_code == 404


# Removing a member keeps the hours ----------------------------------------------------------------------------------


def volunteer_report(collective, hours):
    report = ReportFactory(collective=collective, kind="volunteer", title="义诊")
    VolunteerHours.objects.bulk_create(VolunteerHours(report=report, member=m, hours=h) for m, h in hours.items())
    report.volunteer_hours = sum(hours.values())
    report.save()  # the post page's total follows (apps/directory signals)
    return report


def assert_totals_equal_rows(collective):
    collective.refresh_from_db()
    for report in ActivityReport.objects.filter(collective=collective):
        assert report.volunteer_hours == report.hours.aggregate(total=Sum("hours"))["total"]
    assert collective.volunteer_hours == VolunteerHours.objects.filter(report__collective=collective).aggregate(total=Sum("hours"))["total"]


def test_removing_a_member_on_the_members_page_keeps_their_hours_anonymised(login, leader):
    collective = eligible_collective(leader_account=leader)
    first, second, *_ = collective.members.all()
    report = volunteer_report(collective, {first: Decimal(3), second: Decimal("2.5")})
    kept = [m for m in collective.members.all() if m != second]
    rows = "".join(f"{m.name}\t{m.birth_date}\t{m.position}\t{'是' if m.is_leader else '否'}\n" for m in kept)
    client = login(leader)
    url = reverse("collectives:members", args=[collective.pk])
    preview = client.post(url, {"rows": rows, "mode": "replace", "action": "preview"})
    assert "其志愿服务时长保留在活动报告中" in preview.content.decode()
    client.post(url, {"rows": preview.context["change"].rows_to_confirm, "mode": "replace", "action": "confirm", "consent": "on"})
    assert not collective.members.filter(pk=second.pk).exists()
    assert dict(VolunteerHours.objects.filter(report=report).values_list("member", "hours")) == {first.pk: Decimal(3), None: Decimal("2.5")}
    assert_totals_equal_rows(collective)
    assert collective.volunteer_hours == Decimal("5.5")
    page = client.get(reverse("activities:my_reports", args=[collective.pk])).content.decode()
    assert "已移除的成员" in page and second.name not in page


def test_removing_a_member_on_the_collective_form_keeps_their_hours(login, leader):
    collective = eligible_collective(leader_account=leader)
    members = list(collective.members.all())
    volunteer_report(collective, {members[1]: Decimal(2)})
    rows = [(m.name, m.birth_date.isoformat(), m.position, m.is_leader) for m in members]
    post = collective_post(members=rows, existing=[m.pk for m in members])
    post["members-1-DELETE"] = "on"
    assert login(leader).post(reverse("collectives:edit", args=[collective.pk]), post).status_code == 302
    assert not Collective.objects.get(pk=collective.pk).members.filter(pk=members[1].pk).exists()
    assert VolunteerHours.objects.get().member is None
    assert_totals_equal_rows(collective)


def test_editing_a_report_after_a_removal_keeps_the_removed_members_hours(login, leader):
    collective = eligible_collective(leader_account=leader)
    first, second, *_ = collective.members.all()
    report = volunteer_report(collective, {first: Decimal(3), second: Decimal(2)})
    second.delete()
    post = report_post(collective)  # 3 h for the first member, 2.5 h for the next one listed now
    client = login(leader)
    response = client.post(reverse("activities:report_edit", args=[collective.pk, report.pk]), post)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.hours.filter(member=None).get().hours == Decimal(2)
    assert report.volunteer_hours == Decimal("7.5")
    assert_totals_equal_rows(collective)


def test_staff_see_the_removed_members_hours_without_a_name(login, staff_user, leader):
    collective = eligible_collective(leader_account=leader)
    first, second, *_ = collective.members.all()
    report = volunteer_report(collective, {second: Decimal(2)})
    second.delete()
    page = login(staff_user("reviewer", "340803")).get(reverse("activities:staff_report", args=[report.pk])).content.decode()
    assert "已移除的成员（已匿名化）：2.0" in page


def test_the_queue_costs_a_constant_number_of_queries(login, staff_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.privacy import workflow

    client = login(staff_user("reviewer", "340803"))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("privacy:queue")).status_code == 200
        return len(queries)

    workflow.request_deletion(CollectiveFactory().leader_account, "离职")
    one = count()
    for _ in range(4):
        workflow.request_deletion(CollectiveFactory().leader_account, "离职")
    assert count() == one
