"""A round as a guided process, through HTTP: the step bar (筹备 → 申报 → 推荐 → 评审 → 公示 → 命名) says where the
round stands and what blocks its next step, with the very reasons the server refuses the step with; publishing the
notice and naming go through a confirmation page with the decision's comment; experts are assigned in bulk (N per
application, a cap per expert, never with a conflict of interest) and reminded of their unscored reviews."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.evaluations import workflow
from apps.evaluations.models import Notice, Objection, ReviewAssignment, RubricItem
from apps.notifications.models import Notification
from apps.organizations.models import Region

from .conftest import committee
from .evaluation_factories import ApplicationFactory, RoundFactory, eligible_collective, score
from .factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def round():
    return RoundFactory(stage="review", quota=10)


@pytest.fixture
def admin_user(round):
    return MembershipFactory(role="admin", node=round.node).user


@pytest.fixture
def admin(admin_user, login):
    return login(admin_user)


def step(round, name):
    return reverse("evaluations:round_transition", args=[round.pk, name])


def bar(client, round):
    response = client.get(round.get_absolute_url())
    assert response.status_code == 200
    return response.context["progress"], response.content.decode()


def refusal(client, round, name, data=None):
    """The error messages the server answers a step with."""
    response = client.post(step(round, name), data or {}, follow=True)
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"] or [
        str(m) for m in response.context["messages"] if m.level_tag == "error"
    ]


def test_the_bar_shows_the_phase_and_the_publish_button_disabled_with_the_servers_own_reasons(admin, round):
    scored = [ApplicationFactory(round=round, status="review", scored=True) for _ in range(2)]
    [ApplicationFactory(round=round, status="review") for _ in range(2)]
    progress, page = bar(admin, round)
    assert [state for _label, state in progress.phases] == ["done", "done", "done", "current", "todo", "todo"]
    assert "筹备" in page and "申报" in page and "推荐" in page and "评审" in page and "公示" in page and "命名" in page
    assert progress.step.name == "publish" and not progress.ready
    reasons = [str(reason) for reason in progress.blockers]
    assert reasons[0] == "4份申报中有2份尚未评分。"
    assert all(reason in page for reason in reasons)
    assert f'action="{step(round, "publish")}"' in page and "disabled" in page.split(f'action="{step(round, "publish")}"')[1].split("</form>")[0]
    # The server refuses the step with exactly the reasons the bar shows.
    before = AuditEntry.objects.count()
    assert refusal(admin, round, "publish") == [" ".join(reasons)]
    round.refresh_from_db()
    assert round.stage == "review" and AuditEntry.objects.count() == before
    # Once every application is scored and the list proposed, the button is enabled and the step goes through.
    for application in round.applications.filter(scores_submitted=0):
        score(application)
    admin.post(step(round, "propose"), {"application": scored[0].pk, "proposed": "on"})
    progress, page = bar(admin, round)
    assert progress.blockers == [] and progress.ready
    assert "disabled" not in page.split(f'action="{step(round, "publish")}"')[1].split("</form>")[0]


def test_while_applications_wait_on_a_committee_the_round_is_at_recommendation(admin, round):
    ApplicationFactory(round=round, status="pending", current_node=committee("340803"))
    progress, page = bar(admin, round)
    assert [state for _label, state in progress.phases][2:4] == ["current", "todo"]
    assert progress.waiting == 1 and "1份申报仍在等待团委推荐" in page


def test_an_open_review_blocks_publishing_until_submitted_or_declared_a_conflict(admin, round):
    application = ApplicationFactory(round=round, status="review", proposed=True, scored=True)
    expert = MembershipFactory(role="expert", node=round.node).user
    workflow.assign(application.pk, MembershipFactory(role="admin", node=round.node).user, [expert])
    application.refresh_from_db()
    assert (application.scores_submitted, application.reviews_open) == (1, 1)
    assert [str(r) for r in bar(admin, round)[0].blockers] == ["1份申报中有1份尚未评分。"]
    workflow.declare_conflict(application.assignments.get(expert=expert).pk, expert, "本单位")
    assert bar(admin, round)[0].blockers == []


def test_naming_blockers_are_the_refusal_and_the_confirmation_records_the_comment(admin, round, login):
    ApplicationFactory(round=round, status="review", proposed=True, scored=True)
    # Publishing: its confirmation page says what will happen and takes the decision's comment.
    confirm = admin.get(step(round, "publish"))
    assert confirm.status_code == 200
    text = confirm.content.decode()
    assert "1个拟命名集体进入公示" in text and 'name="comment"' in text and "确认：发布公示" in text
    admin.post(step(round, "publish"), {"comment": "经评审委员会研究决定"})
    round.refresh_from_db()
    assert round.stage == "notice"
    assert AuditEntry.objects.for_object(round).get(action="publish").comment == "经评审委员会研究决定"
    notice = Notice.objects.get(round=round)
    Objection.objects.create(notice=notice, application=round.applications.get(), contact="13912345678", text="不属实")
    progress, page = bar(admin, round)
    reasons = [str(reason) for reason in progress.blockers]
    assert progress.step.name == "name" and reasons == [f"公示期至{notice.closes_on.isoformat()}结束。", "还有1条异议未处理。"]
    assert refusal(admin, round, "name") == [" ".join(reasons)]
    assert all(reason in admin.get(step(round, "name")).content.decode() for reason in reasons)  # the confirmation too
    Objection.objects.update(status="dismissed")
    Notice.objects.filter(pk=notice.pk).update(closes_on=TODAY - timedelta(days=1))
    assert bar(admin, round)[0].ready
    admin.post(step(round, "name"), {"comment": "予以命名"})
    round.refresh_from_db()
    assert round.stage == "named" and AuditEntry.objects.for_object(round).get(action="name").comment == "予以命名"
    assert [state for _label, state in bar(admin, round)[0].phases] == ["done"] * 6


def test_opening_is_blocked_by_a_rubric_not_totalling_100(admin):
    round = RoundFactory(stage="draft")
    admin = MembershipFactory(role="admin", node=round.node).user
    from django.test import Client

    client = Client()
    client.force_login(admin)
    RubricItem.objects.filter(round=round).order_by("pk").first().delete()
    progress, _page = bar(client, round)
    assert progress.step.name == "open" and len(progress.blockers) == 1
    assert refusal(client, round, "open") == [str(progress.blockers[0])]


def test_the_confirmation_page_of_a_step_in_the_wrong_state_sends_back_with_a_message(admin, round):
    response = admin.get(step(round, "name"), follow=True)
    assert response.redirect_chain[-1][0] == round.get_absolute_url()
    assert "不能再进行此操作" in response.content.decode()


def test_a_step_without_a_confirmation_page_is_post_only(admin, round):
    assert admin.get(step(round, "propose_top")).status_code == 405


# Experts -----------------------------------------------------------------------------------------------------------


def expert_of(round, name, where=None):
    return MembershipFactory(role="expert", node=committee(where) if where else round.node, user=UserFactory(real_name=name)).user


def test_bulk_assignment_gives_n_experts_each_within_the_cap_and_never_a_conflict(admin, round):
    daguan = Region.objects.get(code="340803")
    applications = [ApplicationFactory(round=round, status="review", collective=eligible_collective(region=daguan)) for _ in range(4)]
    wang, li = expert_of(round, "王专家"), expert_of(round, "李专家")
    # 赵专家 works for 大观区's committee, where these collectives are registered: a conflict with every one.
    zhao = expert_of(round, "赵专家", where="340803")
    notifications = Notification.objects.count()
    response = admin.post(step(round, "assign_experts"), {"experts": [wang.pk, li.pk, zhao.pk], "per_application": "2", "cap": "3"}, follow=True)
    assert "已分配评审专家：为3份申报分配6人次；仍有1份申报专家人数不足。" in response.content.decode()
    assert not ReviewAssignment.objects.filter(expert=zhao).exists()
    assert ReviewAssignment.objects.filter(expert=wang).count() == 3 and ReviewAssignment.objects.filter(expert=li).count() == 3
    # Six places for eight: three applications get their two experts, the last none (the cap holds).
    assert sorted(application.assignments.count() for application in applications) == [0, 2, 2, 2]
    for application in applications:
        application.refresh_from_db()
        assert application.reviews_open == application.assignments.count()
        audited = AuditEntry.objects.for_object(application).filter(action="assign").count()
        assert audited == (1 if application.reviews_open else 0)
    assert Notification.objects.count() == notifications + 2  # one to each expert assigned, however many applications
    assert Notification.objects.filter(recipient=wang, subject__contains="3份").exists()
    # Run again: nobody is over the cap, nothing is assigned twice.
    admin.post(step(round, "assign_experts"), {"experts": [wang.pk, li.pk], "per_application": "2", "cap": "3"})
    assert ReviewAssignment.objects.filter(round=round).count() == 6


def test_the_single_assignment_still_refuses_a_conflict(admin, round):
    application = ApplicationFactory(round=round, status="review", collective=eligible_collective(region=Region.objects.get(code="340803")))
    zhao = expert_of(round, "赵专家", where="340803")
    admin.post(reverse("evaluations:application_assign", args=[application.pk]), {"experts": [zhao.pk]})
    assert not application.assignments.exists()


def test_reminding_notifies_each_expert_with_unscored_reviews_once_and_records_it(admin, round):
    wang, li, sun = expert_of(round, "王专家"), expert_of(round, "李专家"), expert_of(round, "孙专家")
    for _ in range(2):
        application = ApplicationFactory(round=round, status="review")
        ReviewAssignment.objects.create(application=application, expert=wang, assigned_by=wang)
        score(application, expert=li)
    ReviewAssignment.objects.create(application=application, expert=sun, assigned_by=sun, conflict_declared=True)
    before = Notification.objects.count()
    admin.post(step(round, "remind_experts"))
    assert Notification.objects.count() == before + 1
    reminder = Notification.objects.get(recipient=wang, subject__contains="提醒")
    assert "2份" in reminder.subject and reminder.url == "/workbench/reviews/"
    assert AuditEntry.objects.for_object(round).filter(action="remind").count() == 1


def test_the_score_table_names_the_experts_with_their_workload_and_item_means(admin, round):
    wang, li = expert_of(round, "王专家"), expert_of(round, "李专家")
    application = ApplicationFactory(round=round, status="review")
    score(application, expert=wang, points=2)
    ReviewAssignment.objects.create(application=application, expert=li, assigned_by=li)
    response = admin.get(round.get_absolute_url())
    page = response.content.decode()
    assert "王专家" in page and "李专家" in page
    row = response.context["score_rows"][0]
    assert row["item_means"] == [18.0, 23.0, 23.0, 13.0, 13.0] and row["mean"] == 90.0
    assert {(w["name"], w["assigned"], w["scored"]) for w in response.context["workload"]} == {("王专家", 1, 1), ("李专家", 1, 0)}
