"""The step tables of the honour workflow (workflow.ROUND_STEPS, APPLICATION_STEPS), tested from the tables themselves
through HTTP: every step is refused to each role that lacks it (403, whatever the state) and in each state that does
not allow it (a message, nothing changes); unknown steps are 404; extending the window keeps the reference date."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.evaluations import queries, workflow
from apps.evaluations.actions import BoundStep
from apps.evaluations.eligibility import check_eligibility, is_eligible
from apps.evaluations.enums import AppStatus, ObjectionStatus, RoundKind, RoundStage
from apps.evaluations.forms import RoundForm
from apps.evaluations.models import Notice, Objection, Round
from apps.notifications.models import Notification
from apps.organizations.enums import Action
from apps.organizations.scope import StaffScope

from .conftest import ROLES, committee
from .evaluation_factories import ApplicationFactory, RoundFactory, eligible_collective
from .factories import MembershipFactory, UserFactory
from .test_evaluations_flow import round_post

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def step_input(name, subject):
    """Valid input for each step that takes some."""
    return {
        "extend": {"application_closes": (TODAY + timedelta(days=400)).isoformat(), "reason": "延长申报期"},
        "recommend": {"rank": "1", "comment": "推荐"},
        "send_back": {"decision": "decline", "comment": "理由"},
        "assign": {"experts": [MembershipFactory(role="expert", node=committee("340800")).user.pk]},
        "inspect": _inspection_plan(subject) if name == "inspect" else {},
        "propose": {"application": ApplicationFactory(round=subject, status="review").pk, "proposed": "on"} if name == "propose" else {},
        "propose_top": {"count": "3"},
        "assign_experts": {"experts": [MembershipFactory(role="expert", node=committee("340800")).user.pk], "per_application": "2", "cap": "10"}
        if name == "assign_experts"
        else {},
        "publish": {"comment": "经研究决定"},
        "special_recommend": {"collective": "340803-2024-99999", "reason": "抗洪抢险表现突出", "material": pdf_upload()},
        "name": {"comment": "予以命名"},
    }.get(name, {})


def _inspection_plan(application):
    expert = MembershipFactory(role="expert", node=application.round.node).user
    return {"planned_on": TODAY.isoformat(), "team": [expert.pk], "lead": expert.pk}


def pdf_upload():
    return SimpleUploadedFile("材料.pdf", b"%PDF-1.4 test", content_type="application/pdf")


def round_in(stage, **kwargs):
    """A round in `stage`: a filing round (创建备案) for the stages only those have."""
    kind = RoundKind.FILING if stage in (RoundStage.FILING, RoundStage.FILED) else RoundKind.NAMING
    return RoundFactory(stage=stage, kind=kind, **kwargs)


def step_url(steps, subject, name):
    return BoundStep(steps[name], subject, steps.route).url


def audit_count(subject):
    return AuditEntry.objects.for_object(subject).count()


# Rounds -------------------------------------------------------------------------------------------------------

ROUND_USERS = [(role, "340800") for role in ROLES] + [("admin", "340100"), ("admin", "340803")]
# Who may take a round step: the round's committee admins, and for a special recommendation the admins below it too.
ROUND_STEP_ADMINS = {"special_recommend": ("340800", "340803")}


@pytest.mark.parametrize("step", [step.name for step in workflow.ROUND_STEPS])
@pytest.mark.parametrize("stage", RoundStage.values)
def test_every_round_step_is_refused_to_each_role_lacking_it_and_in_each_stage_not_allowing_it(login, staff_user, step, stage):
    steps = workflow.ROUND_STEPS
    round = round_in(stage)
    for role, where in ROUND_USERS:
        user = staff_user(role, where)
        permitted = steps.permitted(user, round, step)
        assert permitted is (role == "admin" and where in ROUND_STEP_ADMINS.get(step, ("340800",))), (role, where)
        if permitted and steps.state_allows(round, step):
            continue  # taking it is what the flow tests do
        before = audit_count(round)
        response = login(user).post(step_url(steps, round, step), step_input(step, round))
        round.refresh_from_db()
        assert response.status_code == (302 if permitted else 403), (role, where)
        assert round.stage == stage and audit_count(round) == before


@pytest.mark.parametrize("step", [step.name for step in workflow.ROUND_STEPS if step.confirm])
@pytest.mark.parametrize("stage", RoundStage.values)
def test_every_confirmation_page_is_refused_to_each_role_lacking_the_step_and_shows_only_where_the_state_allows(login, staff_user, step, stage):
    steps = workflow.ROUND_STEPS
    round = round_in(stage)
    for role, where in ROUND_USERS:
        user = staff_user(role, where)
        response = login(user).get(step_url(steps, round, step))
        if not steps.permitted(user, round, step):
            assert response.status_code == 403, (role, where)
        elif steps.state_allows(round, step):
            assert response.status_code == 200 and 'name="comment"' in response.content.decode()
        else:
            assert response.status_code == 302 and response.url == round.get_absolute_url()
    round.refresh_from_db()
    assert round.stage == stage


def test_the_round_page_shows_exactly_the_steps_the_table_allows(login):
    for stage in RoundStage.values:
        round = round_in(stage)
        ApplicationFactory(round=round, status="review")  # a row of the score table, with its own step
        admin = MembershipFactory(role="admin", node=round.node).user
        page = login(admin).get(round.get_absolute_url()).content.decode()
        for step in workflow.ROUND_STEPS:
            assert (step_url(workflow.ROUND_STEPS, round, step.name) in page) is (stage in step.states), (stage, step.name)


@pytest.mark.parametrize("user", ["admin", "anonymous"])
def test_an_unknown_round_step_is_404(client, login, user):
    round = RoundFactory(stage="draft")
    if user == "admin":
        client = login(MembershipFactory(role="admin", node=round.node).user)
    assert client.post(f"/workbench/rounds/{round.pk}/reopen/").status_code == 404
    assert client.post(f"/workbench/rounds/{round.pk}/selection/").status_code == 404
    round.refresh_from_db()
    assert round.stage == "draft"


# Applications ---------------------------------------------------------------------------------------------------

STAFF_STEPS = [step.name for step in workflow.APPLICATION_STEPS if step.form]  # the committees' steps
APPLICATION_USERS = [(role, where) for role in ROLES for where in ("340803", "340800")] + [("reviewer", "340822")]


def application_in(status):
    round = RoundFactory(stage="review" if status in (AppStatus.REVIEW, AppStatus.NOT_SELECTED) else "open")
    waiting = committee("340803") if status == AppStatus.PENDING else None
    return ApplicationFactory(round=round, status=status, current_node=waiting)


@pytest.mark.parametrize("step", STAFF_STEPS)
@pytest.mark.parametrize("status", AppStatus.values)
def test_every_application_step_is_refused_to_each_role_lacking_it_and_in_each_state_not_allowing_it(login, staff_user, step, status):
    steps = workflow.APPLICATION_STEPS
    application = application_in(status)
    for role, where in APPLICATION_USERS + [("leader", None)]:
        user = application.collective.leader_account if role == "leader" else staff_user(role, where)
        permitted = steps.permitted(user, application, step)
        if permitted and steps.state_allows(application, step):
            continue  # taking it is what the flow tests do
        before = audit_count(application)
        response = login(user).post(step_url(steps, application, step), step_input(step, application))
        application.refresh_from_db()
        # 403 whatever the state; 404 only for staff who cannot see the application at all (drafts, other areas).
        scope = StaffScope(user)
        hidden = scope.can(Action.VIEW) and not queries.visible_applications(scope).filter(pk=application.pk).exists()
        assert response.status_code == (404 if hidden else 302 if permitted else 403), (role, where)
        assert application.status == status and audit_count(application) == before


ROUND_BOUND_STEPS = [step for step in workflow.APPLICATION_STEPS if step.round_stages and step.form]


@pytest.mark.parametrize("step", ROUND_BOUND_STEPS, ids=lambda step: step.name)
def test_every_staff_step_is_refused_in_each_round_stage_the_table_does_not_list(login, step):
    """The application is in a state the step allows; only its round has moved on."""
    steps = workflow.APPLICATION_STEPS
    for stage in set(RoundStage.values) - set(step.round_stages):
        status = step.states[0] if step.states else AppStatus.REVIEW
        application = ApplicationFactory(
            round=RoundFactory(stage=stage), status=status, current_node=committee("340803") if status == AppStatus.PENDING else None
        )
        admin = MembershipFactory(role="admin", node=committee("340803") if status == AppStatus.PENDING else application.round.node).user
        assert steps.permitted(admin, application, step.name) and not steps.state_allows(application, step.name)
        before = audit_count(application)
        response = login(admin).post(step_url(steps, application, step.name), step_input(step.name, application), follow=True)
        application.refresh_from_db()
        assert application.status == status and audit_count(application) == before, stage
        assert "不能再进行此操作" in response.content.decode(), stage


def test_an_application_still_at_a_county_cannot_be_recommended_once_the_notice_is_out(login):
    """The defect found: it landed in review inside a round on notice, never to be selected or named."""
    application = ApplicationFactory(round=RoundFactory(stage=RoundStage.NOTICE), status=AppStatus.PENDING, current_node=committee("340803"))
    county = login(MembershipFactory(role="reviewer", node=committee("340803")).user)
    page = county.get(reverse("evaluations:application_detail", args=[application.pk])).content.decode()
    assert reverse("evaluations:application_recommend", args=[application.pk]) not in page
    county.post(reverse("evaluations:application_recommend", args=[application.pk]), {"rank": "1"})
    application.refresh_from_db()
    assert application.status == AppStatus.PENDING and application.current_node == committee("340803")


def test_an_expert_cannot_score_once_the_round_is_on_notice(login):
    application = ApplicationFactory(round=RoundFactory(stage=RoundStage.NOTICE), status=AppStatus.REVIEW)
    expert = MembershipFactory(role="expert", node=application.round.node).user
    assignment = application.assignments.create(expert=expert, assigned_by=expert)
    scores = {f"item_{item.pk}": "1" for item in application.round.rubric_items.all()}
    login(expert).post(reverse("evaluations:review_detail", args=[assignment.pk]), {**scores, "comment": "好", "action": "score"})
    assignment.refresh_from_db()
    assert assignment.submitted_at is None


LEADER_STEPS = [step.name for step in workflow.APPLICATION_STEPS if not step.form]  # the 号长's, on their own page


@pytest.mark.parametrize("status", AppStatus.values)
def test_the_leaders_steps_are_theirs_alone_and_only_in_the_states_the_table_allows(login, staff_user, status):
    steps = workflow.APPLICATION_STEPS
    assert LEADER_STEPS == ["edit", "submit"]
    application = application_in(status)
    url = step_url(steps, application, "submit")
    before = audit_count(application)
    for user in [UserFactory(), staff_user("admin", "340803"), staff_user("admin", "340800")]:
        assert not any(steps.permitted(user, application, name) for name in LEADER_STEPS)
        assert login(user).post(url, {"action": "submit", "deeds": "改写"}).status_code == 404
    leader = application.collective.leader_account
    assert all(steps.permitted(leader, application, name) for name in LEADER_STEPS)
    if not steps.state_allows(application, "submit"):
        assert login(leader).post(url, {"action": "submit", "deeds": "改写"}).status_code == 302
    application.refresh_from_db()
    assert application.deeds != "改写" or steps.state_allows(application, "edit")
    assert application.status == status and audit_count(application) == before


@pytest.mark.parametrize(("role", "where"), [("viewer", "340803"), ("viewer", "340800"), ("expert", "340803"), ("reviewer", "340800")])
def test_who_may_not_recommend_gets_403_in_every_state(login, staff_user, role, where):
    user = staff_user(role, where)
    for status in AppStatus.values:
        if status == AppStatus.DRAFT:
            continue  # invisible to staff (404)
        application = application_in(status)
        response = login(user).post(reverse("evaluations:application_recommend", args=[application.pk]), {"rank": "1"})
        assert response.status_code == 403, status


def test_a_chain_committee_out_of_turn_gets_a_message_not_the_step(login, staff_user):
    application = application_in(AppStatus.REVIEW)
    client = login(staff_user("reviewer", "340803"))
    response = client.post(reverse("evaluations:application_recommend", args=[application.pk]), {"rank": "1"}, follow=True)
    assert "不能再进行此操作" in response.content.decode()
    application.refresh_from_db()
    assert application.status == AppStatus.REVIEW


# Extending the application window -----------------------------------------------------------------------------


def test_extending_the_window_keeps_the_reference_date_and_records_old_and_new(login):
    round = RoundFactory(stage="open", leader_max_age=40)
    old_closes, reference = round.application_closes, round.reference_date
    assert reference == old_closes
    # The 号长 turns 41 between the original closing date and the extended one.
    leader = eligible_collective().members.get(is_leader=True)
    birthday = old_closes + timedelta(days=5)
    leader.birth_date = birthday.replace(year=birthday.year - 41)
    leader.save()
    collective = leader.collective
    assert is_eligible(check_eligibility(collective, round))

    admin = login(MembershipFactory(role="admin", node=round.node).user)
    new_closes = old_closes + timedelta(days=14)
    response = admin.post(
        reverse("evaluations:round_transition", args=[round.pk, "extend"]),
        {"application_closes": new_closes.isoformat(), "reason": "受台风影响，延长两周"},
        follow=True,
    )
    round.refresh_from_db()
    assert round.application_closes == new_closes and round.reference_date == reference and round.stage == "open"
    assert is_eligible(check_eligibility(collective, round))  # still computed on the original date
    entry = AuditEntry.objects.for_object(round).get(action="extend")
    assert entry.changes == {"application_closes": [old_closes.isoformat(), new_closes.isoformat()]}
    assert entry.comment == "受台风影响，延长两周"
    page = response.content.decode()
    assert "申报期已延长" in page and "延长申报期" in page
    assert f"{old_closes.isoformat()} → {new_closes.isoformat()}" in page


def test_the_window_only_extends_forward_and_with_a_reason(login):
    round = RoundFactory(stage="open")
    closes = round.application_closes
    admin = login(MembershipFactory(role="admin", node=round.node).user)
    url = reverse("evaluations:round_transition", args=[round.pk, "extend"])
    earlier = admin.post(url, {"application_closes": (closes - timedelta(days=1)).isoformat(), "reason": "提前"}, follow=True)
    assert f"新的截止日期须晚于{closes.isoformat()}" in earlier.content.decode()
    no_reason = admin.post(url, {"application_closes": (closes + timedelta(days=1)).isoformat(), "reason": ""}, follow=True)
    assert "理由" in no_reason.content.decode()
    not_a_date = admin.post(url, {"application_closes": "下周", "reason": "延长"}, follow=True)
    assert "新的截止日期" in not_a_date.content.decode()
    round.refresh_from_db()
    assert round.application_closes == closes and not AuditEntry.objects.for_object(round).filter(action="extend").exists()


def test_a_new_rounds_reference_date_defaults_to_its_closing_date_and_can_be_set():
    form = RoundForm(round_post(), instance=Round(node=committee("340800"), created_by=UserFactory()))
    assert form.is_valid(), form.errors
    assert form.save().reference_date == form.cleaned_data["application_closes"]
    chosen = (TODAY + timedelta(days=3)).isoformat()
    form = RoundForm(round_post(reference_date=chosen), instance=Round(node=committee("340800"), created_by=UserFactory()))
    assert form.is_valid() and form.save().reference_date.isoformat() == chosen



# Every step checks the round's stage ------------------------------------------------------------------------------


def test_publishing_the_notice_closes_the_applications_still_at_a_county_as_not_selected(login):
    round = RoundFactory(stage=RoundStage.REVIEW)
    proposed = ApplicationFactory(round=round, status=AppStatus.REVIEW, scored=True, proposed=True)
    waiting = ApplicationFactory(round=round, status=AppStatus.PENDING, current_node=committee("340803"))
    admin = login(MembershipFactory(role="admin", node=round.node).user)
    admin.post(reverse("evaluations:round_transition", args=[round.pk, "publish"]), {"comment": "经研究决定"})
    round.refresh_from_db()
    proposed.refresh_from_db()
    waiting.refresh_from_db()
    assert round.stage == RoundStage.NOTICE and proposed.status == AppStatus.NOTICE
    assert waiting.status == AppStatus.NOT_SELECTED and waiting.current_node is None
    entry = AuditEntry.objects.for_object(waiting).get(action="publish")
    assert (entry.from_state, entry.to_state) == (AppStatus.PENDING, AppStatus.NOT_SELECTED)
    assert Notification.objects.filter(recipient=waiting.collective.leader_account, subject__contains="未入选").exists()
    # Nothing is left waiting on the county.
    county = login(MembershipFactory(role="reviewer", node=committee("340803")).user)
    county.post(reverse("evaluations:application_recommend", args=[waiting.pk]), {"rank": "1", "confirmed": "1"})
    waiting.refresh_from_db()
    assert waiting.status == AppStatus.NOT_SELECTED


def test_an_expert_cannot_declare_a_conflict_once_the_round_is_on_notice(login):
    application = ApplicationFactory(round=RoundFactory(stage=RoundStage.NOTICE), status=AppStatus.NOTICE)
    expert = MembershipFactory(role="expert", node=application.round.node).user
    assignment = application.assignments.create(expert=expert, assigned_by=expert)
    response = login(expert).post(
        reverse("evaluations:review_detail", args=[assignment.pk]), {"action": "conflict", "conflict-comment": "亲属"}, follow=True
    )
    assert "评审已结束" in response.content.decode()
    assignment.refresh_from_db()
    assert not assignment.conflict_declared and not AuditEntry.objects.for_object(application).filter(action="conflict").exists()


def test_an_objection_cannot_be_resolved_once_the_round_has_left_its_notice(login):
    round = RoundFactory(stage=RoundStage.NAMED)
    application = ApplicationFactory(round=round, status=AppStatus.NAMED)
    notice = Notice.objects.create(round=round, opens_on=TODAY, closes_on=TODAY, published_by=UserFactory())
    objection = Objection.objects.create(notice=notice, application=application, contact="13912345678", text="异议")
    admin = login(MembershipFactory(role="admin", node=round.node).user)
    response = admin.post(reverse("evaluations:objection_resolve", args=[objection.pk]), {"decision": "uphold", "reason": "查实"}, follow=True)
    assert "不能再进行此操作" in response.content.decode()
    objection.refresh_from_db()
    application.refresh_from_db()
    assert objection.status == ObjectionStatus.OPEN and application.status == AppStatus.NAMED
