"""Permission is checked before state and before input in every workflow (apps/*/workflow.py): a user without the
permission gets the same 403 on an object in any state, even with empty input, and never learns the state.
(The honour workflow's step tables have their own generated tests in test_workflow_steps.py.)"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.collectives.models import Status
from apps.complaints.models import ComplaintStatus
from apps.evaluations.enums import ObjectionStatus
from apps.evaluations.models import Notice, Objection
from apps.rechecks.models import Recheck, RecheckItem

from .conftest import committee
from .evaluation_factories import ApplicationFactory, HonorFactory, RoundFactory
from .factories import CollectiveFactory, MembershipFactory, UserFactory
from .supervision_factories import ComplaintFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", Status.staff_visible())
@pytest.mark.parametrize("url", ["collectives:staff_approve", "collectives:staff_return"])
@pytest.mark.parametrize("role", ["viewer", "expert"])
def test_registration_steps(login, staff_user, status, url, role):
    collective = CollectiveFactory(status=status)
    response = login(staff_user(role, "340803")).post(reverse(url, args=[collective.pk]), {"comment": ""})
    assert response.status_code == 403
    collective.refresh_from_db()
    assert collective.status == status


@pytest.mark.parametrize("status", ComplaintStatus.values)
@pytest.mark.parametrize("step", ["accept", "ask", "close", "notes"])
def test_complaint_steps(login, staff_user, status, step):
    complaint = ComplaintFactory(status=status)
    response = login(staff_user("viewer", "340803")).post(reverse("complaints:step", args=[complaint.pk, step]), {})
    assert response.status_code == 403
    complaint.refresh_from_db()
    assert complaint.status == status


def test_an_unknown_complaint_step_is_404(login, staff_user):
    complaint = ComplaintFactory()
    response = login(staff_user("reviewer", "340803")).post(reverse("complaints:step", args=[complaint.pk, "reopen"]))
    assert response.status_code == 404


@pytest.mark.parametrize("status", ComplaintStatus.values)
def test_a_statement_from_another_leader(login, status):
    complaint = ComplaintFactory(status=status)
    response = login(UserFactory()).post(reverse("complaints:my_complaint", args=[complaint.pk]), {"statement": ""})
    assert response.status_code == 404


def recheck_item(state):
    """A re-check item of an 安庆 city title: undecided, decided, or in a closed re-check."""
    honor = HonorFactory(named_on=timezone.localdate() - timedelta(days=800))
    today = timezone.localdate()
    recheck = Recheck.objects.create(
        node=honor.named_by, title="复核", named_from=today - timedelta(days=900), named_until=today,
        report_due=today + timedelta(days=30), created_by=UserFactory(),
        closed_at=timezone.now() if state == "closed" else None,
    )
    return RecheckItem.objects.create(recheck=recheck, honor=honor, outcome="pass" if state != "undecided" else "")


@pytest.mark.parametrize("state", ["undecided", "decided", "closed"])
def test_recheck_steps(login, staff_user, state):
    item = recheck_item(state)
    client = login(staff_user("reviewer", "340800"))
    assert client.post(reverse("rechecks:decide", args=[item.pk]), {"outcome": "revoke", "reason": ""}).status_code == 403
    assert client.post(reverse("rechecks:confirm", args=[item.pk]), {}).status_code == 403
    assert client.post(reverse("rechecks:close", args=[item.recheck.pk])).status_code == 403
    assert client.post(reverse("rechecks:revoke", args=[item.honor.pk]), {"reason": "", "reference": ""}).status_code == 403
    item.refresh_from_db()
    assert item.outcome == ("" if state == "undecided" else "pass")


@pytest.mark.parametrize("status", ObjectionStatus.values)
@pytest.mark.parametrize(("role", "where"), [("reviewer", "340800"), ("viewer", "340800"), ("admin", "340803")])
def test_objection_resolution(login, staff_user, status, role, where):
    round = RoundFactory(stage="notice")
    application = ApplicationFactory(round=round, status="notice")
    today = timezone.localdate()
    notice = Notice.objects.create(round=round, opens_on=today, closes_on=today + timedelta(days=7), published_by=UserFactory())
    objection = Objection.objects.create(notice=notice, application=application, contact="13912345678", text="异议", status=status)
    response = login(staff_user(role, where)).post(reverse("evaluations:objection_resolve", args=[objection.pk]), {})
    assert response.status_code == 403
    objection.refresh_from_db()
    assert objection.status == status


def test_the_round_committee_admin_still_resolves(login):
    round = RoundFactory(stage="notice")
    application = ApplicationFactory(round=round, status="notice")
    today = timezone.localdate()
    notice = Notice.objects.create(round=round, opens_on=today, closes_on=today + timedelta(days=7), published_by=UserFactory())
    objection = Objection.objects.create(notice=notice, application=application, contact="13912345678", text="异议")
    admin = login(MembershipFactory(role="admin", node=committee("340800")).user)
    admin.post(reverse("evaluations:objection_resolve", args=[objection.pk]), {"decision": "dismiss", "reason": "不属实"})
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.DISMISSED
