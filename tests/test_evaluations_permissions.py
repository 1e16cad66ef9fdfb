"""Role × transition matrix of the honour workflow, through HTTP, with cross-subtree attempts."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.evaluations import workflow
from apps.evaluations.models import Application, Recommendation, ReviewAssignment

from .conftest import committee
from .evaluation_factories import ApplicationFactory, RoundFactory, eligible_collective
from .factories import MembershipFactory, UserFactory
from .pdfs import clean_pdf

pytestmark = pytest.mark.django_db

# Who acts on an application waiting on 共青团大观区委 (340803) in a city round of 安庆 (340800).
RECOMMEND_MATRIX = [
    ("reviewer", "340803", 302, True),  # its own committee's turn
    ("admin", "340803", 302, True),
    ("viewer", "340803", 403, False),
    ("expert", "340803", 403, False),
    ("reviewer", "340800", 403, False),  # the city sees it but may not act in the county's stead
    ("admin", "340000", 403, False),
    ("reviewer", "340822", 404, False),  # another county: cannot even see it
    ("reviewer", "340100", 404, False),
]


@pytest.fixture
def pending():
    application = ApplicationFactory(round=RoundFactory())
    workflow.submit(application.pk, application.collective.leader_account)
    application.refresh_from_db()
    assert application.current_node == committee("340803")
    return application


@pytest.mark.parametrize(("role", "where", "status", "acts"), RECOMMEND_MATRIX)
@pytest.mark.parametrize("url", ["evaluations:application_recommend", "evaluations:application_send_back"])
def test_recommend_and_send_back_matrix(login, staff_user, pending, role, where, status, acts, url):
    client = login(staff_user(role, where))
    data = {"rank": "1", "decision": "decline", "comment": "理由", "confirmed": "1"}
    response = client.post(reverse(url, args=[pending.pk]), data)
    assert response.status_code == status
    pending.refresh_from_db()
    assert (pending.status != "pending") is acts


@pytest.mark.parametrize(("role", "where", "acts"), [
    ("admin", "340800", True),  # the round's committee admin
    ("admin", "340000", True),  # an admin above it
    ("reviewer", "340800", False),
    ("viewer", "340800", False),
    ("expert", "340800", False),
    ("admin", "340803", False),  # an admin below it
    ("admin", "340100", False),
])
@pytest.mark.parametrize("transition", ["open", "close", "publish", "name", "close_filing"])
def test_round_transition_matrix(login, staff_user, role, where, acts, transition):
    stage = {"open": "draft", "close": "open", "publish": "review", "name": "notice", "close_filing": "filing"}[transition]
    # A round to name is scored in review, then put on notice: experts score only until the notice is out.
    kind = "filing" if transition == "close_filing" else "naming"  # the filing round (创建备案) of the national cycle
    round = RoundFactory(stage="review" if transition == "name" else stage, kind=kind)
    if transition == "publish":
        ApplicationFactory(round=round, status="review", proposed=True, scored=True)
    if transition == "name":
        ApplicationFactory(round=round, status="review", proposed=True, scored=True)
        from datetime import date

        workflow.publish_notice(round.pk, MembershipFactory(role="admin", node=round.node).user, today=date(2026, 1, 5))
    client = login(staff_user(role, where))
    response = client.post(reverse("evaluations:round_transition", args=[round.pk, transition]))
    round.refresh_from_db()
    assert (round.stage != stage) is acts
    if not acts:
        assert response.status_code == 403


@pytest.mark.parametrize(("role", "where", "acts"), [("admin", "340800", True), ("reviewer", "340800", False), ("reviewer", "340803", False)])
def test_assign_matrix(login, staff_user, role, where, acts):
    round = RoundFactory(stage="review")
    application = ApplicationFactory(round=round, status="review")
    expert = MembershipFactory(role="expert", node=round.node).user
    response = login(staff_user(role, where)).post(reverse("evaluations:application_assign", args=[application.pk]), {"experts": [expert.pk]})
    assert ReviewAssignment.objects.exists() is acts
    assert response.status_code == (302 if acts else 403)


def test_only_the_assigned_expert_scores(login):
    round = RoundFactory(stage="review")
    application = ApplicationFactory(round=round, status="review")
    expert = MembershipFactory(role="expert", node=round.node).user
    other_expert = MembershipFactory(role="expert", node=round.node).user
    workflow.assign(application.pk, MembershipFactory(role="admin", node=round.node).user, [expert])
    assignment = application.assignments.get()
    assert login(other_expert).get(reverse("evaluations:review_detail", args=[assignment.pk])).status_code == 404
    assert collective_name(application) not in login(other_expert).get(reverse("evaluations:review_list")).content.decode()
    # Experts see only their assignments, never the queue of the subtree.
    assert login(expert).get(reverse("evaluations:application_queue")).status_code == 403
    assert login(expert).get(reverse("evaluations:review_detail", args=[assignment.pk])).status_code == 200


def collective_name(application):
    return application.collective.name


def test_leader_submits_only_their_own(login, pending):
    other = ApplicationFactory(round=pending.round)
    response = login(pending.collective.leader_account).post(reverse("evaluations:edit_application", args=[other.pk]), {"action": "submit"})
    assert response.status_code == 404
    assert login(UserFactory()).get(reverse("evaluations:my_application", args=[pending.pk])).status_code == 404


def test_staff_cannot_open_drafts(login, staff_user):
    draft = ApplicationFactory()
    assert login(staff_user("reviewer", "340803")).get(reverse("evaluations:application_detail", args=[draft.pk])).status_code == 404


@pytest.mark.parametrize("url", ["evaluations:round_list", "evaluations:application_queue", "evaluations:round_create"])
def test_collective_leaders_have_no_workbench(login, leader, url):
    assert login(leader).get(reverse(url)).status_code == 403


@pytest.mark.parametrize("url", ["evaluations:round_list", "evaluations:application_queue", "evaluations:review_list"])
def test_anonymous_is_sent_to_login(client, url):
    assert client.get(reverse(url)).status_code == 302


def test_round_create_only_for_admins(login, staff_user):
    assert login(staff_user("reviewer", "340800")).get(reverse("evaluations:round_create")).status_code == 403
    assert login(staff_user("admin", "340800")).get(reverse("evaluations:round_create")).status_code == 200


def test_rounds_of_another_city_are_invisible(login, staff_user):
    hefei = RoundFactory(node=committee("340100"))
    client = login(staff_user("reviewer", "340803"))
    assert client.get(reverse("evaluations:round_detail", args=[hefei.pk])).status_code == 404
    anqing = RoundFactory()
    assert client.get(reverse("evaluations:round_detail", args=[anqing.pk])).status_code == 200  # the city above


def test_attachments_are_served_only_to_those_who_may_see_the_application(client, login, staff_user, pending):
    from django.core.files.base import ContentFile

    from apps.evaluations.models import Attachment

    attachment = Attachment(application=pending, original_name="事迹.pdf", content_type="application/pdf", size=10)
    attachment.file.save("x.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    url = reverse("evaluations:attachment", args=[pending.pk, attachment.pk])
    assert client.get(url).status_code == 302  # anonymous → login
    assert login(UserFactory()).get(url).status_code == 404
    assert login(staff_user("reviewer", "340822")).get(url).status_code == 404
    assert login(staff_user("viewer", "340800")).get(url).status_code == 200
    response = login(pending.collective.leader_account).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


# 特别推荐: admins of the committees on the collective's way up, of the round's committee or above it; every role at
# each place, through HTTP (tests/test_special_recommendation.py has what the step does).
SPECIAL_MATRIX = [(role, where) for role in ("admin", "reviewer", "viewer", "expert") for where in ("340803", "340800", "340000")]
MAY_RECOMMEND_SPECIALLY = {("admin", "340803"), ("admin", "340800"), ("admin", "340000")}


@pytest.mark.parametrize(("role", "where"), SPECIAL_MATRIX + [("admin", "340100")])
def test_special_recommendation_matrix(login, staff_user, role, where):
    round = RoundFactory(special_quota=1, rule_settings={"special_relaxed": ["composition"]})
    collective = eligible_collective(members=[date(1995, 5, 1), date(1998, 3, 2), date(1999, 7, 8)])
    client = login(staff_user(role, where))
    url = reverse("evaluations:special_recommendation", args=[round.pk])
    acts = (role, where) in MAY_RECOMMEND_SPECIALLY
    assert client.get(url).status_code == (200 if acts else 403)
    material = SimpleUploadedFile("材料.pdf", clean_pdf(), content_type="application/pdf")
    response = client.post(url, {"collective": collective.registration_number, "reason": "抗洪抢险", "material": material})
    assert response.status_code == (302 if acts else 403)
    assert Application.objects.filter(collective=collective, special_by__isnull=False).exists() is acts
    # Only a committee below the round's records a recommendation; the round's own admins take it into review.
    assert Recommendation.objects.exists() is (acts and where == "340803")
