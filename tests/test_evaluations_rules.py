"""Rules of the honour workflow: eligibility edges, the recommendation chain, notice periods, quotas, objections."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from apps.evaluations import workflow
from apps.evaluations.dates import add_working_days, shift_months
from apps.evaluations.eligibility import check_eligibility, is_eligible
from apps.evaluations.models import Objection, RoundQuota

from .conftest import committee
from .evaluation_factories import ApplicationFactory, HonorFactory, RoundFactory, eligible_collective
from .factories import MembershipFactory

pytestmark = pytest.mark.django_db


def birthday_years_before(day, years):
    return day.replace(year=day.year - years)


def check(checks, starts_with):
    return next(c for c in checks if c.label.startswith(starts_with))


def collective_with_ages(round, ages, leader_age=30):
    """Members aged exactly `ages` on the round's reference date (the day applications close)."""
    reference = round.reference_date
    births = [birthday_years_before(reference, leader_age)] + [birthday_years_before(reference, age) for age in ages]
    return eligible_collective(members=births)


@pytest.fixture
def round(db):
    return RoundFactory(application_closes=date(2026, 12, 15), application_opens=date(2026, 11, 1))


def test_a_member_aged_exactly_35_counts_as_young(round):
    collective = collective_with_ages(round, [35, 35, 36, 36, 36])  # leader 30 + two of 35 = 3 of 6 = 50%
    share = check(check_eligibility(collective, round), "35周岁以下成员占比")
    assert share.passed
    assert share.detail.startswith("50%")


def test_a_member_one_day_past_35_does_not(round):
    reference = round.reference_date
    almost_36 = birthday_years_before(reference, 36) + timedelta(days=1)  # still 35 on the reference date
    just_36 = birthday_years_before(reference, 36)
    collective = eligible_collective(members=[birthday_years_before(reference, 30), almost_36, just_36, just_36, just_36, just_36])
    share = check(check_eligibility(collective, round), "35周岁以下成员占比")
    assert not share.passed
    assert share.detail.startswith("33.3%")


def test_share_just_below_the_threshold_fails(round):
    round.youth_share_percent = 60
    collective = collective_with_ages(round, [30, 30, 50, 50, 50])  # 3 of 6 = 50% < 60%
    share = check(check_eligibility(collective, round), "35周岁以下成员占比")
    assert not share.passed and "要求不低于60%" in share.detail


@pytest.mark.parametrize(("age", "passes"), [(40, True), (41, False)])
def test_leader_age_limit(round, age, passes):
    collective = collective_with_ages(round, [25, 25, 25, 25, 25], leader_age=age)
    assert check(check_eligibility(collective, round), "号长年龄").passed is passes


@pytest.mark.parametrize(("months_before", "passes"), [(12, True), (11, False)])
def test_aspiring_period(round, months_before, passes):
    collective = eligible_collective(registered_on=shift_months(round.reference_date, -months_before))
    assert check(check_eligibility(collective, round), "作为争创集体满").passed is passes


def test_too_few_members(round):
    collective = eligible_collective(members=[date(1995, 1, 1)] * 5)
    checks = check_eligibility(collective, round)
    assert not check(checks, "成员人数").passed and not is_eligible(checks)


def test_provincial_round_requires_the_city_title_for_a_year(round):
    provincial = RoundFactory(node=committee("340000"), lower_level_years=1, application_closes=date(2026, 12, 15))
    collective = eligible_collective()
    assert not check(check_eligibility(collective, provincial), "获得市级青年文明号满").passed
    HonorFactory(application__collective=collective, application__round=round, named_on=date(2025, 12, 1))
    assert check(check_eligibility(collective, provincial), "获得市级青年文明号满").passed


def test_revocation_bars_reapplication(round):
    collective = eligible_collective()
    HonorFactory(application__collective=collective, status="revoked", revoked_on=date(2025, 6, 1), level="county")
    assert not check(check_eligibility(collective, round), "近2年内无称号被撤销").passed


def test_collective_outside_the_round_subtree_is_not_eligible():
    hefei_round = RoundFactory(node=committee("340100"))
    assert not is_eligible(check_eligibility(eligible_collective(), hefei_round))


def test_chain_from_a_county_to_the_province():
    assert [n.region_id for n in workflow.chain(committee("340803"), committee("340000"))] == ["340803", "340800"]
    assert workflow.chain(committee("340800"), committee("340800")) == []


def test_an_industry_unit_stands_in_for_the_regional_chain():
    unit = committee("国网安庆供电公司")
    assert workflow.chain(unit, committee("340000")) == [unit]


def test_notice_period_skips_the_weekend():
    friday = date(2026, 11, 27)
    assert add_working_days(friday, 5) == date(2026, 12, 3)  # Fri, Mon, Tue, Wed, Thu
    saturday = date(2026, 11, 28)
    assert add_working_days(saturday, 1) == date(2026, 11, 30)
    assert add_working_days(friday, 5, holidays={date(2026, 12, 1)}) == date(2026, 12, 4)


def in_review(round, **kwargs):
    return ApplicationFactory(round=round, status="review", proposed=True, scored=True, **kwargs)


def round_admin(round):
    return MembershipFactory(role="admin", node=round.node).user


def test_publishing_over_quota_is_refused():
    round = RoundFactory(stage="review", quota=1)
    in_review(round), in_review(round)
    with pytest.raises(workflow.TransitionError, match="超过名额1个"):
        workflow.publish_notice(round.pk, round_admin(round))


def test_per_committee_quota():
    round = RoundFactory(stage="review", quota=5)
    RoundQuota.objects.create(round=round, node=committee("340803"), quota=1)
    in_review(round), in_review(round)
    with pytest.raises(workflow.TransitionError, match="共青团大观区委拟命名2个"):
        workflow.publish_notice(round.pk, round_admin(round))


def test_publishing_on_a_friday_closes_the_notice_on_thursday():
    round = RoundFactory(stage="review")
    in_review(round)
    notice = workflow.publish_notice(round.pk, round_admin(round), today=date(2026, 11, 27))
    assert notice.closes_on == date(2026, 12, 3)


def test_an_open_objection_blocks_naming_and_an_upheld_one_withdraws_the_entry():
    round = RoundFactory(stage="review")
    kept, contested = in_review(round), in_review(round)
    admin = round_admin(round)
    notice = workflow.publish_notice(round.pk, admin, today=date(2026, 11, 27))
    objection = Objection.objects.create(notice=notice, application=contested, contact="13912345678", text="不属实")
    after_period = date(2026, 12, 4)
    with pytest.raises(workflow.TransitionError, match="还有1条异议未处理"):
        workflow.name(round.pk, admin, today=after_period)
    with pytest.raises(workflow.TransitionError, match="公示期至2026-12-03结束"):
        workflow.name(round.pk, admin, today=date(2026, 12, 3))
    workflow.resolve_objection(objection.pk, admin, upheld=True, reason="核实属实")
    honors = workflow.name(round.pk, admin, today=after_period)
    assert [h.collective_id for h in honors] == [kept.collective_id]
    contested.refresh_from_db()
    assert contested.status == "withdrawn"


def test_star_graded_round_needs_a_grade_for_every_entry():
    round = RoundFactory(node=committee("100000"), stage="review", has_stars=True, edition=22)
    application = in_review(round)
    admin = round_admin(round)
    with pytest.raises(workflow.TransitionError, match="星级"):
        workflow.publish_notice(round.pk, admin)
    application.star_grade = 2
    application.save()
    workflow.publish_notice(round.pk, admin, today=date(2026, 11, 27))
    honor = workflow.name(round.pk, admin, today=date(2026, 12, 10))[0]
    assert honor.title == "二星级全国青年文明号"
    assert honor.certificate_number == "N100000-2026-00001"


def test_conflict_of_interest_by_membership_and_by_leading():
    round = RoundFactory(stage="review")
    application = in_review(round)
    admin = round_admin(round)
    county_expert = MembershipFactory(role="expert", node=committee("340803")).user
    with pytest.raises(workflow.TransitionError, match="利益冲突"):
        workflow.assign(application.pk, admin, [county_expert])
    leader_expert = MembershipFactory(role="expert", node=round.node, user=application.collective.leader_account).user
    with pytest.raises(workflow.TransitionError, match="利益冲突"):
        workflow.assign(application.pk, admin, [leader_expert])
    outsider = MembershipFactory(role="expert", node=committee("340100")).user
    with pytest.raises(workflow.TransitionError, match="不是本批次的评审专家"):
        workflow.assign(application.pk, admin, [outsider])


def test_scores_must_stay_within_each_maximum():
    round = RoundFactory(stage="review")
    application = ApplicationFactory(round=round, status="review", proposed=True)
    expert = MembershipFactory(role="expert", node=round.node).user
    workflow.assign(application.pk, round_admin(round), [expert])
    items = list(round.rubric_items.all())
    too_high = {str(i.pk): i.max_points + 1 for i in items}
    with pytest.raises(workflow.TransitionError):
        workflow.submit_scores(application.assignments.get().pk, expert, too_high, "")


def test_submission_is_rechecked_on_the_server():
    round = RoundFactory()
    application = ApplicationFactory(round=round, collective=eligible_collective(registered_on=timezone.localdate()))
    with pytest.raises(workflow.TransitionError, match="尚未符合本批次全部申报条件"):
        workflow.submit(application.pk, application.collective.leader_account)


def test_round_timeline_uses_round_stage_names():
    round = RoundFactory(stage="draft")
    workflow.open_round(round.pk, round_admin(round))
    entry = workflow.timeline(round)[-1]
    assert (entry.action_label, entry.from_label, entry.to_label) == ("开始申报", "筹备中", "申报中")


def test_recent_activity_reports_rule(round):
    from .activity_factories import ReportFactory

    round.min_recent_reports = 2
    collective = eligible_collective()
    ReportFactory(collective=collective, held_on=round.reference_date - timedelta(days=30))
    ReportFactory(collective=collective, held_on=round.reference_date - timedelta(days=400))  # too old
    ReportFactory(collective=collective, held_on=round.reference_date - timedelta(days=10), flagged=True)  # hidden
    rule = check(check_eligibility(collective, round), "近12个月至少报送2次活动")
    assert not rule.passed and rule.detail == "已报送1次"
    ReportFactory(collective=collective, held_on=round.reference_date - timedelta(days=5))
    assert check(check_eligibility(collective, round), "近12个月至少报送2次活动").passed
