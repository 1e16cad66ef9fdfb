"""The registration path end to end over HTTP: the 号长 registers, the county decides, the public sees."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.collectives.models import Collective, Status
from apps.organizations.models import Node, Region

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
    response = staff.post(reverse("collectives:staff_approve", args=[submitted.pk]), {"comment": "", "confirmed": "1"}, follow=True)
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
    client.post(reverse("collectives:staff_approve", args=[first.pk]), {"confirmed": "1"})
    client.post(reverse("collectives:staff_approve", args=[second.pk]), {"confirmed": "1"})
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
    client.post(reverse("collectives:staff_approve", args=[submitted.pk]), {"confirmed": "1"})
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
        county="340822",
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
    client.post(reverse("collectives:staff_approve", args=[collective.pk]), {"confirmed": "1"})
    collective.refresh_from_db()
    assert collective.status == Status.REGISTERED


# The region cascade: province → city → county, each list filled by the server, and the registering committees
# narrowed to the chosen region.


def options(page, field):
    """The values offered by a select of the page, or None when the select is not shown."""
    select = re.search(rf'<select name="{field}"[^>]*>(.*?)</select>', page, re.S)
    return re.findall(r'<option value="(\d+)"', select.group(1)) if select else None


def node_names(page):
    select = re.search(r'<select name="registering_node"[^>]*>(.*?)</select>', page, re.S)
    return re.findall(r'<option value="\d+"[^>]*>([^<（]+)', select.group(1))


def refresh(client, **regions):
    """The refresh button (pressed by static/js/region-cascade.js when a select changes), with the rest of the form."""
    data = collective_post(action="refresh", registering_node="", province="", city="", county="")
    response = client.post(reverse("collectives:create"), {**data, **regions})
    assert response.status_code == 200
    return response.content.decode()


def test_choosing_jiangsu_then_nanjing_then_a_district_narrows_the_committees(login, leader):
    client = login(leader)
    page = client.get(reverse("collectives:create")).content.decode()
    assert len(options(page, "province")) == 31
    assert options(page, "city") is None and options(page, "county") is None
    assert node_names(page) == []  # nothing to choose before the region
    assert "请先选择所在县（市、区）" in page
    assert 'name="action" value="refresh"' in page  # the button that refreshes the lists without JavaScript

    page = refresh(client, province="320000")
    assert "320100" in options(page, "city") and "340800" not in options(page, "city")
    assert options(page, "county") is None
    assert "errorlist" not in page and "尚未保存" not in page  # a refresh checks nothing
    assert "客户服务中心营业厅青年班组" in page  # and keeps what was typed

    page = refresh(client, province="320000", city="320100")
    assert "320102" in options(page, "county") and len(options(page, "county")) == 11
    assert node_names(page) == []

    page = refresh(client, province="320000", city="320100", county="320102")
    names = node_names(page)
    assert names[0] == "共青团玄武区委"
    assert "国家电网有限公司" in names  # the national industry units cover every region
    assert not {"共青团大观区委", "共青团南京市委", "国网安庆供电公司", "国网安徽省电力有限公司"} & set(names)
    assert not Collective.objects.exists()

    xuanwu = Node.objects.get(region_id="320102", kind="league")
    data = collective_post(province="320000", city="320100", county="320102", registering_node=xuanwu.pk)
    client.post(reverse("collectives:create"), data)
    collective = Collective.objects.get()
    assert collective.region_id == "320102" and collective.registering_node == xuanwu


def test_anqing_lists_its_own_and_its_province_industry_units(login, leader):
    page = refresh(login(leader), province="340000", city="340800", county="340803")
    assert {"共青团大观区委", "国网安庆供电公司", "国网安徽省电力有限公司", "国家电网有限公司"} <= set(node_names(page))
    assert "国网合肥供电公司" not in node_names(page)


def test_a_municipality_lists_its_districts_in_the_second_select(login, leader):
    client = login(leader)
    page = refresh(client, province="110000")
    assert "110101" in options(page, "city") and options(page, "county") is None
    page = refresh(client, province="110000", city="110101")
    assert options(page, "county") is None
    assert node_names(page)[0] == "共青团北京市东城区委"


def test_a_city_without_counties_receives_registrations(login, leader, staff_user):
    client = login(leader)
    page = refresh(client, province="440000", city="441900")
    assert options(page, "county") is None
    assert node_names(page)[0] == "共青团东莞市委"

    dongguan = Node.objects.get(region_id="441900", kind="league")
    data = collective_post(action="submit", province="440000", city="441900", registering_node=dongguan.pk, county="")
    client.post(reverse("collectives:create"), data)
    collective = Collective.objects.get()
    assert (collective.region_id, collective.status) == ("441900", Status.SUBMITTED)

    staff = login(staff_user("reviewer", "441900"))
    staff.post(reverse("collectives:staff_approve", args=[collective.pk]), {"comment": "", "confirmed": "1"})
    collective.refresh_from_db()
    assert collective.status == Status.REGISTERED
    assert collective.registration_number.startswith("441900-")


def test_a_city_left_over_from_another_province_is_dropped_and_a_missing_county_is_asked_for(login, leader):
    client = login(leader)
    page = refresh(client, province="320000", city="340800", county="340803")
    assert "340800" not in options(page, "city") and options(page, "county") is None
    assert "errorlist" not in page

    response = client.post(reverse("collectives:create"), collective_post(province="320000", city="340800", county="340803"))
    page = response.content.decode()
    assert "请选择集体所在的省份、市和县（市、区）" in page
    response = client.post(reverse("collectives:create"), collective_post(county=""))
    assert "请选择集体所在的省份、市和县（市、区）" in response.content.decode()
    assert not Collective.objects.exists()


@pytest.mark.parametrize("regions", [{}, {"province": "320000"}, {"province": "320000", "city": "320100", "county": "320102"}, {"province": "440000", "city": "441900"}])
def test_the_form_costs_a_constant_number_of_queries(login, leader, django_assert_max_num_queries, regions):
    client = login(leader)
    refresh(client, **regions)  # fills the cached region lists, as the visitors before did
    with django_assert_max_num_queries(10):  # one of them reads the committees to suggest one
        refresh(client, **regions)


def test_staff_scope_follows_the_national_tree(login, staff_user):
    """Beijing's committee sees a registration in 东城区 (a district right under the municipality), Tianjin's does
    not; 湖北's sees one in 仙桃 (a city right under the province)."""
    dongcheng = CollectiveFactory(status="submitted", region=Region.objects.get(code="110101"))
    xiantao = CollectiveFactory(status="submitted", region=Region.objects.get(code="429004"))
    assert dongcheng.registering_node.name == "共青团北京市东城区委"

    def queue(role, where):
        return login(staff_user(role, where)).get(reverse("collectives:staff_queue")).content.decode()

    assert dongcheng.name in queue("viewer", "110000") and xiantao.name not in queue("viewer", "110000")
    assert dongcheng.name not in queue("viewer", "120000")
    assert xiantao.name in queue("viewer", "420000") and xiantao.name in queue("reviewer", "429004")
    assert dongcheng.name in queue("viewer", "100000") and xiantao.name in queue("viewer", "100000")


def test_refreshing_the_regions_of_a_draft_keeps_its_members_and_saves_nothing(login, leader):
    draft = CollectiveFactory(leader_account=leader, status="draft")
    client = login(leader)
    page = client.get(reverse("collectives:edit", args=[draft.pk])).content.decode()
    assert 'value="340803" selected' in page and node_names(page)[0] == "共青团大观区委"  # the draft's region, chosen

    data = collective_post(action="refresh", name="改过的名字", province="110000", city="", county="", existing=list(draft.members.order_by("pk").values_list("pk", flat=True)))
    page = client.post(reverse("collectives:edit", args=[draft.pk]), data).content.decode()
    assert "110101" in options(page, "city") and "改过的名字" in page and "王晓明" in page
    assert "errorlist" not in page
    draft.refresh_from_db()
    assert draft.name != "改过的名字" and draft.region_id == "340803"
