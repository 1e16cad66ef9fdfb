"""Volunteer hours that can be trusted (apps/activities/workflow.py): points at the rate of the service's day,
totals equal to their rows, implausible hours verified by staff, points in the roll-ups, the service records."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from apps.activities.models import ActivityReport, HoursCheck, PointsRule, VolunteerHours
from apps.audit.models import AuditEntry
from apps.notifications.models import Notification
from apps.organizations.models import Node

from .conftest import committee
from .evaluation_factories import eligible_collective
from .factories import MembershipFactory
from .test_activities import report_post

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def collective():
    return eligible_collective()


def file_report(client, collective, **overrides):
    response = client.post(reverse("activities:report_create", args=[collective.pk]), report_post(collective, **overrides))
    assert response.status_code == 302, response.content.decode()[:2000]
    return ActivityReport.objects.filter(collective=collective).order_by("-pk").first()


def hours_of(collective, **hours_by_index):
    members = list(collective.members.all())
    data = {f"hours_{member.pk}": "" for member in members}
    data.update({f"hours_{members[int(index[1:])].pk}": value for index, value in hours_by_index.items()})
    return data


def page_rows(client, collective):
    return client.get(reverse("activities:my_reports", args=[collective.pk])).context["member_hours"]


def national_admin():
    return MembershipFactory(role="admin", node=Node.objects.get(depth=1)).user


# Points at the rate of the day --------------------------------------------------------------------------------


def test_a_new_rate_leaves_points_already_earned_as_they_were(login, collective):
    own = login(collective.leader_account)
    yesterday = file_report(own, collective)  # 3 + 2.5 hours, held yesterday, at the default 25
    assert yesterday.volunteer_points == Decimal("137.5")

    login(national_admin()).post(reverse("activities:points_rule"), {"points_per_hour": "40", "effective_from": TODAY.isoformat()})
    assert PointsRule.rate_on(TODAY) == 40 and PointsRule.rate_on(TODAY - timedelta(days=1)) == 25

    today = file_report(login(collective.leader_account), collective, held_on=TODAY.isoformat())
    yesterday.refresh_from_db()
    assert yesterday.volunteer_points == Decimal("137.5")
    assert today.volunteer_points == Decimal("220.0")
    own = login(collective.leader_account)
    rows = {row["name"]: row["points"] for row in page_rows(own, collective)}
    assert sorted(rows.values()) == [Decimal("162.5"), Decimal("195")]  # 2.5 h and 3 h, each at 25 and at 40


def test_a_rate_for_a_past_day_is_refused_and_the_change_is_audited(login):
    admin = login(national_admin())
    refused = admin.post(reverse("activities:points_rule"), {"points_per_hour": "40", "effective_from": (TODAY - timedelta(days=1)).isoformat()})
    assert refused.status_code == 200 and "不能适用于已发生的服务" in refused.content.decode()
    assert not PointsRule.objects.exists()
    admin.post(reverse("activities:points_rule"), {"points_per_hour": "30", "effective_from": (TODAY + timedelta(days=30)).isoformat()})
    entry = AuditEntry.objects.get(action="points_rate")
    assert entry.changes == {"points_per_hour": [25, 30]}


@pytest.mark.parametrize("role, where", [("admin", "340000"), ("reviewer", "000000"), ("viewer", "000000"), ("expert", "000000")])
def test_only_the_national_admin_sets_the_points_rate(login, role, where):
    node = Node.objects.get(depth=1) if where == "000000" else committee(where)
    user = login(MembershipFactory(role=role, node=node).user)
    assert user.get(reverse("activities:points_rule")).status_code == 403
    assert user.post(reverse("activities:points_rule"), {"points_per_hour": "1", "effective_from": TODAY.isoformat()}).status_code == 403
    assert not PointsRule.objects.exists()


def test_the_leader_may_not_set_the_points_rate(login, collective, client):
    assert login(collective.leader_account).get(reverse("activities:points_rule")).status_code == 403
    client.logout()
    assert client.get(reverse("activities:points_rule")).status_code == 302


# Totals equal their rows --------------------------------------------------------------------------------------


def test_totals_follow_the_rows_when_hours_change(login, collective):
    own = login(collective.leader_account)
    report = file_report(own, collective)
    own.post(reverse("activities:report_edit", args=[collective.pk, report.pk]), {**report_post(collective), **hours_of(collective, m0="1.5")})
    report.refresh_from_db()
    collective.refresh_from_db()
    rows = VolunteerHours.objects.filter(report=report)
    assert report.volunteer_hours == sum(row.hours for row in rows) == Decimal("1.5")
    assert report.volunteer_points == sum(row.points for row in rows) == Decimal("37.5")
    assert collective.volunteer_hours == Decimal("1.5")


# Implausible hours -------------------------------------------------------------------------------------------


@pytest.fixture
def implausible(login, collective):
    """Two reports the same day: the first member serves 8 + 6 hours, above the 12 a day one person plausibly can."""
    own = login(collective.leader_account)
    first = file_report(own, collective, **hours_of(collective, m0="8"))
    second = file_report(own, collective, title="第二场义诊", **hours_of(collective, m0="6"))
    first.refresh_from_db()
    second.refresh_from_db()
    return first, second


def test_hours_above_a_days_plausible_total_are_flagged_for_staff(login, staff_user, implausible):
    first, second = implausible
    assert first.hours_check == HoursCheck.NONE
    assert second.hours_check == HoursCheck.FLAGGED and "当日14小时" in second.hours_check_reason
    reviewer = login(staff_user("reviewer", "340803"))
    todo = reviewer.get(reverse("workbench:todo")).content.decode()
    assert "待核实的志愿服务时长" in todo
    queue = reviewer.get(reverse("activities:staff_reports") + "?hours=check")
    assert list(queue.context["page"]) == [second]


def test_a_month_above_the_plausible_total_is_flagged(login, collective, settings):
    settings.VOLUNTEER_HOURS_PER_MONTH = 10
    own = login(collective.leader_account)
    file_report(own, collective, held_on=(TODAY.replace(day=1)).isoformat(), **hours_of(collective, m0="6"))
    second = file_report(own, collective, held_on=TODAY.isoformat(), **hours_of(collective, m0="6"))
    second.refresh_from_db()
    assert second.hours_check == HoursCheck.FLAGGED and f"{TODAY:%Y-%m}" in second.hours_check_reason


def test_staff_ask_for_evidence_the_collective_adds_it_and_staff_verify(login, staff_user, implausible, collective):
    _, report = implausible
    reviewer = staff_user("reviewer", "340803")
    step = lambda name, **data: login(reviewer).post(reverse("activities:staff_hours_step", args=[report.pk, name]), data)

    step("request_evidence")  # no reason: refused
    report.refresh_from_db()
    assert report.hours_check == HoursCheck.FLAGGED
    step("request_evidence", comment="请上传签到表")
    report.refresh_from_db()
    assert report.hours_check == HoursCheck.EVIDENCE
    assert Notification.objects.filter(recipient=collective.leader_account, body="请上传签到表").exists()

    # Past the 30-day window the collective can still answer a request for evidence.
    ActivityReport.objects.filter(pk=report.pk).update(created_at=timezone.now() - timedelta(days=60))
    own = login(collective.leader_account)
    own.post(
        reverse("activities:report_edit", args=[collective.pk, report.pk]),
        {**report_post(collective, title="第二场义诊", narrative="附签到表：上午、下午两场。"), **hours_of(collective, m0="6")},
    )
    report.refresh_from_db()
    assert report.hours_check == HoursCheck.FLAGGED
    assert AuditEntry.objects.filter(object_id=report.pk, action="evidence_provided").exists()

    step("confirm_hours")
    report.refresh_from_db()
    assert report.hours_check == HoursCheck.CONFIRMED and report.volunteer_hours == Decimal("6")
    assert list(AuditEntry.objects.filter(object_id=report.pk, content_type__model="activityreport").values_list("action", flat=True)) == [
        "hours_flagged", "request_evidence", "evidence_provided", "confirm_hours"
    ]


def test_hours_not_recognised_leave_the_totals_and_the_audit_keeps_them(login, staff_user, implausible, collective):
    _, report = implausible
    login(staff_user("admin", "340800")).post(
        reverse("activities:staff_hours_step", args=[report.pk, "reject_hours"]), {"comment": "无佐证材料"}
    )
    report.refresh_from_db()
    collective.refresh_from_db()
    assert report.hours_check == HoursCheck.REJECTED
    assert report.volunteer_hours == 0 and not report.hours.exists()
    assert collective.volunteer_hours == Decimal("8")  # the first report's hours stay
    entry = AuditEntry.objects.get(object_id=report.pk, action="reject_hours")
    member = collective.members.order_by("pk").first()
    assert entry.changes[member.name] == ["6.0", "0"] and entry.comment == "无佐证材料"


@pytest.mark.parametrize(
    "role, where, status",
    [("viewer", "340803", 403), ("expert", "340803", 403), ("reviewer", "340822", 403), ("admin", "340100", 403)],
)
def test_only_staff_who_moderate_the_collectives_reports_take_the_steps(login, staff_user, implausible, role, where, status):
    _, report = implausible
    response = login(staff_user(role, where)).post(
        reverse("activities:staff_hours_step", args=[report.pk, "confirm_hours"]), {"comment": ""}
    )
    report.refresh_from_db()
    assert response.status_code == status and report.hours_check == HoursCheck.FLAGGED


def test_the_leader_and_the_public_cannot_verify_their_own_hours(login, implausible, collective, client):
    _, report = implausible
    url = reverse("activities:staff_hours_step", args=[report.pk, "confirm_hours"])
    assert login(collective.leader_account).post(url).status_code == 403
    client.logout()
    assert client.post(url).status_code == 302  # to the login page
    report.refresh_from_db()
    assert report.hours_check == HoursCheck.FLAGGED


def test_an_unknown_step_is_a_404_and_a_step_out_of_state_is_refused(login, staff_user, implausible):
    first, second = implausible
    reviewer = login(staff_user("reviewer", "340803"))
    assert reviewer.post(reverse("activities:staff_hours_step", args=[second.pk, "approve"])).status_code == 404
    response = reviewer.post(reverse("activities:staff_hours_step", args=[first.pk, "confirm_hours"]), follow=True)
    first.refresh_from_db()
    assert first.hours_check == HoursCheck.NONE and "无法再执行此操作" in response.content.decode()


# Roll-ups and records ----------------------------------------------------------------------------------------


def test_committee_roll_ups_show_points_totals(login, staff_user, collective):
    file_report(login(collective.leader_account), collective)
    response = login(staff_user("viewer", "340800")).get(reverse("activities:rollup"))
    assert response.context["totals"]["volunteer_points"] == Decimal("137.5")
    assert "137.5" in response.content.decode()
    export = login(staff_user("viewer", "340800")).get(reverse("activities:rollup") + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).worksheets[0]
    assert "志愿积分" in [cell.value for cell in sheet[1]]


def test_the_collective_downloads_its_service_records(login, collective):
    own = login(collective.leader_account)
    report = file_report(own, collective)
    response = own.get(reverse("activities:service_records", args=[collective.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("志愿者姓名", "证件类型", "证件号码", "服务项目", "服务日期", "服务时长（小时）")
    names = {member.name for member in collective.members.all()}
    assert len(rows) == 3 and {row[0] for row in rows[1:]} <= names and rows[1][3] == report.title

    other = eligible_collective()
    assert login(other.leader_account).get(reverse("activities:service_records", args=[collective.pk])).status_code == 404
