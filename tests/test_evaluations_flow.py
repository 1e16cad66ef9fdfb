"""The honour workflow end to end over HTTP: round → application → recommendation → review → notice → naming."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.evaluations.forms import RoundForm
from apps.evaluations.models import Application, Honor, Round

from .evaluation_factories import RUBRIC, eligible_collective
from .factories import MembershipFactory
from .pdfs import clean_pdf
from .conftest import committee

pytestmark = pytest.mark.django_db

PDF = clean_pdf()


def round_post(**overrides):
    """What the round form posts when the admin fills its required fields and leaves every setting at its default."""
    form = RoundForm(instance=Round(node=committee("340800")))
    data = {name: form[name].value() for name in form.fields}
    today = timezone.localdate()
    data.update(
        node=committee("340800").pk,
        title="2026年度安庆市青年文明号认定",
        year="2026",
        application_opens=(today - timedelta(days=1)).isoformat(),
        application_closes=(today + timedelta(days=30)).isoformat(),
        quota="5",
        min_recent_reports="0",
    )
    data.update(management_form("rubric", len(RUBRIC), maximum=20) | management_form("quotas", 0))
    for index, (name, points) in enumerate(RUBRIC):
        data[f"rubric-{index}-name"] = name
        data[f"rubric-{index}-max_points"] = str(points)
    data.update(overrides)
    # A browser sends nothing for an unticked box or an empty field.
    return {key: value for key, value in data.items() if value is not None and value is not False}


def management_form(prefix, total, maximum=1000):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "1" if total else "0", f"{prefix}-MAX_NUM_FORMS": str(maximum)}


def test_from_round_to_verified_certificate(client, login, leader):
    city_admin = MembershipFactory(role="admin", node=committee("340800")).user
    county_reviewer = MembershipFactory(role="reviewer", node=committee("340803")).user
    expert = MembershipFactory(role="expert", node=committee("340800")).user
    collective = eligible_collective(leader_account=leader)

    admin = login(city_admin)
    admin.post(reverse("evaluations:round_create"), round_post(), follow=True)
    round = Round.objects.get()
    assert round.rubric_total == 100
    admin.post(reverse("evaluations:round_transition", args=[round.pk, "open"]))
    round.refresh_from_db()
    assert round.stage == "open"

    own = login(leader)
    workspace = own.get(reverse("collectives:my")).content.decode()
    assert round.title in workspace and "66.7%" in workspace
    own.post(reverse("evaluations:apply", args=[round.pk, collective.pk]), follow=True)
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
    county.post(reverse("evaluations:application_recommend", args=[application.pk]), {"rank": "1", "comment": "推荐", "confirmed": "1"})
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
    admin.post(reverse("evaluations:round_transition", args=[round.pk, "propose"]), {"application": application.pk, "proposed": "on"})
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
    assert honor.certificate_number == "C340800-2026-00001"

    client.logout()
    verify = client.get(reverse("evaluations:verify", args=[honor.certificate_number])).content.decode()
    assert collective.name in verify
    assert client.get(reverse("evaluations:verify", args=["C340800-2026-99999"])).status_code == 404
    post_page = client.get(collective.get_absolute_url()).content.decode()
    assert honor.title in post_page
    pdf = login(leader).get(reverse("evaluations:certificate", args=[honor.pk]))
    assert pdf.content.startswith(b"%PDF")
    actions = list(AuditEntry.objects.for_object(application).values_list("action", flat=True))
    assert actions == ["create", "submit", "recommend", "assign", "score", "propose", "publish", "name"]
