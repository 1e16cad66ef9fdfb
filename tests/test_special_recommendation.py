"""特别推荐: a committee admin recommends a collective outside the normal path, with a reason and supporting material;
the round says which rules are relaxed for it and how many it takes; the recommendation climbs the same chain and
is marked as special on the lists and in the 推荐汇总表. Through HTTP, as the staff act."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.audit.models import AuditEntry
from apps.evaluations.eligibility import check_eligibility, is_eligible
from apps.evaluations.enums import AppStatus, RoundStage
from apps.evaluations.models import Application
from apps.notifications.models import Notification

from .conftest import committee
from .evaluation_factories import ApplicationFactory, RoundFactory, eligible_collective
from .pdfs import clean_pdf
from .test_exports import column, rows

pytestmark = pytest.mark.django_db

REASON = "在2026年抗洪抢险中连续奋战72小时，保障全市供电"
SMALL_TEAM = [date(1995, 5, 1), date(1998, 3, 2), date(1999, 7, 8)]  # three members: below the size rule


def material():
    return SimpleUploadedFile("抢险事迹.pdf", clean_pdf(), content_type="application/pdf")


def special_round(**kwargs):
    """A city round of 安庆 taking two special recommendations, with the size and youth rules relaxed for them."""
    kwargs.setdefault("special_quota", 2)
    kwargs.setdefault("rule_settings", {"special_relaxed": ["composition"]})
    return RoundFactory(**kwargs)


def recommend_specially(client, round, collective, reason=REASON):
    return client.post(
        reverse("evaluations:special_recommendation", args=[round.pk]),
        {"collective": collective.registration_number, "reason": reason, "material": material()},
        follow=True,
    )


def test_a_county_admin_recommends_a_small_team_specially_and_it_reaches_the_citys_review(login, staff_user):
    round = special_round()
    collective = eligible_collective(members=SMALL_TEAM)
    assert not is_eligible(check_eligibility(collective, round))  # the normal path is closed to it
    city_reviewer = staff_user("reviewer", "340800")
    county = login(staff_user("admin", "340803"))

    form = county.get(reverse("evaluations:special_recommendation", args=[round.pk])).content.decode()
    assert "成员人数与青年占比" in form  # the rules this round relaxes for it

    page = recommend_specially(county, round, collective).content.decode()
    assert f"已特别推荐：{collective.name}" in page
    application = Application.objects.get(round=round, collective=collective)
    # The county's recommendation, then the city's own review: the chain of a county collective in a city round.
    assert application.status == AppStatus.REVIEW and application.current_node is None
    assert application.special_by == committee("340803") and application.special_reason == REASON
    recommendation = application.recommendations.get()
    assert (recommendation.node, recommendation.decision, recommendation.comment) == (committee("340803"), "recommend", REASON)
    assert application.attachments.get().original_name == "抢险事迹.pdf"
    entry = AuditEntry.objects.for_object(application).get(action="special_recommend")
    assert (entry.from_state, entry.to_state, entry.comment) == ("draft", "review", REASON)
    assert Notification.objects.filter(recipient=collective.leader_account, subject__contains="特别推荐").exists()
    assert Notification.objects.filter(recipient=city_reviewer, subject__contains=collective.name).exists()

    # Marked as special on the staff's pages, with the relaxed rule said as such.
    city = login(staff_user("admin", "340800"))
    detail = city.get(reverse("evaluations:application_detail", args=[application.pk])).content.decode()
    assert "特别推荐" in detail and REASON in detail and "已对特别推荐放宽" in detail
    queue = city.get(reverse("evaluations:application_queue") + "?tab=review").content.decode()
    assert collective.name in queue and 'class="badge special"' in queue
    round.stage = RoundStage.REVIEW  # applications closed: the score table shows
    round.save(update_fields=["stage"])
    assert 'class="badge special"' in city.get(round.get_absolute_url()).content.decode()


def test_in_a_provincial_round_it_climbs_from_the_county_to_the_city_which_recommends_it_on(login, staff_user):
    round = special_round(node=committee("340000"))
    collective = eligible_collective(members=SMALL_TEAM)
    recommend_specially(login(staff_user("admin", "340803")), round, collective)
    application = Application.objects.get(round=round)
    assert application.status == AppStatus.PENDING and application.current_node == committee("340800")

    city = login(staff_user("reviewer", "340800"))
    city.post(reverse("evaluations:application_recommend", args=[application.pk]), {"rank": "1", "confirmed": "1"})
    application.refresh_from_db()
    assert application.status == AppStatus.REVIEW and application.is_special
    assert list(application.recommendations.values_list("node__region_id", flat=True)) == ["340803", "340800"]


def test_a_special_recommendation_sent_back_and_resubmitted_returns_to_the_committee_that_made_it(login, staff_user):
    round = special_round(node=committee("340000"))
    collective = eligible_collective(members=SMALL_TEAM)
    recommend_specially(login(staff_user("admin", "340803")), round, collective)
    application = Application.objects.get(round=round)
    city = login(staff_user("reviewer", "340800"))
    city.post(reverse("evaluations:application_send_back", args=[application.pk]), {"decision": "return", "comment": "请补充抢险现场照片"})
    application.refresh_from_db()
    assert application.status == AppStatus.RETURNED

    leader = login(collective.leader_account)
    items = {f"item_{item.pk}": str(item.max_points) for item in round.rubric_items.all()}
    leader.post(reverse("evaluations:edit_application", args=[application.pk]), {"action": "submit", "deeds": REASON, **items})
    application.refresh_from_db()
    # The county that recommended it specially decides again (relaxed rules still apply), then the city.
    assert application.status == AppStatus.PENDING and application.current_node == committee("340803")
    login(staff_user("reviewer", "340803")).post(reverse("evaluations:application_recommend", args=[application.pk]), {"rank": "1", "confirmed": "1"})
    application.refresh_from_db()
    assert application.status == AppStatus.PENDING and application.current_node == committee("340800")


def test_the_round_admin_recommends_specially_straight_into_its_review(login, staff_user):
    round = special_round()
    collective = eligible_collective(members=SMALL_TEAM)
    recommend_specially(login(staff_user("admin", "340800")), round, collective)
    application = Application.objects.get(round=round)
    assert application.status == AppStatus.REVIEW and application.special_by == round.node
    assert not application.recommendations.exists()  # no committee below spoke for it


def test_the_rules_the_round_does_not_relax_still_apply(login, staff_user):
    round = special_round()
    collective = eligible_collective(members=SMALL_TEAM, supervision_phone="")
    page = recommend_specially(login(staff_user("admin", "340803")), round, collective).content.decode()
    assert "特别推荐仍须符合的条件" in page
    assert not Application.objects.exists()


def test_a_rule_not_relaxed_by_the_round_is_not_relaxed(login, staff_user):
    round = special_round(rule_settings={"special_relaxed": ["recent_reports"]})
    collective = eligible_collective(members=SMALL_TEAM)
    recommend_specially(login(staff_user("admin", "340803")), round, collective)
    assert not Application.objects.exists()


def test_special_recommendations_count_within_the_rounds_quota(login, staff_user):
    round = special_round(special_quota=1)
    county = login(staff_user("admin", "340803"))
    first, second = eligible_collective(members=SMALL_TEAM), eligible_collective(members=SMALL_TEAM)
    recommend_specially(county, round, first)
    page = recommend_specially(county, round, second).content.decode()
    assert "本批次1个特别推荐名额已用完" in page
    assert list(Application.objects.values_list("collective", flat=True)) == [first.pk]
    # A declined special recommendation frees its place.
    Application.objects.filter(collective=first).update(status=AppStatus.DECLINED)
    recommend_specially(county, round, second)
    assert Application.objects.filter(collective=second, special_by__isnull=False).exists()


def test_a_round_without_a_special_quota_takes_none(login, staff_user):
    round = special_round(special_quota=0)
    page = login(staff_user("admin", "340803")).get(reverse("evaluations:special_recommendation", args=[round.pk])).content.decode()
    assert "本批次不接受特别推荐" in page and "disabled" in page


def test_a_collective_that_already_applied_is_not_recommended_twice(login, staff_user):
    round = special_round()
    application = ApplicationFactory(round=round, status=AppStatus.PENDING, current_node=committee("340803"))
    page = recommend_specially(login(staff_user("admin", "340803")), round, application.collective).content.decode()
    assert "已有本批次的申报" in page
    application.refresh_from_db()
    assert not application.is_special and application.status == AppStatus.PENDING


def test_the_leaders_own_draft_is_taken_up_by_the_special_recommendation(login, staff_user):
    round = special_round()
    draft = ApplicationFactory(round=round, collective=eligible_collective(members=SMALL_TEAM))
    recommend_specially(login(staff_user("admin", "340803")), round, draft.collective)
    draft.refresh_from_db()
    assert draft.is_special and draft.status == AppStatus.REVIEW and draft.deeds == "服务群众，创先争优。"


def test_bad_input_is_named_and_nothing_is_saved(login, staff_user):
    round = special_round()
    county = login(staff_user("admin", "340803"))
    url = reverse("evaluations:special_recommendation", args=[round.pk])
    hefei = eligible_collective(region=committee("340100").region, registration_number="340100-2024-00001")
    response = county.post(url, {"collective": hefei.registration_number, "reason": " ", "material": material()})
    page = response.content.decode()
    assert response.status_code == 200 and "范围内没有此编号的已登记集体" in page and "请说明" in page
    not_a_pdf = SimpleUploadedFile("x.pdf", b"MZ not a pdf", content_type="application/pdf")
    collective = eligible_collective(members=SMALL_TEAM)
    response = county.post(url, {"collective": collective.registration_number, "reason": REASON, "material": not_a_pdf})
    assert response.status_code == 200 and not Application.objects.exists()


def test_an_admin_of_another_county_cannot_recommend_this_countys_collective(login, staff_user):
    round = special_round()
    collective = eligible_collective(members=SMALL_TEAM)
    page = recommend_specially(login(staff_user("admin", "340822")), round, collective).content.decode()
    assert "不在您管理的团委登记" in page and not Application.objects.exists()


@pytest.mark.parametrize("stage", [RoundStage.DRAFT, RoundStage.NOTICE, RoundStage.NAMED])
def test_no_special_recommendation_outside_the_rounds_open_and_review_stages(login, staff_user, stage):
    round = special_round(stage=stage)
    collective = eligible_collective(members=SMALL_TEAM)
    response = recommend_specially(login(staff_user("admin", "340803")), round, collective)
    assert "不能再进行此操作" in response.content.decode()
    assert not Application.objects.exists()


def test_the_recommendation_summary_and_the_exports_mark_it_special(login, staff_user):
    round = special_round()
    collective = eligible_collective(members=SMALL_TEAM)
    county_admin = staff_user("admin", "340803")
    recommend_specially(login(county_admin), round, collective)
    summary = rows(login(county_admin).get(reverse("evaluations:recommendation_summary", args=[round.pk, committee("340803").pk])))
    assert column(summary, "特别推荐")[0] == f"特别推荐：{REASON}"  # the first row, above the signature area
    city = login(staff_user("admin", "340800"))
    export = rows(city.get(reverse("evaluations:application_export") + f"?tab=all&round={round.pk}"))
    assert column(export, "特别推荐") == [f"特别推荐：{REASON}"]


def test_the_queue_costs_the_same_queries_with_more_special_recommendations(login, staff_user):
    round = special_round(special_quota=10)
    county = login(staff_user("admin", "340803"))
    recommend_specially(county, round, eligible_collective(members=SMALL_TEAM))
    city = login(staff_user("admin", "340800"))
    url = reverse("evaluations:application_queue") + "?tab=review"

    def queries_for_page():
        with CaptureQueriesContext(connection) as captured:
            assert 'class="badge special"' in city.get(url).content.decode()
        return len(captured)

    one = queries_for_page()
    county = login(staff_user("admin", "340803"))
    for _ in range(3):
        recommend_specially(county, round, eligible_collective(members=SMALL_TEAM))
    city = login(staff_user("admin", "340800"))
    assert queries_for_page() == one


def test_the_bulk_confirmation_marks_a_special_recommendation(login, staff_user):
    round = special_round(node=committee("340000"))  # a provincial round: from the county it waits at the city
    collective = eligible_collective(members=SMALL_TEAM)
    recommend_specially(login(staff_user("admin", "340803")), round, collective)
    application = Application.objects.get(collective=collective, status=AppStatus.PENDING)
    city = login(staff_user("reviewer", "340800"))
    page = city.post(reverse("evaluations:application_bulk"), {"action": "recommend", "ids": [application.pk]}).content.decode()
    assert f"{round.title}（特别推荐）" in page
