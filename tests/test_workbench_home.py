"""The workbench's landing page (待办), where login leads, and a navigation that offers only what the user can use."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.collectives.models import ChangeRequest
from apps.complaints.models import Warning
from apps.evaluations.models import Notice, Objection, ReviewAssignment, Round
from apps.organizations.enums import Role
from apps.organizations.models import Region

from .activity_factories import CampaignFactory, ReportFactory
from .conftest import committee
from .evaluation_factories import ApplicationFactory, RoundFactory, eligible_collective
from .factories import PASSWORD, CollectiveFactory, MembershipFactory, UserFactory
from .supervision_factories import ComplaintFactory
from .test_evaluations_flow import round_post

DAGUAN, YINGJIANG, ANQING, ANHUI = "340803", "340802", "340800", "340000"
TODO = reverse("workbench:todo")
# The to-do page: the session and navigation, then one count per source of apps/workbench/todo.py.
TODO_QUERIES = 19


def todo_page(client):
    response = client.get(TODO)
    assert response.status_code == 200
    return response.content.decode()


def in_days(days):
    return timezone.localdate() + timedelta(days=days)


# Landing -------------------------------------------------------------------------------------


def log_in(client, user, next_url=None):
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": user.username, "password": PASSWORD})


@pytest.mark.parametrize("role", [Role.ADMIN, Role.REVIEWER, Role.EXPERT, Role.VIEWER])
def test_staff_land_on_their_to_do_list(client, staff_user, role):
    assert log_in(client, staff_user(role, DAGUAN)).url == TODO


def test_a_leader_lands_on_their_collectives(client, db):
    leader = CollectiveFactory().leader_account
    assert log_in(client, leader).url == reverse("collectives:my")


def test_a_staffer_who_leads_a_collective_lands_on_the_workbench(client, staff_user):
    user = staff_user(Role.REVIEWER, DAGUAN)
    CollectiveFactory(leader_account=user)
    assert log_in(client, user).url == TODO


def test_next_still_wins(client, staff_user):
    assert log_in(client, staff_user(Role.ADMIN, DAGUAN), "/stats/").url == "/stats/"


def test_a_superuser_lands_on_the_workbench(client, db):
    assert log_in(client, UserFactory(is_superuser=True)).url == TODO


def test_a_leader_who_opens_the_workbench_is_sent_to_their_collectives(login, leader):
    assert login(leader).get(TODO).url == reverse("collectives:my")


def test_the_registration_queue_moved_below_the_workbench(login, staff_user, submitted):
    page = login(staff_user(Role.REVIEWER, DAGUAN)).get("/workbench/registrations/?status=submitted")
    assert page.status_code == 200 and submitted.name in page.content.decode()


# To-do items -------------------------------------------------------------------------------


def test_a_county_reviewer_sees_the_registrations_of_their_county_only(login, staff_user, submitted):
    CollectiveFactory(status="submitted", region=Region.objects.get(code=YINGJIANG))
    page = todo_page(login(staff_user(Role.REVIEWER, DAGUAN)))
    assert "待审核的备案申请" in page and 'todo-count">1<' in page
    assert reverse("collectives:staff_queue") + "?status=submitted" in page
    assert "待审核的备案申请" not in todo_page(login(staff_user(Role.REVIEWER, "340822")))


def test_viewers_and_experts_have_no_registrations_to_review(login, staff_user, submitted):
    for role in (Role.VIEWER, Role.EXPERT):
        assert "待审核的备案申请" not in todo_page(login(staff_user(role, DAGUAN)))


def test_applications_wait_on_the_committee_they_are_at_not_the_one_above(login, staff_user, db):
    ApplicationFactory(status="pending", current_node=committee(DAGUAN))
    assert "待本团委推荐的申报" in todo_page(login(staff_user(Role.REVIEWER, DAGUAN)))
    assert "待本团委推荐的申报" not in todo_page(login(staff_user(Role.REVIEWER, ANQING)))


def test_a_province_sees_which_committee_below_holds_applications_past_the_deadline(login, staff_user, db):
    round = RoundFactory(
        node=committee(ANHUI), stage="review", application_closes=in_days(-10), recommendation_closes=in_days(-1)
    )
    for _ in range(2):
        ApplicationFactory(round=round, status="pending", current_node=committee(ANQING))
    on_time = RoundFactory(node=committee(ANHUI), stage="review", application_closes=in_days(-10), recommendation_closes=in_days(3))
    ApplicationFactory(round=on_time, status="pending", current_node=committee(DAGUAN))

    page = todo_page(login(staff_user(Role.ADMIN, ANHUI)))
    assert "超过推荐截止日期仍未推荐的下级团委" in page
    assert "<td>共青团安庆市委</td>" in page and "<td>2</td>" in page
    assert f"tab=all&amp;round={round.pk}" in page
    assert "<td>共青团大观区委</td>" not in page  # its round's deadline has not passed
    # The city holding them sees them as its own to-do, not as a committee below it holding them.
    city = todo_page(login(staff_user(Role.REVIEWER, ANQING)))
    assert "超过推荐截止日期" not in city and "待本团委推荐的申报" in city


def test_an_expert_sees_the_scores_they_owe(login, staff_user, db):
    expert = staff_user(Role.EXPERT, ANQING)
    application = ApplicationFactory(status="review")
    ReviewAssignment.objects.create(application=application, expert=expert, assigned_by=UserFactory())
    scored = ApplicationFactory(status="review")
    ReviewAssignment.objects.create(application=scored, expert=expert, assigned_by=UserFactory(), submitted_at=timezone.now())
    page = todo_page(login(expert))
    assert "待您评分的申报" in page and 'todo-count">1<' in page
    assert "待您评分的申报" not in todo_page(login(staff_user(Role.EXPERT, ANQING)))


def test_the_round_admin_sees_open_objections(login, staff_user, db):
    round = RoundFactory(stage="notice", application_closes=in_days(-20))
    application = ApplicationFactory(round=round, status="notice")
    notice = Notice.objects.create(round=round, opens_on=in_days(-1), closes_on=in_days(10), published_by=UserFactory())
    Objection.objects.create(notice=notice, application=application, contact="13912345678", text="不属实")
    page = todo_page(login(staff_user(Role.ADMIN, ANQING)))
    assert f"待处理的异议：{round.title}" in page and reverse("evaluations:round_detail", args=[round.pk]) in page
    assert "待处理的异议" not in todo_page(login(staff_user(Role.REVIEWER, ANQING)))
    assert "待处理的异议" not in todo_page(login(staff_user(Role.ADMIN, DAGUAN)))


def test_complaints_to_handle_in_scope(login, staff_user, db):
    ComplaintFactory()
    assert "待受理的投诉" in todo_page(login(staff_user(Role.REVIEWER, DAGUAN)))
    assert "待受理的投诉" not in todo_page(login(staff_user(Role.REVIEWER, YINGJIANG)))
    assert "待受理的投诉" not in todo_page(login(staff_user(Role.VIEWER, DAGUAN)))


def test_collectives_missing_from_a_running_campaign(login, staff_user, db):
    campaign = CampaignFactory(node=committee(ANQING))
    eligible_collective()
    ReportFactory(campaign=campaign)  # one collective reported, the other has not
    page = todo_page(login(staff_user(Role.ADMIN, ANQING)))
    assert f"尚未报送活动：{campaign.title}" in page and 'todo-count">1<' in page
    assert "尚未报送活动" not in todo_page(login(staff_user(Role.ADMIN, DAGUAN)))  # not a campaign of its node


def test_nothing_to_do(login, staff_user):
    assert "目前没有待办事项" in todo_page(login(staff_user(Role.REVIEWER, DAGUAN)))


# Deadlines ---------------------------------------------------------------------------------


def test_deadlines_of_the_next_seven_days_only(login, staff_user, db):
    closing = RoundFactory(application_closes=in_days(3))
    later = RoundFactory(application_closes=in_days(10))
    recommending = RoundFactory(stage="review", application_closes=in_days(-3), recommendation_closes=in_days(5))
    noticed = RoundFactory(stage="notice", application_closes=in_days(-30))
    Notice.objects.create(round=noticed, opens_on=in_days(-3), closes_on=in_days(2), published_by=UserFactory())
    warned = eligible_collective()
    Warning.objects.create(collective=warned, kind="rectification", reason="整改", deadline=in_days(6), issued_by=UserFactory())
    far = eligible_collective()
    Warning.objects.create(collective=far, kind="rectification", reason="整改", deadline=in_days(20), issued_by=UserFactory())

    page = todo_page(login(staff_user(Role.REVIEWER, DAGUAN)))
    assert "未来7天内的截止日期" in page
    assert f"申报截止：<a href=\"{closing.get_absolute_url()}\">{closing.title}" in page
    assert f"推荐截止：<a href=\"{recommending.get_absolute_url()}\">{recommending.title}" in page
    assert f"公示结束：<a href=\"{noticed.get_absolute_url()}\">{noticed.title}" in page
    assert f"整改期限：<a href=\"{reverse('collectives:staff_detail', args=[warned.pk])}\">{warned.name}" in page
    assert later.title not in page and far.name not in page
    # Listed by date: the notice ends first.
    assert page.index(noticed.title) < page.index(closing.title) < page.index(recommending.title) < page.index(warned.name)


def test_a_leader_sees_no_deadlines_of_committees(login, leader):
    RoundFactory(application_closes=in_days(3))
    assert login(leader).get(TODO).status_code == 302


# The recommendation deadline on the round form ---------------------------------------------


def test_the_round_form_takes_a_recommendation_deadline_after_applications_close(login, staff_user):
    admin = login(staff_user(Role.ADMIN, ANQING))
    closes = in_days(30)
    response = admin.post(reverse("evaluations:round_create"), round_post(recommendation_closes=closes.isoformat()))
    assert response.status_code == 400 or "推荐截止日期须晚于申报截止日期" in response.content.decode()
    assert not Round.objects.exists()
    admin.post(reverse("evaluations:round_create"), round_post(recommendation_closes=(closes + timedelta(days=14)).isoformat()))
    assert Round.objects.get().recommendation_closes == closes + timedelta(days=14)


def test_the_recommendation_deadline_is_optional(login, staff_user):
    login(staff_user(Role.ADMIN, ANQING)).post(reverse("evaluations:round_create"), round_post())
    assert Round.objects.get().recommendation_closes is None


def test_the_window_cannot_be_extended_past_the_recommendation_deadline(login, staff_user, db):
    round = RoundFactory(stage="open", recommendation_closes=in_days(30))
    admin = login(staff_user(Role.ADMIN, ANQING))
    url = reverse("evaluations:round_transition", args=[round.pk, "extend"])
    page = admin.post(url, {"application_closes": in_days(30).isoformat(), "reason": "延长"}, follow=True).content.decode()
    assert f"申报截止日期须早于推荐截止日期（{in_days(30).isoformat()}）" in page
    admin.post(url, {"application_closes": in_days(25).isoformat(), "reason": "延长"})
    round.refresh_from_db()
    assert round.application_closes == in_days(25)
    assert f"推荐截止 {in_days(30).isoformat()}" in admin.get(round.get_absolute_url()).content.decode()


# Navigation --------------------------------------------------------------------------------


def header(client):
    page = client.get(reverse("home")).content.decode()
    return page.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]


def test_a_leader_sees_my_collective_and_no_workbench(login, leader):
    nav = header(login(leader))
    assert "我的集体" in nav and "工作台" not in nav


def test_staff_who_lead_no_collective_see_the_workbench_only(login, staff_user):
    nav = header(login(staff_user(Role.REVIEWER, DAGUAN)))
    assert "工作台" in nav and "我的集体" not in nav


def test_a_staffer_who_leads_a_collective_sees_both(login, staff_user):
    user = staff_user(Role.REVIEWER, DAGUAN)
    CollectiveFactory(leader_account=user)
    nav = header(login(user))
    assert "工作台" in nav and "我的集体" in nav


def workbench_menu(client):
    return todo_page(client).split('<nav class="subnav"', 1)[1].split("</nav>", 1)[0]


@pytest.mark.parametrize(
    "role, shown, hidden",
    [
        (Role.ADMIN, ["待办", "申报备案", "认定批次", "投诉与复核", "工作人员"], ["我的评审"]),
        (Role.REVIEWER, ["待办", "申报备案", "投诉与复核"], ["工作人员", "我的评审"]),
        (Role.VIEWER, ["待办", "申报备案", "认定批次"], ["投诉与复核", "工作人员", "我的评审"]),
        (Role.EXPERT, ["待办", "我的评审"], ["申报备案", "认定批次", "投诉与复核", "工作人员"]),
    ],
)
def test_the_workbench_menu_offers_what_the_role_can_use(login, staff_user, role, shown, hidden):
    menu = workbench_menu(login(staff_user(role, DAGUAN)))
    assert all(label in menu for label in shown), menu
    assert not any(label in menu for label in hidden), menu


def test_a_reviewer_with_assignments_sees_my_reviews(login, staff_user, db):
    user = staff_user(Role.REVIEWER, ANQING)
    ReviewAssignment.objects.create(application=ApplicationFactory(status="review"), expert=user, assigned_by=UserFactory())
    assert "我的评审" in workbench_menu(login(user))


# Query counts ------------------------------------------------------------------------------


def fill_the_to_do_list():
    """Something of every kind, at every node a test user below may hold."""
    ComplaintFactory()
    CollectiveFactory(status="submitted")
    named = CollectiveFactory(status="registered", honor_level="city")
    ChangeRequest.objects.create(collective=named, requested_by=named.leader_account, name="新名称", workplace_unit=named.workplace_unit)
    CampaignFactory(node=committee(ANQING))
    CampaignFactory(node=committee(DAGUAN))
    round = RoundFactory(node=committee(ANHUI), stage="review", application_closes=in_days(-10), recommendation_closes=in_days(-1))
    ApplicationFactory(round=round, status="pending", current_node=committee(DAGUAN))
    ApplicationFactory(round=round, status="pending", current_node=committee("340822"))
    RoundFactory(application_closes=in_days(2))


def test_the_to_do_page_costs_the_same_queries_for_one_or_five_memberships(login, db, django_assert_max_num_queries):
    fill_the_to_do_list()
    places = [(ANHUI, Role.ADMIN), (ANQING, Role.ADMIN), (DAGUAN, Role.REVIEWER), (YINGJIANG, Role.REVIEWER), (ANQING, Role.EXPERT)]
    counts = []
    for memberships in (1, 5):
        user = UserFactory()
        for where, role in places[:memberships]:
            MembershipFactory(user=user, node=committee(where), role=role)
        client = login(user)
        client.get(TODO)  # the campaign figures are cached after the first visit
        with django_assert_max_num_queries(TODO_QUERIES) as captured:
            page = todo_page(client)
        counts.append(len(captured))
    assert "待审核的备案申请" in page and "待处理的已命名集体变更" in page and "超过推荐截止日期" in page and "尚未报送活动" in page
    assert counts[0] == counts[1]


def test_the_first_visit_counts_at_most_three_campaigns(login, staff_user, django_assert_max_num_queries):
    fill_the_to_do_list()
    for _ in range(5):
        CampaignFactory(node=committee(ANQING))
    client = login(staff_user(Role.ADMIN, ANQING))
    with django_assert_max_num_queries(TODO_QUERIES + 3):
        assert todo_page(client).count("尚未报送活动") == 3


def test_anonymous_pages_pay_nothing_for_the_navigation(client, db, django_assert_num_queries):
    client.get(reverse("home"))
    # The home page's content is cached: the navigation adds none.
    with django_assert_num_queries(0):
        header(client)


def test_anonymous_visitors_are_sent_to_login(client, db):
    response = client.get(TODO)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
