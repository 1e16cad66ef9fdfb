"""Bulk decisions on the staff queues (civpost/bulk.py): one confirmation page with one comment, then each item through
the same workflow step as the single action, and a result page with what was done and what was refused, and why."""

import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.audit.models import AuditEntry, BulkRun
from apps.collectives.models import Collective
from apps.notifications.models import Notification
from civpost import bulk

from .conftest import committee
from .factories import CollectiveFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

DECIDE = reverse("collectives:staff_queue_bulk")
QUEUE = reverse("collectives:staff_queue")


def waiting(count, region="340803"):
    from apps.organizations.models import Region

    place = Region.objects.get(code=region)
    return [CollectiveFactory(status="submitted", region=place) for _ in range(count)]


def result_of(response):
    assert response.status_code == 302, response.content.decode()[:500]
    return BulkRun.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[1]))


def test_ticked_registrations_are_approved_one_by_one_after_one_confirmation(login, staff_user):
    user = staff_user("reviewer", "340803")
    reviewer = login(user)
    collectives = waiting(3)
    ids = [c.pk for c in collectives]

    page = reviewer.post(DECIDE, {"action": "approve", "ids": ids, "query": "status=submitted"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "3" in html and all(c.name in html for c in collectives)
    assert html.count('name="comment"') == 1
    assert Collective.objects.filter(pk__in=ids, status="registered").count() == 0  # nothing happens before confirming

    run = result_of(reviewer.post(DECIDE, {"action": "approve", "ids": ids, "confirmed": "1", "comment": "材料齐全"}))
    assert (run.done, run.refused, run.state) == (3, [], "finished")
    for collective in collectives:
        collective.refresh_from_db()
        assert collective.status == "registered" and collective.registration_number
        entries = AuditEntry.objects.for_object(collective).filter(action="approve")
        assert [(e.actor_id, e.comment) for e in entries] == [(user.pk, "材料齐全")]
        assert Notification.objects.filter(recipient=collective.leader_account, url=f"/my/collectives/{collective.pk}/").count() == 1

    result = reviewer.get(reverse("bulk_result", args=[run.pk])).content.decode()
    assert re.search(r'class="lead done-count">[^<]*\D3\D', result)
    assert 'class="refused"' not in result


def test_all_matching_the_filter_posts_the_query_not_the_rows_and_refuses_what_is_not_at_the_users_node(login):
    user = UserFactory()
    MembershipFactory(user=user, role="reviewer", node=committee("340803"))
    MembershipFactory(user=user, role="viewer", node=committee("340800"))  # sees 安庆, decides only for 大观区
    mine, theirs = waiting(4), waiting(2, region="340802")
    client = login(user)

    confirm = client.post(DECIDE, {"action": "approve", "all": "1", "query": "status=submitted"})
    assert confirm.status_code == 200
    assert "6" in confirm.content.decode()

    run = result_of(client.post(DECIDE, {"action": "approve", "all": "1", "query": "status=submitted", "confirmed": "1"}))
    assert run.done == 4
    assert sorted(pk for pk, _name, _reason in run.refused) == sorted(c.pk for c in theirs)
    assert Collective.objects.filter(pk__in=[c.pk for c in mine], status="registered").count() == 4
    assert Collective.objects.filter(pk__in=[c.pk for c in theirs], status="submitted").count() == 2
    html = client.get(reverse("bulk_result", args=[run.pk])).content.decode()
    for collective in theirs:
        assert collective.name in html
    assert AuditEntry.objects.filter(action="approve").count() == 4
    assert Notification.objects.filter(recipient__in=[c.leader_account for c in theirs]).count() == 0


def test_a_filter_narrows_all_matching(login, staff_user):
    reviewer = login(staff_user("reviewer", "340803"))
    target, other = waiting(2)
    run = result_of(reviewer.post(DECIDE, {"action": "approve", "all": "1", "query": f"status=submitted&q={target.name}", "confirmed": "1"}))
    assert run.item_ids == [target.pk]
    other.refresh_from_db()
    assert other.status == "submitted"


def test_return_needs_the_one_comment_and_sends_it_to_each_leader(login, staff_user):
    reviewer = login(staff_user("reviewer", "340803"))
    collectives = waiting(2)
    ids = [c.pk for c in collectives]
    again = reviewer.post(DECIDE, {"action": "return", "ids": ids, "confirmed": "1", "comment": " "})
    assert again.status_code == 200 and BulkRun.objects.count() == 0
    run = result_of(reviewer.post(DECIDE, {"action": "return", "ids": ids, "confirmed": "1", "comment": "请补充服务承诺"}))
    assert run.done == 2
    for collective in collectives:
        assert Notification.objects.get(recipient=collective.leader_account).body == "请补充服务承诺"
        assert AuditEntry.objects.for_object(collective).get(action="return").comment == "请补充服务承诺"


def test_an_item_that_moved_on_is_refused_with_its_reason_and_the_others_are_done(login, staff_user):
    reviewer = login(staff_user("reviewer", "340803"))
    first, second = waiting(2)
    Collective.objects.filter(pk=first.pk).update(status="returned")
    run = result_of(reviewer.post(DECIDE, {"action": "approve", "ids": [first.pk, second.pk], "confirmed": "1"}))
    assert run.done == 1
    [(pk, name, reason)] = run.refused
    assert (pk, name) == (first.pk, first.name)
    assert Collective.objects.get(pk=first.pk).get_status_display() in reason


def test_ticked_rows_are_capped_at_one_page(login, staff_user):
    reviewer = login(staff_user("reviewer", "340803"))
    collectives = waiting(3)
    ids = [c.pk for c in collectives] * 60  # duplicates and more than MAX_TICKED values
    run = result_of(reviewer.post(DECIDE, {"action": "approve", "ids": ids + list(range(10**6, 10**6 + 200)), "confirmed": "1"}))
    assert run.total == 3


def test_rows_outside_the_users_area_are_never_named_or_touched(login, staff_user):
    reviewer = login(staff_user("reviewer", "340803"))
    elsewhere = waiting(1, region="340802")[0]
    response = reviewer.post(DECIDE, {"action": "approve", "ids": [elsewhere.pk], "confirmed": "1"})
    assert response.status_code == 302 and BulkRun.objects.count() == 0
    elsewhere.refresh_from_db()
    assert elsewhere.status == "submitted"


@pytest.mark.parametrize("role,status", [("viewer", 403), ("expert", 403), ("reviewer", 200), ("admin", 200)])
def test_each_role_against_the_registration_bulk_view(login, staff_user, role, status):
    collective = waiting(1)[0]
    assert login(staff_user(role, "340803")).post(DECIDE, {"action": "approve", "ids": [collective.pk]}).status_code == status


def test_the_leader_and_anonymous_users_cannot_decide(client, login):
    collective = waiting(1)[0]
    assert client.post(DECIDE, {"action": "approve", "ids": [collective.pk]}).status_code == 302  # to the login page
    assert login(collective.leader_account).post(DECIDE, {"action": "approve", "ids": [collective.pk], "confirmed": "1"}).status_code == 403
    collective.refresh_from_db()
    assert collective.status == "submitted"


def test_unknown_actions_and_gets_are_not_found(login, staff_user):
    reviewer = login(staff_user("reviewer", "340803"))
    assert reviewer.post(DECIDE, {"action": "delete"}).status_code == 404
    assert reviewer.get(DECIDE).status_code == 404


def test_only_the_one_who_ran_it_sees_a_result(login, staff_user):
    reviewer = login(staff_user("reviewer", "340803"))
    collective = waiting(1)[0]
    run = result_of(reviewer.post(DECIDE, {"action": "approve", "ids": [collective.pk], "confirmed": "1"}))
    other = login(staff_user("reviewer", "340803"))
    assert other.get(reverse("bulk_result", args=[run.pk])).status_code == 404


def queries(client, method, url, data=None):
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data or {})
        assert response.status_code == 200
    return len(captured)


def test_the_confirmation_and_result_pages_cost_the_same_whatever_the_number_of_items(login, staff_user):
    reviewer = login(staff_user("reviewer", "340803"))
    few, many = waiting(2), waiting(30)
    small = queries(reviewer, "post", DECIDE, {"action": "approve", "all": "1", "query": f"q={few[0].name}"})
    large = queries(reviewer, "post", DECIDE, {"action": "approve", "all": "1", "query": "status=submitted"})
    ticked = queries(reviewer, "post", DECIDE, {"action": "approve", "ids": [c.pk for c in many]})
    assert small == large == ticked
    Collective.objects.filter(pk__in=[c.pk for c in many[:10]]).update(status="returned")
    run_small = result_of(reviewer.post(DECIDE, {"action": "approve", "ids": [few[0].pk], "confirmed": "1"}))
    run_large = result_of(reviewer.post(DECIDE, {"action": "approve", "ids": [c.pk for c in many], "confirmed": "1"}))
    assert len(run_large.refused) == 10
    assert queries(reviewer, "get", reverse("bulk_result", args=[run_small.pk])) == queries(reviewer, "get", reverse("bulk_result", args=[run_large.pk]))


def test_a_large_run_goes_to_the_task_worker_and_its_page_shows_progress(login, staff_user, monkeypatch, django_capture_on_commit_callbacks):
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(bulk, "SYNC_LIMIT", 2)
    # The worker drops connections that are not in autocommit, as a test's transaction is not: it keeps it here.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    reviewer = login(staff_user("reviewer", "340803"))
    collectives = waiting(3)
    with django_capture_on_commit_callbacks(execute=True):
        run = result_of(reviewer.post(DECIDE, {"action": "approve", "all": "1", "query": "status=submitted", "confirmed": "1"}))
    assert run.state == "queued"
    page = reviewer.get(reverse("bulk_result", args=[run.pk])).content.decode()
    assert 'http-equiv="refresh"' in page and "<progress" in page
    call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)
    run.refresh_from_db()
    assert (run.state, run.done) == ("finished", 3)
    assert Collective.objects.filter(pk__in=[c.pk for c in collectives], status="registered").count() == 3
    assert 'http-equiv="refresh"' not in reviewer.get(reverse("bulk_result", args=[run.pk])).content.decode()


# Applications: recommend with ranks, return, decline -------------------------------------------------------------

APPLICATIONS_DECIDE = reverse("evaluations:application_bulk")


def pending_applications(count):
    from apps.evaluations import workflow as evaluations

    from .evaluation_factories import ApplicationFactory, RoundFactory

    round = RoundFactory()
    applications = []
    for _ in range(count):
        application = ApplicationFactory(round=round)
        evaluations.submit(application.pk, application.collective.leader_account)
        applications.append(application)
    return applications


def test_ticked_applications_are_recommended_with_the_ranks_edited_on_the_confirmation_page(login, staff_user):
    from apps.evaluations.models import Recommendation

    reviewer = login(staff_user("reviewer", "340803"))
    first, second, third = pending_applications(3)
    ids = [third.pk, first.pk, second.pk]  # the order chosen
    page = reviewer.post(APPLICATIONS_DECIDE, {"action": "recommend", "ids": ids, "query": "tab=waiting"}).content.decode()
    for rank, pk in enumerate(ids, 1):
        assert f'name="rank_{pk}" value="{rank}"' in page
    before = Notification.objects.count()
    data = {"action": "recommend", "ids": ids, "confirmed": "1", "comment": "推荐", f"rank_{third.pk}": "1", f"rank_{first.pk}": "3", f"rank_{second.pk}": "2"}
    run = result_of(reviewer.post(APPLICATIONS_DECIDE, data))
    assert run.done == 3
    ranks = dict(Recommendation.objects.filter(decision="recommend").values_list("application_id", "rank"))
    assert ranks == {third.pk: 1, first.pk: 3, second.pk: 2}
    assert AuditEntry.objects.filter(action="recommend").count() == 3
    leaders = [a.collective.leader_account for a in (first, second, third)]
    assert Notification.objects.filter(recipient__in=leaders, subject__contains="推荐").count() == 3
    assert Notification.objects.count() > before


def test_all_waiting_applications_are_declined_with_the_one_reason(login, staff_user):
    reviewer = login(staff_user("reviewer", "340803"))
    applications = pending_applications(3)
    run = result_of(reviewer.post(APPLICATIONS_DECIDE, {"action": "decline", "all": "1", "query": "tab=waiting", "confirmed": "1", "comment": "材料不全"}))
    assert run.done == 3
    for application in applications:
        application.refresh_from_db()
        assert application.status == "declined"
        assert AuditEntry.objects.for_object(application).get(action="decline").comment == "材料不全"
        assert Notification.objects.filter(recipient=application.collective.leader_account, body="材料不全").count() == 1


def test_a_committee_above_cannot_recommend_in_the_countys_stead(login, staff_user):
    applications = pending_applications(2)
    city = login(staff_user("reviewer", "340800"))
    run = result_of(city.post(APPLICATIONS_DECIDE, {"action": "return", "ids": [a.pk for a in applications], "confirmed": "1", "comment": "x"}))
    assert run.done == 0 and len(run.refused) == 2
    assert all(reason for _pk, _name, reason in run.refused)
    assert AuditEntry.objects.filter(action="return").count() == 0


@pytest.mark.parametrize("role,status", [("viewer", 403), ("expert", 403), ("reviewer", 200), ("admin", 200)])
def test_each_role_against_the_application_bulk_view(login, staff_user, role, status):
    application = pending_applications(1)[0]
    assert login(staff_user(role, "340803")).post(APPLICATIONS_DECIDE, {"action": "recommend", "ids": [application.pk]}).status_code == status


def test_the_application_page_has_one_comment_box_and_recommending_asks_for_confirmation(login, staff_user):
    reviewer = login(staff_user("reviewer", "340803"))
    application = pending_applications(1)[0]
    detail = reviewer.get(reverse("evaluations:application_detail", args=[application.pk])).content.decode()
    assert detail.count('name="comment"') == 1
    url = reverse("evaluations:application_recommend", args=[application.pk])
    confirm = reviewer.post(url, {"rank": "2", "comment": "优秀"})
    assert confirm.status_code == 200 and 'name="confirmed"' in confirm.content.decode()
    application.refresh_from_db()
    assert application.status == "pending"
    reviewer.post(url, {"rank": "2", "comment": "优秀", "confirmed": "1"})
    application.refresh_from_db()
    assert application.status == "review"


# Complaints: accept ---------------------------------------------------------------------------------------------

COMPLAINTS_DECIDE = reverse("complaints:queue_bulk")


def received_complaints(count, region="340803"):
    from apps.complaints import workflow as complaints

    from .supervision_factories import ComplaintFactory

    return [complaints.file(ComplaintFactory.build(collective=CollectiveFactory(status="registered", region=_region(region)))) for _ in range(count)]


def _region(code):
    from apps.organizations.models import Region

    return Region.objects.get(code=code)


def test_received_complaints_are_accepted_one_by_one(login, staff_user):
    handler = login(staff_user("reviewer", "340803"))
    complaints = received_complaints(3)
    assert 'form="bulk-form"' in handler.get(reverse("complaints:queue")).content.decode()
    run = result_of(handler.post(COMPLAINTS_DECIDE, {"action": "accept", "all": "1", "query": "status=received", "confirmed": "1"}))
    assert run.done == 3
    for complaint in complaints:
        complaint.refresh_from_db()
        assert complaint.status == "investigating"
        assert AuditEntry.objects.for_object(complaint).filter(action="accept").count() == 1


@pytest.mark.parametrize("role,status", [("viewer", 403), ("expert", 403), ("reviewer", 200), ("admin", 200)])
def test_each_role_against_the_complaint_bulk_view(login, staff_user, role, status):
    complaint = received_complaints(1)[0]
    assert login(staff_user(role, "340803")).post(COMPLAINTS_DECIDE, {"action": "accept", "ids": [complaint.pk]}).status_code == status


# Confirmation of irreversible single steps ------------------------------------------------------------------------


def test_approving_one_registration_asks_for_confirmation_with_the_comment_on_the_same_page(login, staff_user):
    reviewer = login(staff_user("reviewer", "340803"))
    collective = waiting(1)[0]
    detail = reviewer.get(reverse("collectives:staff_detail", args=[collective.pk])).content.decode()
    assert detail.count('name="comment"') == 1  # one comment box for approve and return
    url = reverse("collectives:staff_approve", args=[collective.pk])
    confirm = reviewer.post(url, {"comment": "同意备案"}).content.decode()
    assert "同意备案" in confirm and 'name="confirmed"' in confirm and confirm.count('name="comment"') == 1
    collective.refresh_from_db()
    assert collective.status == "submitted"
    reviewer.post(url, {"comment": "同意备案", "confirmed": "1"})
    collective.refresh_from_db()
    assert collective.status == "registered"
    assert AuditEntry.objects.for_object(collective).get(action="approve").comment == "同意备案"


def test_revoking_a_title_asks_for_confirmation_first(login):
    from .evaluation_factories import HonorFactory

    honour = HonorFactory()
    admin = login(MembershipFactory(role="admin", node=honour.named_by).user)
    url = reverse("rechecks:revoke", args=[honour.pk])
    fields = {"reason": "投诉查实", "reference": "团安委〔2026〕12号"}
    confirm = admin.post(url, fields).content.decode()
    assert 'name="confirmed"' in confirm and "投诉查实" in confirm
    honour.refresh_from_db()
    assert honour.status == "named"
    admin.post(url, fields | {"confirmed": "1"})
    honour.refresh_from_db()
    assert honour.status == "revoked"


@pytest.mark.parametrize("role,status", [("viewer", 403), ("expert", 403), ("reviewer", 403), ("admin", 200)])
def test_each_role_against_the_revocation_confirmation(login, role, status):
    from .evaluation_factories import HonorFactory

    honour = HonorFactory()
    client = login(MembershipFactory(role=role, node=honour.named_by).user)
    assert client.post(reverse("rechecks:revoke", args=[honour.pk]), {"reason": "x", "reference": "y"}).status_code == status


# Campaign reminders ---------------------------------------------------------------------------------------------


def test_collectives_that_have_not_reported_are_reminded_one_by_one(login, staff_user):
    from .activity_factories import CampaignFactory, ReportFactory
    from .evaluation_factories import eligible_collective

    campaign = CampaignFactory()
    reported = eligible_collective()
    missing = [eligible_collective(), eligible_collective(region_id="340822", registering_node=committee("340822"))]
    ReportFactory(collective=reported, campaign=campaign)
    county = login(staff_user("reviewer", "340803"))  # sees and reminds only 大观区's part of the city campaign
    url = reverse("activities:campaign_remind", args=[campaign.pk])
    page = county.get(campaign.get_absolute_url() + "?show=missing").content.decode()
    assert 'form="bulk-form"' in page and missing[0].name in page and missing[1].name not in page
    run = result_of(county.post(url, {"action": "remind", "ids": [missing[0].pk, missing[1].pk, reported.pk], "confirmed": "1", "comment": "请于本周内填报"}))
    assert (run.done, run.refused) == (1, [])  # rows outside the user's part are never taken
    notification = Notification.objects.get(recipient=missing[0].leader_account)
    assert "请于本周内填报" in notification.body
    assert AuditEntry.objects.for_object(missing[0]).get(action="remind").comment == campaign.title
    city = login(staff_user("admin", "340800"))
    run = result_of(city.post(url, {"action": "remind", "all": "1", "query": "show=missing", "confirmed": "1"}))
    assert run.done == 2
    assert not Notification.objects.filter(recipient=reported.leader_account).exists()
    ReportFactory(collective=missing[1], campaign=campaign)
    from apps.activities import workflow as activities
    from apps.audit.workflow import TransitionError

    with pytest.raises(TransitionError, match=missing[1].name):
        activities.remind(missing[1].pk, staff_user("admin", "340800"), campaign.pk)


@pytest.mark.parametrize("role,status", [("viewer", 403), ("reviewer", 200), ("admin", 200)])
def test_each_role_against_the_reminder(login, staff_user, role, status):
    from .activity_factories import CampaignFactory
    from .evaluation_factories import eligible_collective

    campaign = CampaignFactory()
    collective = eligible_collective()
    response = login(staff_user(role, "340800")).post(reverse("activities:campaign_remind", args=[campaign.pk]), {"action": "remind", "ids": [collective.pk]})
    assert response.status_code == status


def test_a_recheck_outcome_of_revocation_asks_for_confirmation_first(login):
    from datetime import timedelta

    from django.utils import timezone

    from apps.rechecks import workflow as rechecks
    from apps.rechecks.models import Recheck

    from .evaluation_factories import HonorFactory

    honour = HonorFactory()
    user = MembershipFactory(role="admin", node=honour.named_by).user
    recheck = rechecks.open_recheck(
        Recheck(
            node=honour.named_by,
            title="2026年度复核",
            named_from=honour.named_on - timedelta(days=1),
            named_until=honour.named_on + timedelta(days=1),
            report_due=timezone.localdate() + timedelta(days=30),
        ),
        user,
    )
    item = recheck.items.get()
    url = reverse("rechecks:decide", args=[item.pk])
    fields = {"outcome": "revoke", "reason": "复核不合格", "reference": "团安委〔2026〕5号"}
    confirm = login(user).post(url, fields)
    assert confirm.status_code == 200 and 'name="confirmed"' in confirm.content.decode()
    honour.refresh_from_db()
    assert honour.status == "named"
    login(user).post(url, fields | {"confirmed": "1"})
    honour.refresh_from_db()
    assert honour.status == "revoked"


def test_all_matching_is_refused_beyond_the_limit_with_a_message(login, staff_user, monkeypatch):
    monkeypatch.setattr(bulk, "MAX_MATCHING", 2)
    reviewer = login(staff_user("reviewer", "340803"))
    collectives = waiting(3)
    response = reviewer.post(DECIDE, {"action": "approve", "all": "1", "query": "status=submitted", "confirmed": "1"}, follow=True)
    assert "请先缩小筛选范围" in response.content.decode()
    assert BulkRun.objects.count() == 0
    assert Collective.objects.filter(pk__in=[c.pk for c in collectives], status="submitted").count() == 3
