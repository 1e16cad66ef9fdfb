"""The round page's score table and the proposed list, through HTTP: paged, sorted, filtered; saved per row or
in bulk through the workflow's steps; quotas shown and kept; only the round's admin, only during the review."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.audit.models import AuditEntry
from apps.evaluations import workflow
from apps.evaluations.models import Application, ReviewAssignment, RoundQuota
from apps.organizations.models import Region

from .conftest import ROLES, committee
from .evaluation_factories import ApplicationFactory, RoundFactory, eligible_collective
from .factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

DAGUAN, YINGJIANG = "340803", "340802"


def scored_application(round, experts, total_points, region=DAGUAN, name=None, **kwargs):
    """An application in review scored by each expert: every item gets `total_points` spread over the rubric."""
    collective_kwargs = {"region": Region.objects.get(code=region)} | ({"name": name} if name else {})
    application = ApplicationFactory(round=round, status="review", collective=eligible_collective(**collective_kwargs), **kwargs)
    items = list(round.rubric_items.all())
    for offset, expert in enumerate(experts):
        score = total_points + offset  # experts disagree a little: a spread
        share = {str(item.pk): score * item.max_points / 100 for item in items}
        assignment = ReviewAssignment.objects.create(application=application, expert=expert, assigned_by=expert)
        workflow.submit_scores(assignment.pk, expert, share, "")  # the step that keeps the stored figures
    application.refresh_from_db()
    return application


@pytest.fixture
def round():
    return RoundFactory(stage="review", quota=10)


@pytest.fixture
def experts():
    return [UserFactory(real_name="王专家"), UserFactory(real_name="李专家")]


@pytest.fixture
def admin(round, login):
    return login(MembershipFactory(role="admin", node=round.node).user)


def page_of(client, round, **query):
    response = client.get(reverse("evaluations:round_detail", args=[round.pk]), query)
    assert response.status_code == 200
    return response


def shown(client, round, **query):
    return [row["application"] for row in page_of(client, round, **query).context["score_rows"]]


def step(round, name):
    return reverse("evaluations:round_transition", args=[round.pk, name])


def proposed_pks(round):
    return set(round.applications.filter(proposed=True).values_list("pk", flat=True))


def test_the_table_is_paged_by_fifty_and_the_links_keep_the_filter(admin, round, experts):
    for points in range(55):
        scored_application(round, experts, 40 + points // 2)
    page = page_of(admin, round, sort="name", proposed="no").content.decode()
    assert page.count('name="application"') == 50
    assert "?sort=name&amp;proposed=no&amp;page=2" in page
    assert page_of(admin, round, sort="name", proposed="no", page=2).content.decode().count('name="application"') == 5


def test_the_last_page_and_a_name_search_past_the_count_limit(admin, round, experts, monkeypatch):
    applications = [scored_application(round, experts, 40 + n % 7, name=f"班组{n:02d}") for n in range(55)]
    by_name = sorted(applications, key=lambda a: (a.collective.name, a.pk))
    # The back half is read from the other end of the order: the same rows as reading forwards.
    assert shown(admin, round, sort="name", page=2) == by_name[50:]
    monkeypatch.setattr("civpost.lists.COUNT_LIMIT", 50)  # a search stops counting there, as at 1,000
    page = page_of(admin, round, q="班组", sort="name").content.decode()
    assert "（1,000+）" in page and "请缩小搜索范围" in page
    assert "（55）" in page_of(admin, round, sort="name").content.decode()  # no search: the exact count
    # In the default order (best mean first) the search counts in that order: the same figures.
    assert "（1,000+）" in page_of(admin, round, q="班组").content.decode()
    assert "（10）" in page_of(admin, round, q="班组0").content.decode()


def test_a_name_search_ignores_case_and_matches_digits(admin, round, experts):
    latin = scored_application(round, experts, 70, name="ABC Team 7")
    scored_application(round, experts, 80, name="供电班组")
    assert shown(admin, round, q="abc team") == [latin]
    assert shown(admin, round, q="7") == [latin]


def test_sorting_by_mean_and_filtering_by_committee_proposed_and_name(admin, round, experts):
    low = scored_application(round, experts, 60, name="低分班组")
    high = scored_application(round, experts, 90, region=YINGJIANG, name="高分班组", proposed=True)
    assert shown(admin, round) == [high, low]
    assert shown(admin, round, sort="mean") == [low, high]
    assert shown(admin, round, sort="name") == [low, high]  # 低 before 高 in the collation
    assert shown(admin, round, sort="committee") == [high, low]  # 迎江区 (…0001) before 大观区
    assert shown(admin, round, committee=committee(YINGJIANG).pk) == [high]
    assert shown(admin, round, proposed="no") == [low]
    assert shown(admin, round, q="低分") == [low]
    # Means and spread come from the database: 60 and 61 → 60.5, spread 0.5; per item 20 × 60.5%.
    row = page_of(admin, round, q="低分").context["score_rows"][0]
    assert (row["mean"], row["spread"], row["item_means"][0]) == (60.5, 0.5, 12.1)
    assert row["committee"] == committee(DAGUAN)


def test_the_experts_workload_is_shown_by_name(admin, round, experts):
    scored_application(round, experts, 70), scored_application(round, experts, 80)
    page = page_of(admin, round)
    assert {(w["name"], w["assigned"], w["scored"]) for w in page.context["workload"]} == {("王专家", 2, 2), ("李专家", 2, 2)}
    assert "王专家" in page.content.decode()


def test_the_page_costs_the_same_queries_whatever_the_round_size(admin, round, experts):
    RoundQuota.objects.create(round=round, node=committee(DAGUAN), quota=3)

    def queries_of_a_page_with(count, reviewers):
        for points in range(count):
            scored_application(round, reviewers, 40 + points % 50, region=(DAGUAN, YINGJIANG)[points % 2], proposed=points % 3 == 0)
        page_of(admin, round)  # warm the caches of the session and the tree
        with CaptureQueriesContext(connection) as queries:
            page_of(admin, round, sort="committee", proposed="no")
        return len(queries)

    # The experts shown by name in every row and in the workload table, more of them the second time: the same count.
    # 25 with the step bar (what blocks publishing: one aggregate), the bulk assignment form (the experts) and the
    # workload's names (read after counting).
    more_experts = experts + [UserFactory(real_name=f"专家{n}") for n in range(3)]
    assert queries_of_a_page_with(10, experts) == queries_of_a_page_with(50, more_experts) <= 25  # 10, then 60 applications


def test_toggling_one_row_and_back_keeps_the_page(admin, round, experts):
    application = scored_application(round, experts, 70)
    back = reverse("evaluations:round_detail", args=[round.pk]) + "?sort=name&page=1"
    response = admin.post(step(round, "propose"), {"application": application.pk, "proposed": "on", "next": back})
    assert response.status_code == 302 and response.url == back
    assert proposed_pks(round) == {application.pk}
    entry = AuditEntry.objects.for_object(application).get(action="propose")
    assert entry.changes == {"proposed": [False, True]}
    admin.post(step(round, "propose"), {"application": application.pk, "next": "https://evil.example/"})
    assert proposed_pks(round) == set()


def test_a_row_of_another_round_cannot_be_toggled(admin, round, experts):
    other = scored_application(RoundFactory(stage="review"), experts, 70)
    response = admin.post(step(round, "propose"), {"application": other.pk, "proposed": "on"})
    assert response.status_code == 302
    assert "不在本轮评审中" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert not Application.objects.get(pk=other.pk).proposed


def test_the_top_n_keeps_each_committees_quota(admin, round, experts):
    daguan = [scored_application(round, experts, 90 - i) for i in range(4)]
    yingjiang = [scored_application(round, experts, 70 - i, region=YINGJIANG) for i in range(4)]
    RoundQuota.objects.create(round=round, node=committee(DAGUAN), quota=2)
    stale = scored_application(round, experts, 10, proposed=True)
    admin.post(step(round, "propose_top"), {"count": "5"})
    # The best two of 大观区 (its quota), then the best three of 迎江区; the earlier list is replaced.
    assert proposed_pks(round) == {a.pk for a in daguan[:2] + yingjiang[:3]}
    assert stale.pk not in proposed_pks(round)
    entry = AuditEntry.objects.for_object(round).get(action="select")
    assert entry.changes == {"proposed": [1, 5]}
    uses = dict((share.node.name, used) for share, used in page_of(admin, round).context["quota_shares"])
    assert uses == {"共青团大观区委": 2}


def test_propose_all_filtered_and_clear(admin, round, experts):
    daguan = scored_application(round, experts, 80)
    yingjiang = scored_application(round, experts, 70, region=YINGJIANG)
    admin.post(step(round, "propose_filtered"), {"committee": committee(YINGJIANG).pk, "proposed": "", "q": ""})
    assert proposed_pks(round) == {yingjiang.pk}
    admin.post(step(round, "propose_filtered"), {"committee": "", "proposed": "", "q": ""})
    assert proposed_pks(round) == {daguan.pk, yingjiang.pk}
    admin.post(step(round, "clear_selection"))
    assert proposed_pks(round) == set()


def test_over_quota_is_shown_and_publishing_refused(admin, experts):
    round = RoundFactory(stage="review", quota=1)
    scored_application(round, experts, 80, proposed=True), scored_application(round, experts, 70, proposed=True)
    page = page_of(admin_of := admin, round)
    assert page.context["quota_total"] == 2
    assert 'class="over-quota"' in page.content.decode()
    admin_of.post(step(round, "publish"))
    round.refresh_from_db()
    assert round.stage == "review"


def test_the_notice_publishes_exactly_the_proposed(admin, round, experts):
    chosen = scored_application(round, experts, 90)
    left = scored_application(round, experts, 50)
    admin.post(step(round, "propose_top"), {"count": "1"})
    admin.post(step(round, "publish"))
    round.refresh_from_db()
    assert round.stage == "notice"
    assert set(round.applications.filter(status="notice").values_list("pk", flat=True)) == {chosen.pk}
    assert Application.objects.get(pk=left.pk).status == "not_selected"


@pytest.mark.parametrize("name", ["propose_top", "propose_filtered", "clear_selection", "propose"])
def test_only_during_the_review(admin, experts, name):
    round = RoundFactory(stage="review")
    application = scored_application(round, experts, 80)
    round.stage = "notice"
    round.save()
    admin.post(step(round, name), {"count": "1", "application": application.pk, "proposed": "on"})
    assert proposed_pks(round) == set()


# Every role of the round's committee but its admin, and every role of a county below it (its admin too).
OTHERS = [(role, "340800") for role in ROLES if role != "admin"] + [(role, DAGUAN) for role in ROLES]


@pytest.mark.parametrize("role,where", OTHERS)
@pytest.mark.parametrize("name", ["propose_top", "propose_filtered", "clear_selection", "propose"])
def test_only_the_rounds_admin_may_change_the_list(login, round, experts, role, where, name):
    application = scored_application(round, experts, 80, proposed=True)
    node = committee(where)
    client = login(MembershipFactory(role=role, node=node).user)
    response = client.post(step(round, name), {"count": "1", "application": application.pk})
    assert response.status_code == 403
    assert proposed_pks(round) == {application.pk}
    detail = client.get(reverse("evaluations:round_detail", args=[round.pk]))
    assert detail.status_code in (200, 403, 404)
    if detail.status_code == 200:
        assert "score_rows" not in detail.context and 'name="application"' not in detail.content.decode()


def test_a_star_grade_is_saved_with_its_row(login, experts):
    round = RoundFactory(node=committee("100000"), stage="review", has_stars=True, edition=22)
    application = scored_application(round, experts, 80)
    admin = login(MembershipFactory(role="admin", node=round.node).user)
    assert 'name="star_grade"' in page_of(admin, round).content.decode()
    admin.post(step(round, "propose"), {"application": application.pk, "proposed": "on", "star_grade": "2"})
    application.refresh_from_db()
    assert (application.proposed, application.star_grade) == (True, 2)
    admin.post(step(round, "propose"), {"application": application.pk})
    application.refresh_from_db()
    assert (application.proposed, application.star_grade) == (False, None)
