"""The registration path end to end over HTTP: the 号长 registers, the county decides, the public sees."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.collectives.models import Collective, Status

from .factories import CollectiveFactory
from .forms_data import collective_post

pytestmark = pytest.mark.django_db


def test_signed_up_leader_registers_and_submits(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "wangxm",
            "real_name": "王晓明",
            "phone": "138 0013 8000",
            "email": "wangxm@example.cn",
            "password1": "Civ-post-2026!",
            "password2": "Civ-post-2026!",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("collectives:create")

    response = client.post(reverse("collectives:create"), collective_post(action="submit"), follow=True)

    collective = Collective.objects.get()
    assert collective.status == Status.SUBMITTED
    assert collective.leader_account.username == "wangxm"
    assert collective.member_count == 6
    assert collective.leader_member.name == "王晓明"
    assert collective.pledge_accepted_at is not None
    assert "共青团大观区委" in response.content.decode()
    entry = AuditEntry.objects.for_object(collective).get()
    assert (entry.action, entry.from_state, entry.to_state, entry.actor) == ("submit", "draft", "submitted", collective.leader_account)


def test_saving_a_draft_shows_youth_share_and_member_count(login, leader):
    client = login(leader)
    response = client.post(reverse("collectives:create"), collective_post(action="save"), follow=True)

    collective = Collective.objects.get()
    assert collective.status == Status.DRAFT
    page = response.content.decode()
    assert "66.7%" in page  # 4 of 6 members are 35 or younger
    assert "6" in page and collective.name in page


def test_draft_is_not_visible_to_staff(login, staff_user, leader):
    draft = CollectiveFactory(leader_account=leader, status="draft")
    client = login(staff_user("reviewer", "340803"))
    assert client.get(reverse("collectives:staff_detail", args=[draft.pk])).status_code == 404


def test_county_returns_then_leader_fixes_and_county_approves(client, login, staff_user, leader, submitted):
    reviewer = staff_user("reviewer", "340803")

    staff = login(reviewer)
    queue = staff.get(reverse("collectives:staff_queue")).content.decode()
    assert submitted.name in queue
    response = staff.post(
        reverse("collectives:staff_return", args=[submitted.pk]), {"comment": "服务承诺请写得更具体"}, follow=True
    )
    submitted.refresh_from_db()
    assert submitted.status == Status.RETURNED
    assert response.redirect_chain[-1][0] == reverse("collectives:staff_queue")

    own = login(leader)
    page = own.get(reverse("collectives:my_collective", args=[submitted.pk])).content.decode()
    assert "服务承诺请写得更具体" in page
    member_ids = list(submitted.members.values_list("pk", flat=True))
    data = collective_post(
        action="submit",
        name=submitted.name,
        service_promises="窗口服务零投诉\n办事一次告知",
        existing=member_ids,
    )
    own.post(reverse("collectives:edit", args=[submitted.pk]), data, follow=True)
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    assert submitted.promise_lines == ["窗口服务零投诉", "办事一次告知"]
    assert submitted.members.count() == 6

    staff = login(reviewer)
    response = staff.post(reverse("collectives:staff_approve", args=[submitted.pk]), {"comment": ""}, follow=True)
    submitted.refresh_from_db()
    assert submitted.status == Status.REGISTERED
    year = timezone.localdate().year
    assert re.fullmatch(rf"340803-{year}-\d{{5}}", submitted.registration_number)
    assert submitted.registration_number in response.content.decode()

    trail = list(AuditEntry.objects.for_object(submitted).values_list("action", "from_state", "to_state", "actor"))
    assert trail == [
        ("return", "submitted", "returned", reviewer.pk),
        ("submit", "returned", "submitted", leader.pk),
        ("approve", "submitted", "registered", reviewer.pk),
    ]
    assert AuditEntry.objects.for_object(submitted).first().comment == "服务承诺请写得更具体"

    public = client.get(reverse("collectives:public_page", args=[submitted.pk])).content.decode()
    assert submitted.name in public and "争创集体" in public and "窗口服务零投诉" in public


def test_registration_numbers_count_up_per_region(login, staff_user):
    client = login(staff_user("reviewer", "340803"))
    first, second = CollectiveFactory(status="submitted"), CollectiveFactory(status="submitted")
    client.post(reverse("collectives:staff_approve", args=[first.pk]))
    client.post(reverse("collectives:staff_approve", args=[second.pk]))
    first.refresh_from_db(), second.refresh_from_db()
    assert int(second.registration_number[-5:]) == int(first.registration_number[-5:]) + 1


def test_return_without_comment_is_refused(login, staff_user, submitted):
    client = login(staff_user("reviewer", "340803"))
    response = client.post(reverse("collectives:staff_return", args=[submitted.pk]), {"comment": "  "}, follow=True)
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    assert "这个字段是必填项" in response.content.decode()
    assert not AuditEntry.objects.exists()


def test_second_decision_on_the_same_registration_is_refused(login, staff_user, submitted):
    client = login(staff_user("reviewer", "340803"))
    client.post(reverse("collectives:staff_approve", args=[submitted.pk]))
    response = client.post(reverse("collectives:staff_return", args=[submitted.pk]), {"comment": "再看看"}, follow=True)
    submitted.refresh_from_db()
    assert submitted.status == Status.REGISTERED
    assert "不能再" in response.content.decode()
    assert AuditEntry.objects.count() == 1


def test_leader_cannot_edit_while_under_review(login, leader, submitted):
    client = login(leader)
    response = client.get(reverse("collectives:edit", args=[submitted.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("collectives:my_collective", args=[submitted.pk])
    data = collective_post(name="改过的名字", existing=list(submitted.members.values_list("pk", flat=True)))
    client.post(reverse("collectives:edit", args=[submitted.pk]), data)
    submitted.refresh_from_db()
    assert submitted.name != "改过的名字"


def test_registered_collective_keeps_its_committee_but_can_update_promises(login, leader):
    collective = CollectiveFactory(leader_account=leader, status="registered", registration_number="340803-2026-00001")
    client = login(leader)
    data = collective_post(
        name=collective.name,
        service_promises="新的承诺",
        registering_node="",
        region="340822",
        existing=list(collective.members.values_list("pk", flat=True)),
    )
    response = client.post(reverse("collectives:edit", args=[collective.pk]), data, follow=True)
    assert response.status_code == 200
    collective.refresh_from_db()
    assert collective.promise_lines == ["新的承诺"]
    assert collective.region_id == "340803"
    assert collective.status == Status.REGISTERED


def test_leader_moves_the_leader_role_to_another_member(login, leader):
    collective = CollectiveFactory(leader_account=leader)
    ids = list(collective.members.order_by("pk").values_list("pk", flat=True))
    members = [("甲", "1995-05-01", "班长", False), ("乙", "1998-03-02", "副班长", True)] + [
        (f"丙{i}", "1999-01-01", "柜员", False) for i in range(4)
    ]
    login(leader).post(
        reverse("collectives:edit", args=[collective.pk]),
        collective_post(name=collective.name, members=members, existing=ids),
    )
    collective = Collective.objects.get(pk=collective.pk)
    assert collective.leader_member.name == "乙"
    assert collective.members.filter(is_leader=True).count() == 1


def test_industry_unit_staff_approve_collectives_registered_with_them(login, staff_user):
    from .conftest import committee

    collective = CollectiveFactory(status="submitted", registering_node=committee("国网安庆供电公司"))
    client = login(staff_user("reviewer", "国网安庆供电公司"))
    client.post(reverse("collectives:staff_approve", args=[collective.pk]))
    collective.refresh_from_db()
    assert collective.status == Status.REGISTERED
