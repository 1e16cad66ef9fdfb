"""Bad input gets a clear Chinese message next to the field, and nothing is saved."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from apps.collectives.models import Collective, Member

from .factories import CollectiveFactory
from .forms_data import DEFAULT_MEMBERS, collective_post

pytestmark = pytest.mark.django_db

NOTHING_SAVED = "请改正下面标出的错误。尚未保存任何内容。"


def post_and_expect_error(client, data, message):
    response = client.post(reverse("collectives:create"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page, page
    assert NOTHING_SAVED in page
    assert not Collective.objects.exists()
    assert not Member.objects.exists()


def replace_member(index, **changes):
    members = [list(m) for m in DEFAULT_MEMBERS]
    for key, value in changes.items():
        members[index][["name", "birth_date", "position", "is_leader"].index(key)] = value
    return [tuple(m) for m in members]


@pytest.fixture
def client_for_leader(login, leader):
    return login(leader)


def test_missing_fields(client_for_leader):
    post_and_expect_error(client_for_leader, collective_post(name="", address=""), "这个字段是必填项")


def test_birth_date_in_the_future(client_for_leader):
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    post_and_expect_error(client_for_leader, collective_post(members=replace_member(2, birth_date=tomorrow)), "出生日期不能晚于今天")


def test_member_too_young(client_for_leader):
    post_and_expect_error(client_for_leader, collective_post(members=replace_member(2, birth_date="2020-01-01")), "成员须年满16周岁")


def test_no_leader_among_members(client_for_leader):
    post_and_expect_error(client_for_leader, collective_post(members=replace_member(0, is_leader=False)), "号长必须是成员之一")


def test_two_leaders(client_for_leader):
    post_and_expect_error(client_for_leader, collective_post(members=replace_member(1, is_leader=True)), "号长必须是成员之一")


def test_phone_that_is_not_one(client_for_leader):
    post_and_expect_error(client_for_leader, collective_post(supervision_phone="12ab"), "请输入有效的电话号码")


def test_duplicate_name_in_the_same_unit(client_for_leader):
    CollectiveFactory(name="客户服务中心营业厅青年班组", workplace_unit="国网安庆供电公司")
    response = client_for_leader.post(reverse("collectives:create"), collective_post())
    assert "该工作单位已有同名集体" in response.content.decode()
    assert Collective.objects.count() == 1


def test_same_name_in_another_unit_is_fine(client_for_leader):
    CollectiveFactory(name="客户服务中心营业厅青年班组", workplace_unit="国网桐城供电公司")
    client_for_leader.post(reverse("collectives:create"), collective_post())
    assert Collective.objects.count() == 2


def test_committee_that_does_not_cover_the_region(client_for_leader):
    post_and_expect_error(client_for_leader, collective_post(county="340822"), "请从列表中选择备案团委")


def test_submit_without_pledge(client_for_leader):
    post_and_expect_error(client_for_leader, collective_post(action="submit", accept_pledge=None), "提交前请接受信用承诺")


def test_malformed_date(client_for_leader):
    post_and_expect_error(client_for_leader, collective_post(members=replace_member(3, birth_date="2000-13-45")), "输入一个有效的日期")


def test_tampered_formset_is_a_clear_error_not_a_crash(client_for_leader):
    data = collective_post()
    del data["members-TOTAL_FORMS"]
    response = client_for_leader.post(reverse("collectives:create"), data)
    assert response.status_code == 200
    assert not Collective.objects.exists()


def test_signup_rejects_a_bad_mobile_and_a_taken_one(client, leader):
    base = {"username": "newleader", "real_name": "李四", "email": "", "password1": "Civ-post-2026!", "password2": "Civ-post-2026!"}
    bad = client.post(reverse("signup"), {**base, "phone": "1234"})
    assert "请输入有效的11位手机号码" in bad.content.decode()
    taken = client.post(reverse("signup"), {**base, "phone": leader.phone})
    assert "手机号码" in taken.content.decode() and "已存在" in taken.content.decode()
    assert not type(leader).objects.filter(username="newleader").exists()
