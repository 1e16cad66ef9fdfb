"""On-site inspection (现场考核) through HTTP: the round's admins plan it with a team and its lead, the lead records
the findings and a score, the admins conclude (possibly finding that the collective must rectify) or cancel; every
step is refused to each role lacking it (403) and in each state not allowing it, and each records and notifies."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.evaluations import workflow
from apps.evaluations.actions import BoundStep
from apps.evaluations.enums import AppStatus, InspectionStatus, RoundStage
from apps.evaluations.models import Inspection
from apps.notifications.models import Notification
from apps.rechecks.models import Rectification, RectificationOrigin, RectificationStatus
from apps.rechecks.workflow import default_deadline

from .conftest import committee
from .evaluation_factories import ApplicationFactory, RoundFactory
from .factories import MembershipFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def application():
    """An application of 大观区 (340803) in the review of an 安庆 (340800) city round."""
    return ApplicationFactory(round=RoundFactory(stage=RoundStage.REVIEW), status=AppStatus.REVIEW)


@pytest.fixture
def people(application):
    node = application.round.node
    return {
        "admin": MembershipFactory(role="admin", node=node).user,
        "reviewer": MembershipFactory(role="reviewer", node=node).user,
        "lead": MembershipFactory(role="expert", node=node).user,
        "member": MembershipFactory(role="reviewer", node=node).user,
        "expert": MembershipFactory(role="expert", node=node).user,  # an expert of the round, not on the team
        "viewer": MembershipFactory(role="viewer", node=node).user,
        "county admin": MembershipFactory(role="admin", node=committee("340803")).user,
        "other city admin": MembershipFactory(role="admin", node=committee("340100")).user,
        "leader": application.collective.leader_account,
    }


def plan_url(application):
    return reverse("evaluations:application_inspection", args=[application.pk])


def step_url(inspection, name):
    return reverse("evaluations:inspection_transition", args=[inspection.pk, name])


def plan(client, application, people, **changes):
    data = {"planned_on": (TODAY + timedelta(days=3)).isoformat(), "team": [people["lead"].pk, people["member"].pk], "lead": people["lead"].pk}
    return client.post(plan_url(application), data | changes, follow=True)


def planned(application, people, status=InspectionStatus.PLANNED):
    """An inspection in `status`, its team the lead and the member."""
    inspection = Inspection.objects.create(
        application=application, planned_on=TODAY, lead=people["lead"], recorded_by=people["admin"], status=status,
        inspected_on=TODAY if status != InspectionStatus.PLANNED else None, findings="" if status == InspectionStatus.PLANNED else "窗口整洁",
    )
    inspection.team.set([people["lead"], people["member"]])
    return inspection


STEP_INPUT = {
    "record": {"inspected_on": TODAY.isoformat(), "findings": "服务窗口整洁，承诺公示到位", "score": "88"},
    "conclude": {"conclusion": "考核合格", "rectification_needed": ""},
    "cancel": {"reason": "改期"},
}


def test_an_inspection_is_planned_visited_and_concluded_by_its_team_and_the_rounds_admins(login, application, people):
    admin = login(people["admin"])
    page = admin.get(reverse("evaluations:application_detail", args=[application.pk])).content.decode()
    assert plan_url(application) in page and "安排现场考核" in page
    response = plan(admin, application, people)
    assert "已安排现场考核" in response.content.decode()
    inspection = Inspection.objects.get(application=application)
    assert inspection.status == InspectionStatus.PLANNED and inspection.lead == people["lead"]
    assert set(inspection.team.all()) == {people["lead"], people["member"]}
    assert Notification.objects.filter(recipient__in=[people["lead"], people["member"]], url=inspection.get_absolute_url()).count() == 2
    assert AuditEntry.objects.for_object(application).filter(action="plan", actor=people["admin"]).exists()

    # The lead, an expert who sees nothing of the subtree, finds it among their inspections and records the findings.
    lead = login(people["lead"])
    listing = lead.get(reverse("evaluations:inspection_list")).content.decode()
    assert inspection.get_absolute_url() in listing and "已安排" in listing
    response = lead.post(step_url(inspection, "record"), STEP_INPUT["record"], follow=True)
    assert "已记录现场考核情况" in response.content.decode()
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.VISITED and inspection.score == 88 and inspection.inspected_on == TODAY
    assert Notification.objects.filter(recipient=people["admin"], url=inspection.get_absolute_url()).exists()
    # Until the committee concludes, the lead may correct the findings; the change is recorded.
    lead.post(step_url(inspection, "record"), STEP_INPUT["record"] | {"score": "85"})
    inspection.refresh_from_db()
    assert inspection.score == 85
    assert AuditEntry.objects.for_object(inspection).filter(action="record").last().changes == {"score": [88, 85]}

    response = login(people["admin"]).post(
        step_url(inspection, "conclude"), {"conclusion": "服务承诺公示不全，限期整改", "rectification_needed": "on"}, follow=True
    )
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.CONCLUDED and inspection.rectification_needed
    assert "现场考核已完成" in response.content.decode()
    page = response.content.decode()
    assert "须限期整改" in page and "服务承诺公示不全" in page and "已记录现场考核情况" in page  # the timeline
    assert [entry.to_state for entry in AuditEntry.objects.for_object(inspection)] == ["planned", "visited", "visited", "concluded"]
    assert Notification.objects.filter(recipient=people["member"], subject__contains="现场考核已完成").exists()
    # The finding orders the rectification (one month), shown on the post page.
    rectification = Rectification.objects.get(collective=application.collective)
    assert (rectification.origin, rectification.status) == (RectificationOrigin.INSPECTION, RectificationStatus.ORDERED)
    assert rectification.warning.deadline == default_deadline(TODAY)
    assert "整改中" in login(people["viewer"]).get(application.collective.get_absolute_url()).content.decode()

    # Concluded, the findings are final.
    response = login(people["lead"]).post(step_url(inspection, "record"), STEP_INPUT["record"] | {"score": "99"}, follow=True)
    assert "不能再进行此操作" in response.content.decode()
    inspection.refresh_from_db()
    assert inspection.score == 85


def test_the_admins_cancel_a_planned_inspection_with_a_reason(login, application, people):
    inspection = planned(application, people)
    client = login(people["admin"])
    client.post(step_url(inspection, "cancel"), {"reason": ""})
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.PLANNED
    client.post(step_url(inspection, "cancel"), {"reason": "天气原因改期"})
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.CANCELLED
    assert AuditEntry.objects.for_object(inspection).get(action="cancel").comment == "天气原因改期"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"planned_on": (TODAY - timedelta(days=1)).isoformat()}, "计划日期不能早于今天"),
        ({"lead": "expert"}, "组长须为考核组成员"),
        ({"team": "county admin"}, "有利益冲突"),  # staff of the collective's own committee
        ({"team": "other city admin"}, "有效的选项"),  # not of this round's committees
    ],
)
def test_a_plan_names_a_valid_team_without_conflicts(login, application, people, changes, message):
    changes = {
        field: ([people[value].pk] if field == "team" else people[value].pk) if value in people else value for field, value in changes.items()
    }
    if "team" in changes:
        changes["lead"] = changes["team"][0]
    response = plan(login(people["admin"]), application, people, **changes)
    assert message in response.content.decode()
    assert not Inspection.objects.exists()


def test_the_inspection_page_is_for_its_team_and_the_rounds_admins_only(client, login, application, people):
    inspection = planned(application, people)
    url = inspection.get_absolute_url()
    assert client.get(url).status_code == 302  # to the sign-in page
    for who in ("admin", "lead", "member"):
        assert login(people[who]).get(url).status_code == 200, who
    for who in ("reviewer", "expert", "viewer", "county admin", "other city admin", "leader"):
        assert login(people[who]).get(url).status_code == 403, who


@pytest.mark.parametrize("step", [step.name for step in workflow.INSPECTION_STEPS])
@pytest.mark.parametrize("status", InspectionStatus.values)
def test_every_inspection_step_is_refused_to_each_role_lacking_it_and_in_each_state_not_allowing_it(login, application, people, step, status):
    steps = workflow.INSPECTION_STEPS
    inspection = planned(application, people, status)
    expected = {"record": {"lead"}, "conclude": {"admin"}, "cancel": {"admin"}}[step]
    for who, user in people.items():
        permitted = steps.permitted(user, inspection, step)
        assert permitted is (who in expected), (who, step)
        if permitted and steps.state_allows(inspection, step):
            continue  # taking it is what the flow tests do
        before = AuditEntry.objects.for_object(inspection).count()
        response = login(user).post(BoundStep(steps[step], inspection, steps.route).url, STEP_INPUT[step], follow=True)
        inspection.refresh_from_db()
        assert response.status_code == (200 if permitted else 403), (who, step)
        assert inspection.status == status and AuditEntry.objects.for_object(inspection).count() == before
        if permitted:
            assert "不能再进行此操作" in response.content.decode()


def test_the_inspection_page_shows_exactly_the_steps_each_may_take(login, application, people):
    for status in InspectionStatus.values:
        inspection = planned(application, people, status)
        for who in ("admin", "lead", "member"):
            page = login(people[who]).get(inspection.get_absolute_url()).content.decode()
            for step in workflow.INSPECTION_STEPS:
                shown = step_url(inspection, step.name) in page
                assert shown is workflow.INSPECTION_STEPS.may(people[who], inspection, step.name), (status, who, step.name)


def test_no_inspection_step_once_the_round_has_moved_past_its_stages(login, application, people):
    inspection = planned(application, people)
    application.round.stage = RoundStage.DRAFT  # a round set back to draft by hand: no step at all
    application.round.save(update_fields=["stage"])
    response = login(people["lead"]).post(step_url(inspection, "record"), STEP_INPUT["record"], follow=True)
    assert "不能再进行此操作" in response.content.decode()
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.PLANNED


def test_an_unknown_inspection_step_is_404(login, application, people):
    inspection = planned(application, people)
    assert login(people["admin"]).post(step_url(inspection, "reopen")).status_code == 404


def test_the_lead_sees_the_inspection_to_record_on_the_to_do_page(login, application, people):
    planned(application, people)
    page = login(people["lead"]).get(reverse("workbench:todo")).content.decode()
    assert "待记录的现场考核" in page and reverse("evaluations:inspection_list") in page


def test_my_inspections_costs_the_same_queries_for_one_or_many(login, application, people, django_assert_max_num_queries):
    client = login(people["lead"])
    counts = []
    for extra in (1, 8):
        for _ in range(extra):
            planned(ApplicationFactory(round=application.round, status=AppStatus.REVIEW), people)
        with django_assert_max_num_queries(12) as captured:
            assert client.get(reverse("evaluations:inspection_list")).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
