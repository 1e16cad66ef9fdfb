"""The honour workflow end to end over HTTP: round → application → recommendation → review → notice → naming."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.evaluations.models import Application, Honor, Round

from .evaluation_factories import eligible_collective
from .factories import MembershipFactory, UserFactory
from .pdfs import clean_pdf
from .conftest import committee

pytestmark = pytest.mark.django_db

PDF = clean_pdf()


def round_post(**overrides):
    today = timezone.localdate()
    data = {
        "node": committee("340800").pk,
        "title": "2026年度安庆市青年文明号认定",
        "year": "2026",
        "application_opens": (today - timedelta(days=1)).isoformat(),
        "application_closes": (today + timedelta(days=30)).isoformat(),
        "quota": "5",
        "notice_working_days": "5",
        "members_min": "6",
        "members_max": "200",
        "youth_age": "35",
        "youth_share_percent": "50",
        "leader_max_age": "40",
        "aspiring_months": "12",
        "lower_level_years": "0",
        "revocation_bar_years": "2",
        "complaint_bar_months": "12",
        "min_recent_reports": "0",
        "holidays": "",
        "rubric-TOTAL_FORMS": "5",
        "rubric-INITIAL_FORMS": "0",
        "rubric-MIN_NUM_FORMS": "1",
        "rubric-MAX_NUM_FORMS": "20",
        "quotas-TOTAL_FORMS": "0",
        "quotas-INITIAL_FORMS": "0",
        "quotas-MIN_NUM_FORMS": "0",
        "quotas-MAX_NUM_FORMS": "1000",
    }
    for index, (name, points) in enumerate([("组织建设", 20), ("岗位建功", 25), ("服务承诺履行", 25), ("创新创效", 15), ("社会影响", 15)]):
        data[f"rubric-{index}-name"] = name
        data[f"rubric-{index}-max_points"] = str(points)
    data.update(overrides)
    return data


def test_from_round_to_verified_certificate(client, login, leader):
    city_admin = MembershipFactory(role="admin", node=committee("340800")).user
    county_reviewer = MembershipFactory(role="reviewer", node=committee("340803")).user
    expert = MembershipFactory(role="expert", node=committee("340800")).user
    collective = eligible_collective(leader_account=leader)

    admin = login(city_admin)
    response = admin.post(reverse("evaluations:round_create"), round_post(), follow=True)
    round = Round.objects.get()
    assert round.rubric_total == 100
    admin.post(reverse("evaluations:round_transition", args=[round.pk, "open"]))
    round.refresh_from_db()
    assert round.stage == "open"

    own = login(leader)
    workspace = own.get(reverse("collectives:my")).content.decode()
    assert round.title in workspace and "66.7%" in workspace
    response = own.post(reverse("evaluations:apply", args=[round.pk, collective.pk]), follow=True)
    application = Application.objects.get()
    items = list(round.rubric_items.all())
    own.post(
        reverse("evaluations:edit_application", args=[application.pk]),
        {"action": "save", "file": SimpleUploadedFile("事迹.pdf", PDF, content_type="application/pdf")},
    )
    assert application.attachments.count() == 1
    data = {"action": "submit", "deeds": "坚持首问负责，群众满意率99%。", **{f"item_{i.pk}": str(i.max_points - 1) for i in items}}
    own.post(reverse("evaluations:edit_application", args=[application.pk]), data, follow=True)
    application.refresh_from_db()
    assert application.status == "pending"
    assert application.current_node == committee("340803")

    county = login(county_reviewer)
    assert collective.name in county.get(reverse("evaluations:application_queue")).content.decode()
    county.post(reverse("evaluations:application_recommend", args=[application.pk]), {"rank": "1", "comment": "推荐"})
    application.refresh_from_db()
    assert application.status == "review"

    admin = login(city_admin)
    admin.post(reverse("evaluations:application_assign", args=[application.pk]), {"experts": [expert.pk]})
    assignment = application.assignments.get()

    reviewer = login(expert)
    assert collective.name in reviewer.get(reverse("evaluations:review_list")).content.decode()
    scores = {f"item_{i.pk}": str(i.max_points - 3) for i in items}
    reviewer.post(reverse("evaluations:review_detail", args=[assignment.pk]), {"action": "score", "comment": "优秀", **scores})
    assignment.refresh_from_db()
    assert assignment.total == 85

    admin = login(city_admin)
    admin.post(reverse("evaluations:round_transition", args=[round.pk, "close"]))
    page = admin.get(reverse("evaluations:round_detail", args=[round.pk])).content.decode()
    assert "85" in page
    admin.post(reverse("evaluations:round_selection", args=[round.pk]), {"proposed": [application.pk]})
    admin.post(reverse("evaluations:round_transition", args=[round.pk, "publish"]))
    round.refresh_from_db()
    assert round.stage == "notice"
    notice = round.notice

    client.logout()
    public = client.get(notice.get_absolute_url()).content.decode()
    assert collective.name in public
    client.post(notice.get_absolute_url(), {"application": application.pk, "contact": "13912345678", "text": "服务态度差"})
    objection = notice.objections.get()
    assert "13912345678" not in client.get(notice.get_absolute_url()).content.decode()

    admin = login(city_admin)
    admin.post(reverse("evaluations:round_transition", args=[round.pk, "name"]))
    round.refresh_from_db()
    assert round.stage == "notice"  # objection open and period running
    admin.post(reverse("evaluations:objection_resolve", args=[objection.pk]), {"decision": "dismiss", "reason": "经核实不属实"})
    notice.closes_on = timezone.localdate() - timedelta(days=1)
    notice.save()
    mail.outbox.clear()
    admin.post(reverse("evaluations:round_transition", args=[round.pk, "name"]))
    round.refresh_from_db()
    assert round.stage == "named"
    honor = Honor.objects.get()
    assert honor.certificate_number == f"C340800-2026-00001"

    client.logout()
    verify = client.get(reverse("evaluations:verify", args=[honor.certificate_number])).content.decode()
    assert collective.name in verify
    assert client.get(reverse("evaluations:verify", args=["C340800-2026-99999"])).status_code == 404
    post_page = client.get(collective.get_absolute_url()).content.decode()
    assert honor.title in post_page
    pdf = login(leader).get(reverse("evaluations:certificate", args=[honor.pk]))
    assert pdf.content.startswith(b"%PDF")
    actions = list(AuditEntry.objects.for_object(application).values_list("action", flat=True))
    assert actions == ["create", "submit", "recommend", "assign", "score", "publish", "name"]
