"""Who may see and act on registrations: every role against every protected view, scoped by the tree."""

import pytest
from django.urls import reverse

from apps.collectives.models import Status
from apps.organizations.scope import StaffScope

from .conftest import committee
from .factories import CollectiveFactory, UserFactory

pytestmark = pytest.mark.django_db

STAFF_VIEWS = ["collectives:staff_queue"]
DETAIL = "collectives:staff_detail"
DECISIONS = ["collectives:staff_approve", "collectives:staff_return"]

# (role, committee) → may see the 大观区 registration, may decide on it
MATRIX = [
    ("reviewer", "340803", True, True),  # its own county
    ("admin", "340803", True, True),
    ("viewer", "340803", True, False),
    ("expert", "340803", False, False),  # experts see only what they are assigned (issue 4)
    ("reviewer", "340800", True, True),  # the city above
    ("viewer", "340800", True, False),
    ("admin", "340000", True, True),  # the province above
    ("reviewer", "340822", False, False),  # another county of the same city
    ("reviewer", "340100", False, False),  # another city
    ("admin", "国网安庆供电公司", False, False),  # an industry unit it did not register with
]


@pytest.mark.parametrize(("role", "where", "may_see", "may_decide"), MATRIX)
def test_staff_matrix(login, staff_user, submitted, role, where, may_see, may_decide):
    client = login(staff_user(role, where))

    queue = client.get(reverse("collectives:staff_queue"))
    detail = client.get(reverse(DETAIL, args=[submitted.pk]))
    if role == "expert":
        assert queue.status_code == 403
    else:
        assert queue.status_code == 200
        assert (submitted.name in queue.content.decode()) is may_see
    assert detail.status_code == (200 if may_see else 404 if role != "expert" else 403)

    response = client.post(reverse("collectives:staff_approve", args=[submitted.pk]), {"confirmed": "1"})
    submitted.refresh_from_db()
    assert (submitted.status == Status.REGISTERED) is may_decide
    if not may_decide:
        assert response.status_code in (403, 404)


@pytest.mark.parametrize("name", DECISIONS)
def test_other_county_cannot_decide(login, staff_user, submitted, name):
    client = login(staff_user("reviewer", "340822"))
    response = client.post(reverse(name, args=[submitted.pk]), {"comment": "不合格"})
    assert response.status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


@pytest.mark.parametrize("url", ["collectives:staff_queue", "collectives:my"])
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(reverse(url))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_cannot_decide(client, submitted):
    response = client.post(reverse("collectives:staff_approve", args=[submitted.pk]), {"confirmed": "1"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_leader_without_staff_role_gets_403_on_workbench(login, leader, submitted):
    client = login(leader)
    assert client.get(reverse("collectives:staff_queue")).status_code == 403
    assert client.post(reverse("collectives:staff_approve", args=[submitted.pk]), {"confirmed": "1"}).status_code == 403


@pytest.mark.parametrize("url", ["collectives:my_collective", "collectives:edit"])
def test_leader_cannot_open_another_leaders_collective(login, submitted, url):
    client = login(UserFactory())
    assert client.get(reverse(url, args=[submitted.pk])).status_code == 404


def test_leader_cannot_submit_another_leaders_collective(login):
    draft = CollectiveFactory(status="draft")
    response = login(UserFactory()).post(reverse("collectives:submit", args=[draft.pk]))
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_superuser_sees_everything(login, submitted):
    client = login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(reverse(DETAIL, args=[submitted.pk])).status_code == 200


def test_inactive_committee_grants_nothing(staff_user, submitted):
    user = staff_user("reviewer", "340803")
    node = committee("340803")
    node.is_active = False
    node.save()
    assert not StaffScope(user).can("view")


def test_scope_covers_the_subtree_only(staff_user):
    scope = StaffScope(staff_user("viewer", "340800"))
    visible = {n.region_id for n in scope.nodes("view") if n.kind == "league"}
    assert "340800" in visible and "340803" in visible and "340822" in visible
    assert "340000" not in visible and "340100" not in visible and "340102" not in visible


def test_admin_site_is_for_superusers_only(login, staff_user):
    client = login(staff_user("admin", "340000"))
    response = client.get("/admin/")
    assert response.status_code == 302
