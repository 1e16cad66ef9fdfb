"""Paths that had no test (issue 17, item 10), through HTTP as users act: who may and who may not, what changes and
what stays, and the number of queries of the lists that grow."""

import os
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from apps.activities.models import PointsRule
from apps.audit.models import AuditEntry, record
from apps.evaluations import workflow
from apps.evaluations.enums import AppStatus, RoundStage
from apps.evaluations.forms import QuotaFormSet, RoundForm, RubricFormSet
from apps.evaluations.models import Attachment
from apps.notifications.models import Notification
from apps.rechecks.models import Recheck

from .activity_factories import CampaignFactory, ReportFactory
from .conftest import committee
from .evaluation_factories import ApplicationFactory, RoundFactory, eligible_collective
from .factories import MembershipFactory, MemberFactory, UserFactory
from .supervision_factories import ComplaintFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 64  # served as stored; the view never decodes it


# Round edit ---------------------------------------------------------------------------------------------------


def edit_post(round, **changes):
    """What the round's edit page posts back unchanged, with `changes`."""
    forms = [RoundForm(instance=round)]
    data = {name: forms[0][name].value() for name in forms[0].fields}
    for formset in (RubricFormSet(instance=round, prefix="rubric"), QuotaFormSet(instance=round, prefix="quotas", form_kwargs={"parent_node": round.node})):
        data.update({field.html_name: field.value() for field in formset.management_form})
        for form in formset.forms:
            data.update({form[name].html_name: form[name].value() for name in form.fields})
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None and value is not False}


def test_the_rounds_admin_edits_a_round_being_prepared(login):
    round = RoundFactory(stage=RoundStage.DRAFT)
    admin = login(MembershipFactory(role="admin", node=round.node).user)
    response = admin.post(reverse("evaluations:round_edit", args=[round.pk]), edit_post(round, title="2026年度安庆市青年文明号认定（修订）"))
    assert response.status_code == 302 and response.url == round.get_absolute_url()
    round.refresh_from_db()
    assert round.title == "2026年度安庆市青年文明号认定（修订）" and round.rubric_items.count() == 5


@pytest.mark.parametrize(("role", "where"), [("reviewer", "340800"), ("viewer", "340800"), ("expert", "340800"), ("admin", "340803"), ("admin", "340100")])
def test_no_one_else_edits_a_round(login, staff_user, role, where):
    round = RoundFactory(stage=RoundStage.DRAFT)
    client = login(staff_user(role, where))
    assert client.get(reverse("evaluations:round_edit", args=[round.pk])).status_code == 403
    assert client.post(reverse("evaluations:round_edit", args=[round.pk]), edit_post(round, title="改")).status_code == 403
    round.refresh_from_db()
    assert round.title != "改"


def test_an_open_round_is_no_longer_edited(login):
    round = RoundFactory(stage=RoundStage.OPEN)
    admin = login(MembershipFactory(role="admin", node=round.node).user)
    response = admin.post(reverse("evaluations:round_edit", args=[round.pk]), edit_post(round, title="改"), follow=True)
    assert "只有筹备中的认定批次可以修改" in response.content.decode()
    round.refresh_from_db()
    assert round.title != "改"


# Expert review: conflicts and scores ------------------------------------------------------------------------------


@pytest.fixture
def assignment():
    application = ApplicationFactory(round=RoundFactory(stage=RoundStage.REVIEW), status=AppStatus.REVIEW)
    expert = MembershipFactory(role="expert", node=application.round.node).user
    return application.assignments.create(expert=expert, assigned_by=expert)


def scores(assignment):
    return {f"item_{item.pk}": "10" for item in assignment.application.round.rubric_items.all()} | {"comment": "好", "action": "score"}


def test_an_expert_declares_a_conflict_and_steps_aside(login, assignment):
    response = login(assignment.expert).post(
        reverse("evaluations:review_detail", args=[assignment.pk]), {"action": "conflict", "conflict-comment": "系该集体成员的亲属"}, follow=True
    )
    assert "已申明利益冲突" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.conflict_declared and assignment.submitted_at is None
    entry = AuditEntry.objects.for_object(assignment.application).get(action="conflict")
    assert entry.actor == assignment.expert and entry.comment == "系该集体成员的亲属"
    # Stepped aside, the expert can no longer score it.
    login(assignment.expert).post(reverse("evaluations:review_detail", args=[assignment.pk]), scores(assignment))
    assignment.refresh_from_db()
    assert assignment.submitted_at is None


@pytest.mark.parametrize("who", ["another expert", "round admin", "leader"])
def test_only_the_assigned_expert_scores_or_declares(login, assignment, who):
    user = {
        "another expert": lambda: MembershipFactory(role="expert", node=assignment.application.round.node).user,
        "round admin": lambda: MembershipFactory(role="admin", node=assignment.application.round.node).user,
        "leader": lambda: assignment.application.collective.leader_account,
    }[who]()
    client = login(user)
    url = reverse("evaluations:review_detail", args=[assignment.pk])
    assert client.post(url, scores(assignment)).status_code == 404
    assert client.post(url, {"action": "conflict", "conflict-comment": "x"}).status_code == 404
    assignment.refresh_from_db()
    assert assignment.submitted_at is None and not assignment.conflict_declared
    assert not AuditEntry.objects.for_object(assignment.application).filter(action__in=["score", "conflict"]).exists()


# The return decision ----------------------------------------------------------------------------------------------


def test_a_county_returns_an_application_for_revision_and_the_leader_may_edit_it_again(login):
    application = ApplicationFactory(round=RoundFactory(stage=RoundStage.OPEN), status=AppStatus.PENDING, current_node=committee("340803"))
    county = login(MembershipFactory(role="reviewer", node=committee("340803")).user)
    url = reverse("evaluations:application_send_back", args=[application.pk])
    county.post(url, {"decision": "return", "comment": ""})
    application.refresh_from_db()
    assert application.status == AppStatus.PENDING  # a return needs its reason
    county.post(url, {"decision": "return", "comment": "请补充服务承诺公示照片"})
    application.refresh_from_db()
    assert application.status == AppStatus.RETURNED and application.current_node is None
    recommendation = application.recommendations.get()
    assert (recommendation.decision, recommendation.comment) == ("return", "请补充服务承诺公示照片")
    assert AuditEntry.objects.for_object(application).filter(action="return", to_state=AppStatus.RETURNED).exists()
    leader = application.collective.leader_account
    assert Notification.objects.filter(recipient=leader, body="请补充服务承诺公示照片").exists()
    assert workflow.may(leader, application, "edit") and workflow.may(leader, application, "submit")


# Attachments --------------------------------------------------------------------------------------------------


def attached(application):
    attachment = Attachment(application=application, original_name="承诺书.pdf", content_type="application/pdf", size=9)
    attachment.file.save("承诺书.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    return attachment


def test_the_leader_deletes_an_attachment_of_a_draft(login):
    application = ApplicationFactory()
    attachment = attached(application)
    path = attachment.file.path
    response = login(application.collective.leader_account).post(reverse("evaluations:delete_attachment", args=[application.pk, attachment.pk]))
    assert response.status_code == 302
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert not os.path.exists(path)  # the file goes with it


@pytest.mark.parametrize("who", ["another leader", "county staff"])
def test_no_one_else_deletes_an_attachment(login, who):
    application = ApplicationFactory()
    attachment = attached(application)
    user = UserFactory() if who == "another leader" else MembershipFactory(role="admin", node=committee("340803")).user
    response = login(user).post(reverse("evaluations:delete_attachment", args=[application.pk, attachment.pk]))
    assert response.status_code == 404
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_a_submitted_applications_attachments_stay(login):
    application = ApplicationFactory(round=RoundFactory(stage=RoundStage.OPEN), status=AppStatus.PENDING, current_node=committee("340803"))
    attachment = attached(application)
    response = login(application.collective.leader_account).post(reverse("evaluations:delete_attachment", args=[application.pk, attachment.pk]))
    assert response.status_code == 403
    assert Attachment.objects.filter(pk=attachment.pk).exists()


# Re-checks ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "where"), [("reviewer", "340800"), ("viewer", "340800"), ("expert", "340800")])
def test_only_committee_admins_open_a_recheck(login, staff_user, role, where):
    client = login(staff_user(role, where))
    assert client.get(reverse("rechecks:create")).status_code == 403
    data = {"title": "2026年复核", "named_from": "2000-01-01", "named_until": TODAY.isoformat(), "report_due": (TODAY + timedelta(days=30)).isoformat()}
    assert client.post(reverse("rechecks:create"), data).status_code == 403
    assert not Recheck.objects.exists()


# Complaints: the evidence photo ---------------------------------------------------------------------------------


@pytest.fixture
def complaint_with_photo():
    complaint = ComplaintFactory()
    complaint.evidence.save("photo.jpg", ContentFile(JPEG), save=True)
    return complaint


def test_the_registering_committee_sees_the_complaints_photo(login, complaint_with_photo):
    url = reverse("complaints:evidence", args=[complaint_with_photo.pk])
    for role, where in [("reviewer", "340803"), ("admin", "340800")]:
        response = login(MembershipFactory(role=role, node=committee(where)).user).get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content) == JPEG


def test_no_one_else_sees_the_complaints_photo(client, login, complaint_with_photo):
    url = reverse("complaints:evidence", args=[complaint_with_photo.pk])
    assert client.get(url).status_code == 302  # to the sign-in page
    assert login(MembershipFactory(role="viewer", node=committee("340803")).user).get(url).status_code == 403
    assert login(MembershipFactory(role="expert", node=committee("340803")).user).get(url).status_code == 403
    assert login(MembershipFactory(role="admin", node=committee("340822")).user).get(url).status_code == 404  # another county
    assert login(complaint_with_photo.collective.leader_account).get(url).status_code == 403  # the collective complained about


def test_a_complaint_without_a_photo_has_none_to_show(login):
    complaint = ComplaintFactory()
    assert login(MembershipFactory(role="reviewer", node=committee("340803")).user).get(reverse("complaints:evidence", args=[complaint.pk])).status_code == 404


# The volunteer points rate ----------------------------------------------------------------------------------------


def national():
    from apps.organizations.models import Node

    return Node.objects.get(level="national", kind="league")


def test_the_national_admin_sets_the_points_rate(login):
    client = login(MembershipFactory(role="admin", node=national()).user)
    assert client.get(reverse("activities:points_rule")).status_code == 200
    response = client.post(reverse("activities:points_rule"), {"points_per_hour": "30", "effective_from": TODAY.isoformat()})
    assert response.status_code == 302
    assert PointsRule.current() == Decimal("30")


@pytest.mark.parametrize(("role", "where"), [("reviewer", "national"), ("viewer", "national"), ("admin", "340000"), ("admin", "340800")])
def test_no_one_else_sets_the_points_rate(login, role, where):
    node = national() if where == "national" else committee(where)
    before = PointsRule.current()
    client = login(MembershipFactory(role=role, node=node).user)
    assert client.get(reverse("activities:points_rule")).status_code == 403
    assert client.post(reverse("activities:points_rule"), {"points_per_hour": "99", "effective_from": TODAY.isoformat()}).status_code == 403
    assert PointsRule.current() == before


# Campaigns: reminders and the roll-up ----------------------------------------------------------------------------


def test_a_viewer_cannot_remind_collectives_to_report(login):
    campaign = CampaignFactory()
    eligible_collective()
    viewer = login(MembershipFactory(role="viewer", node=campaign.node).user)
    response = viewer.post(reverse("activities:campaign_remind", args=[campaign.pk]), {"action": "remind", "all": "1", "query": "show=missing", "confirmed": "1"})
    assert response.status_code == 403
    assert not Notification.objects.exists()


def test_the_roll_up_downloads_as_a_workbook_of_the_users_subtree(client, login):
    ReportFactory(kind="volunteer", volunteer_hours=Decimal("12.5"))
    url = reverse("activities:rollup") + "?format=xlsx"
    assert client.get(url).status_code == 302
    assert login(UserFactory()).get(url).status_code == 403
    response = login(MembershipFactory(role="viewer", node=committee("340800")).user).get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)))
    cells = [str(cell.value) for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert "大观区" in " ".join(cells) and any(value in ("12.5", "12.50") for value in cells)


# Query counts of the lists that grow -------------------------------------------------------------------------------


def same_queries(client, url, add, django_assert_max_num_queries, budget):
    """The page costs the same number of queries with one row as with several more."""
    counts = []
    for _round in range(2):
        add()
        with django_assert_max_num_queries(budget) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts


def test_the_complaints_queue_costs_the_same_queries_for_more_complaints(login, django_assert_max_num_queries):
    client = login(MembershipFactory(role="reviewer", node=committee("340803")).user)
    same_queries(client, reverse("complaints:queue"), lambda: [ComplaintFactory() for _ in range(4)], django_assert_max_num_queries, 15)


def test_the_recheck_pages_cost_the_same_queries_for_more_honours(login, django_assert_max_num_queries):
    from .evaluation_factories import HonorFactory

    admin = MembershipFactory(role="admin", node=committee("340800")).user
    client = login(admin)
    recheck = Recheck.objects.create(node=committee("340800"), title="复核", named_from=TODAY - timedelta(days=3000), named_until=TODAY, report_due=TODAY + timedelta(days=30), created_by=admin)

    def more():
        for _ in range(3):
            recheck.items.create(honor=HonorFactory())
        Recheck.objects.create(node=committee("340800"), title="复核", named_from=TODAY, named_until=TODAY, report_due=TODAY, created_by=admin)

    same_queries(client, reverse("rechecks:detail", args=[recheck.pk]), more, django_assert_max_num_queries, 20)
    same_queries(client, reverse("rechecks:list"), more, django_assert_max_num_queries, 20)


def test_the_annual_summaries_cost_the_same_queries_for_more_collectives(login, django_assert_max_num_queries):
    from .evaluation_factories import HonorFactory

    client = login(MembershipFactory(role="viewer", node=committee("340800")).user)

    def more():
        for _ in range(3):
            HonorFactory()

    for show in ("filed", "missing"):
        same_queries(client, reverse("activities:summaries") + f"?show={show}", more, django_assert_max_num_queries, 15)


def test_the_campaign_list_costs_the_same_queries_for_more_campaigns(login, django_assert_max_num_queries):
    client = login(MembershipFactory(role="viewer", node=committee("340800")).user)
    same_queries(client, reverse("activities:campaign_list"), lambda: [CampaignFactory() for _ in range(4)], django_assert_max_num_queries, 12)


def test_my_reports_cost_the_same_queries_for_more_reports(login, django_assert_max_num_queries):
    collective = eligible_collective()
    client = login(collective.leader_account)

    def more():
        for _ in range(4):
            ReportFactory(collective=collective, kind="volunteer", volunteer_hours=Decimal("2"))

    same_queries(client, reverse("activities:my_reports", args=[collective.pk]), more, django_assert_max_num_queries, 25)


def test_the_staff_view_of_a_collective_costs_the_same_queries_for_more_members_and_history(login, django_assert_max_num_queries):
    collective = eligible_collective()
    staff = MembershipFactory(role="reviewer", node=committee("340803")).user
    client = login(staff)

    def more():
        for _ in range(4):
            MemberFactory(collective=collective)
            record(collective, actor=staff, action="note", comment="查看")

    same_queries(client, reverse("collectives:staff_detail", args=[collective.pk]), more, django_assert_max_num_queries, 20)


def test_the_leader_edits_an_application_only_while_its_round_takes_applications(login):
    application = ApplicationFactory(round=RoundFactory(stage=RoundStage.REVIEW), status=AppStatus.RETURNED, deeds="原事迹")
    leader = login(application.collective.leader_account)
    edit = reverse("evaluations:edit_application", args=[application.pk])
    response = leader.post(edit, {"deeds": "改后的事迹", "self_assessment": "自评"}, follow=True)
    assert "该申报当前不能修改。" in response.content.decode()
    application.refresh_from_db()
    assert application.deeds == "原事迹" and application.status == AppStatus.RETURNED
