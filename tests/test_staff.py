"""Committees manage their own staff at /workbench/staff/: every role against every page and step, the tree's
limits, no self-promotion, ended roles kept but powerless, invitations by one-time link, query counts."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from apps.accounts.models import User
from apps.audit.models import AuditEntry
from apps.evaluations.workflow import eligible_experts
from apps.organizations.enums import Action, Role
from apps.organizations.models import Membership
from apps.organizations.scope import StaffScope

from .conftest import ROLES, committee
from .evaluation_factories import RoundFactory
from .factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

DAGUAN, ANQING, ANHUI, HEFEI, HUAINING = "340803", "340800", "340000", "340100", "340822"
NEW_PASSWORD = "Qing-nian-2026!"


def add_url(node=None):
    return reverse("organizations:staff_add") + (f"?node={node.pk}" if node else "")


def grant(client, person, node, role=Role.REVIEWER):
    return client.post(add_url(), {"action": "grant", "user": person.pk, "node": node.pk, "role": role})


def create(client, node, role=Role.REVIEWER, follow=False, **fields):
    data = {"action": "create", "real_name": "周新", "phone": "13712345678", "username": "", "email": "", "node": node.pk, "role": role}
    return client.post(add_url(), {**data, **fields}, follow=follow)


def change(client, membership, role):
    return client.post(reverse("organizations:staff_change_role", args=[membership.pk]), {"role": role})


def end(client, membership, reason="调离团委工作岗位"):
    return client.post(reverse("organizations:staff_end", args=[membership.pk]), {"reason": reason})


def reissue(client, membership):
    return client.post(reverse("organizations:staff_reissue", args=[membership.pk]))


def invited_membership(node_key=DAGUAN, role=Role.REVIEWER):
    """A role held by an account whose owner has not chosen a password yet."""
    person = UserFactory()
    person.set_unusable_password()
    person.save()
    return MembershipFactory(user=person, node=committee(node_key), role=role)


def path_of(url):
    return url.split("8000", 1)[1]


# Who may do what ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_role_against_every_staff_page_and_step(login, staff_user, role):
    """Only committee admins manage staff; reviewers, experts and viewers get 403 everywhere and change nothing."""
    client = login(staff_user(role, DAGUAN))
    node = committee(DAGUAN)
    target = invited_membership()
    person = UserFactory()
    allowed = role == Role.ADMIN

    pages = [reverse("organizations:staff_list"), add_url(), reverse("organizations:staff_detail", args=[target.pk])]
    for url in pages:
        assert client.get(url).status_code == (200 if allowed else 403), url

    steps = [
        lambda: grant(client, person, node),
        lambda: create(client, node),
        lambda: change(client, target, Role.VIEWER),
        lambda: reissue(client, target),
        lambda: end(client, target),
    ]
    for step in steps:
        assert step().status_code == (302 if allowed else 403)

    target.refresh_from_db()
    assert Membership.objects.current().filter(user=person, node=node).exists() is allowed
    assert User.objects.filter(phone="13712345678").exists() is allowed
    assert (target.role == Role.VIEWER) is allowed
    assert (target.ended_at is not None) is allowed
    assert AuditEntry.objects.filter(action__in=["grant_role", "change_role", "end_membership", "reissue_invitation"]).count() == (
        5 if allowed else 0
    )


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("organizations:staff_list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_staff_link_is_in_the_workbench_menu_of_admins_only(login, staff_user):
    assert "工作人员" in login(staff_user(Role.ADMIN, DAGUAN)).get(reverse("collectives:staff_queue")).content.decode()
    assert "工作人员" not in login(staff_user(Role.REVIEWER, DAGUAN)).get(reverse("collectives:staff_queue")).content.decode()


@pytest.mark.parametrize(
    ("where", "status"),
    [(ANHUI, 403), (HEFEI, 403), (HUAINING, 302), (ANQING, 302), ("国网安庆供电公司", 302)],
)
def test_a_city_admin_gives_roles_only_in_its_own_subtree(login, staff_user, where, status):
    client = login(staff_user(Role.ADMIN, ANQING))
    person = UserFactory()
    assert grant(client, person, committee(where)).status_code == status
    assert Membership.objects.filter(user=person).exists() is (status == 302)
    assert create(client, committee(where)).status_code == status
    assert User.objects.filter(phone="13712345678").exists() is (status == 302)


@pytest.mark.parametrize("where", [ANHUI, HEFEI])
def test_a_city_admin_cannot_see_change_or_end_roles_above_or_beside_it(login, staff_user, where):
    client = login(staff_user(Role.ADMIN, ANQING))
    other = MembershipFactory(node=committee(where), role=Role.VIEWER)
    assert client.get(reverse("organizations:staff_detail", args=[other.pk])).status_code == 404
    assert change(client, other, Role.ADMIN).status_code == 404
    assert end(client, other).status_code == 404
    assert reissue(client, other).status_code == 404
    other.refresh_from_db()
    assert other.role == Role.VIEWER and other.ended_at is None
    assert other.user.get_full_name() not in client.get(reverse("organizations:staff_list")).content.decode()


def test_a_county_admin_cannot_list_another_committee(login, staff_user):
    client = login(staff_user(Role.ADMIN, DAGUAN))
    assert client.get(reverse("organizations:staff_list"), {"node": committee(ANQING).pk}).status_code == 404
    assert client.get(add_url(committee(HUAINING))).status_code == 404


def test_nobody_grants_changes_or_ends_their_own_roles(login, staff_user):
    admin = staff_user(Role.ADMIN, ANQING)
    own = admin.memberships.get()
    client = login(admin)
    assert grant(client, admin, committee(ANQING), Role.REVIEWER).status_code == 403
    assert grant(client, admin, committee(DAGUAN), Role.ADMIN).status_code == 403
    assert change(client, own, Role.VIEWER).status_code == 403
    assert end(client, own).status_code == 403
    own.refresh_from_db()
    assert own.role == Role.ADMIN and own.ended_at is None
    assert admin.memberships.count() == 1
    page = client.get(reverse("organizations:staff_detail", args=[own.pk])).content.decode()
    assert "结束角色" not in page and "这是您本人的角色" in page


def test_a_superuser_cannot_promote_themselves_either(client):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(superuser)
    assert grant(client, superuser, committee(DAGUAN), Role.ADMIN).status_code == 403


def test_a_peer_admin_of_the_same_committee_may_end_an_admin(login, staff_user):
    first = MembershipFactory(node=committee(DAGUAN), role=Role.ADMIN)
    client = login(staff_user(Role.ADMIN, DAGUAN))
    assert end(client, first).status_code == 302
    first.refresh_from_db()
    assert first.ended_at is not None


# The steps ---------------------------------------------------------------------------------------------------


def test_ending_a_role_requires_a_reason_and_keeps_its_history(login, staff_user):
    admin = staff_user(Role.ADMIN, ANQING)
    membership = MembershipFactory(node=committee(DAGUAN), role=Role.REVIEWER)
    client = login(admin)

    response = client.post(reverse("organizations:staff_end", args=[membership.pk]), {"reason": "  "}, follow=True)
    membership.refresh_from_db()
    assert membership.ended_at is None
    assert "这个字段是必填项" in response.content.decode() or "结束角色的原因" in response.content.decode()

    response = end(client, membership, "调离团委工作岗位")
    membership.refresh_from_db()
    assert membership.ended_at is not None and membership.ended_by == admin and membership.end_reason == "调离团委工作岗位"
    entry = AuditEntry.objects.for_object(membership).get(action="end_membership")
    assert (entry.actor, entry.from_state, entry.to_state, entry.comment) == (admin, Role.REVIEWER, "ended", "调离团委工作岗位")

    page = client.get(reverse("organizations:staff_detail", args=[membership.pk])).content.decode()
    assert "调离团委工作岗位" in page and "角色已结束" in page
    assert change(client, membership, Role.ADMIN).status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.REVIEWER  # an ended role cannot be changed any more


def test_every_change_writes_its_audit_entry_and_the_page_shows_the_timeline(login, staff_user):
    admin = staff_user(Role.ADMIN, ANQING)
    person = UserFactory()
    client = login(admin)

    grant(client, person, committee(DAGUAN), Role.VIEWER)
    membership = Membership.objects.get(user=person)
    assert membership.granted_by == admin
    change(client, membership, Role.REVIEWER)
    end(client, membership, "换届")

    entries = list(AuditEntry.objects.for_object(membership).values_list("action", "from_state", "to_state", "actor"))
    assert entries == [
        ("grant_role", "none", Role.VIEWER, admin.pk),
        ("change_role", Role.VIEWER, Role.REVIEWER, admin.pk),
        ("end_membership", Role.REVIEWER, "ended", admin.pk),
    ]
    page = re.sub(r"<[^>]+>", "", client.get(reverse("organizations:staff_detail", args=[membership.pk])).content.decode())
    for label in ("授予角色：无角色 → 查看人员", "变更角色：查看人员 → 审核人员", "结束角色：审核人员 → 已结束", "换届"):
        assert label in page


def test_a_role_cannot_be_given_twice_but_another_role_can(login, staff_user):
    client = login(staff_user(Role.ADMIN, ANQING))
    held = MembershipFactory(node=committee(DAGUAN), role=Role.REVIEWER)
    response = grant(client, held.user, committee(DAGUAN), Role.REVIEWER)
    assert response.status_code == 200 and "已经是" in response.content.decode()
    assert grant(client, held.user, committee(DAGUAN), Role.EXPERT).status_code == 302
    assert grant(client, held.user, committee(ANQING), Role.VIEWER).status_code == 302
    assert held.user.memberships.current().count() == 3
    response = change(client, held, Role.EXPERT)
    held.refresh_from_db()
    assert held.role == Role.REVIEWER


def test_an_ended_role_can_be_given_again(login, staff_user):
    client = login(staff_user(Role.ADMIN, DAGUAN))
    membership = MembershipFactory(node=committee(DAGUAN), role=Role.REVIEWER)
    end(client, membership)
    assert grant(client, membership.user, committee(DAGUAN), Role.REVIEWER).status_code == 302
    assert Membership.objects.filter(user=membership.user).count() == 2
    assert Membership.objects.current().filter(user=membership.user).count() == 1


# Finding and inviting people ---------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["13955501234", "１３９ ５５５０ １２３４", "139-5550-1234", "zhaoliu"])
def test_an_existing_account_is_found_by_phone_however_typed_or_by_username(login, staff_user, typed):
    person = UserFactory(username="zhaoliu", real_name="赵六", phone="13955501234")
    client = login(staff_user(Role.ADMIN, DAGUAN))
    response = client.get(reverse("organizations:staff_add"), {"find": typed})
    assert response.context["found"] == [person]
    page = response.content.decode()
    assert "赵六" in page and "139****1234" in page
    if typed == "zhaoliu":
        assert "13955501234" not in page
    assert grant(client, person, committee(DAGUAN)).status_code == 302
    assert Membership.objects.current().get(user=person).node == committee(DAGUAN)


def test_an_unknown_phone_offers_a_new_account_with_it(login, staff_user):
    client = login(staff_user(Role.ADMIN, DAGUAN))
    response = client.get(reverse("organizations:staff_add"), {"find": "１３７ １２３４ ５６７８"})
    assert "没有账号" in response.content.decode()
    assert response.context["new_form"].initial["phone"] == "13712345678"


def test_a_new_account_gets_a_one_time_link_shown_once_and_mailed(login, staff_user, client, django_capture_on_commit_callbacks):
    admin = staff_user(Role.ADMIN, DAGUAN)
    login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = create(client, committee(DAGUAN), phone="１３７ １２３４ ５６７８", email="zhouxin@example.cn", follow=True)
    person = User.objects.get(phone="13712345678")
    assert person.username == "13712345678" and not person.has_usable_password()
    membership = person.memberships.get()
    assert (membership.role, membership.node, membership.granted_by) == (Role.REVIEWER, committee(DAGUAN), admin)

    page = response.content.decode()
    link = re.search(r'value="(http[^"]+/accounts/reset/[^"]+)"', page).group(1)
    assert "只显示这一次" in page
    assert link not in client.get(reverse("organizations:staff_detail", args=[membership.pk])).content.decode()
    assert len(mail.outbox) == 1 and link in mail.outbox[0].body and mail.outbox[0].to == ["zhouxin@example.cn"]

    client.logout()
    form_page = client.get(path_of(link), follow=True)
    assert form_page.context["validlink"]
    client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert client.post(reverse("login"), {"username": "137 1234 5678", "password": NEW_PASSWORD}).status_code == 302
    assert client.get(reverse("collectives:staff_queue")).status_code == 200
    assert client.get(path_of(link), follow=True).context["validlink"] is False


def test_no_mail_without_an_address_and_bad_input_gets_clear_messages(login, staff_user, client, django_capture_on_commit_callbacks):
    login(staff_user(Role.ADMIN, DAGUAN))
    with django_capture_on_commit_callbacks(execute=True):
        create(client, committee(DAGUAN))
    assert mail.outbox == []
    response = create(client, committee(DAGUAN), real_name="", phone="12345")
    page = response.content.decode()
    assert response.status_code == 200 and "11位手机号码" in page and "这个字段是必填项" in page
    response = create(client, committee(DAGUAN), real_name="另一人")
    assert "该手机号码已注册" in response.content.decode()
    assert User.objects.filter(phone="13712345678").count() == 1


def test_a_fresh_link_replaces_the_old_one_until_the_password_is_set(login, staff_user, client):
    login(staff_user(Role.ADMIN, DAGUAN))
    create(client, committee(DAGUAN))
    membership = Membership.objects.get(user__phone="13712345678")
    detail = reverse("organizations:staff_detail", args=[membership.pk])
    first = client.get(detail).context["invitation_url"]
    assert first and client.get(detail).context["invitation_url"] is None  # shown once

    response = reissue(client, membership)
    second = client.get(response["Location"]).context["invitation_url"]
    assert second and AuditEntry.objects.for_object(membership).filter(action="reissue_invitation").count() == 1

    client.logout()
    assert client.get(path_of(first), follow=True).context["validlink"] is False
    form_page = client.get(path_of(second), follow=True)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    membership.user.refresh_from_db()
    assert membership.user.check_password(NEW_PASSWORD)

    client.force_login(User.objects.get(memberships__role=Role.ADMIN))
    response = reissue(client, membership)
    assert membership.user.check_password(NEW_PASSWORD)  # a set password is never replaced by a link


def test_the_old_link_dies_when_a_new_one_is_issued(login, staff_user, client):
    membership = invited_membership()
    login(staff_user(Role.ADMIN, DAGUAN))
    old = client.get(client.post(reverse("organizations:staff_reissue", args=[membership.pk]))["Location"]).context["invitation_url"]
    new = client.get(reissue(client, membership)["Location"]).context["invitation_url"]
    client.logout()
    assert client.get(path_of(old), follow=True).context["validlink"] is False
    assert client.get(path_of(new), follow=True).context["validlink"] is True


def test_no_link_for_an_account_with_a_password_or_with_roles_beyond_the_admin(login, staff_user):
    client = login(staff_user(Role.ADMIN, DAGUAN))
    active = MembershipFactory(node=committee(DAGUAN))
    response = client.post(reverse("organizations:staff_reissue", args=[active.pk]), follow=True)
    assert "已经设置了密码" in response.content.decode()

    # A national reviewer's fresh account given a county role: the county admin must not be able to take it over.
    national = invited_membership("100000")
    county = MembershipFactory(user=national.user, node=committee(DAGUAN), role=Role.VIEWER)
    assert reissue(client, county).status_code == 403
    assert "发放新的设置密码链接" not in client.get(reverse("organizations:staff_detail", args=[county.pk])).content.decode()
    assert not AuditEntry.objects.filter(action="reissue_invitation").exists()


def test_appointments_go_down_the_tree_without_a_superuser(client):
    national_admin = MembershipFactory(node=committee("100000"), role=Role.ADMIN).user
    chain = [(national_admin, ANHUI, "13711110001"), (None, ANQING, "13711110002"), (None, DAGUAN, "13711110003")]
    appointer = national_admin
    for _unused, where, phone in chain:
        client.force_login(appointer)
        assert create(client, committee(where), Role.ADMIN, phone=phone, real_name=f"管理员{where}").status_code == 302
        appointer = User.objects.get(phone=phone)
        assert StaffScope(appointer).acts_at(Action.MANAGE_NODE, committee(where))
    client.force_login(appointer)
    assert client.get(reverse("organizations:staff_list")).status_code == 200


# Ended roles count nowhere -------------------------------------------------------------------------------------


def test_a_new_role_appears_in_the_scope_and_an_ended_one_disappears(login, staff_user, client):
    admin = staff_user(Role.ADMIN, ANQING)
    person = UserFactory()
    login(admin)
    assert not StaffScope(person).can(Action.VIEW, committee(DAGUAN))
    grant(client, person, committee(DAGUAN), Role.REVIEWER)
    assert StaffScope(person).can(Action.REVIEW_REGISTRATIONS, committee(DAGUAN))

    end(client, Membership.objects.get(user=person))
    scope = StaffScope(person)
    assert not scope.is_staff_member and not scope.can(Action.VIEW, committee(DAGUAN))
    client.force_login(person)
    assert client.get(reverse("collectives:staff_queue")).status_code == 403


def test_an_ended_expert_is_no_longer_offered_to_rounds(login, staff_user):
    expert = MembershipFactory(node=committee(ANQING), role=Role.EXPERT)
    round = RoundFactory(node=committee(ANQING))
    assert expert in eligible_experts(round)
    end(login(staff_user(Role.ADMIN, ANQING)), expert)
    assert expert not in eligible_experts(round)


# The list ----------------------------------------------------------------------------------------------------


def test_the_list_masks_phones_filters_and_counts(login, staff_user):
    client = login(staff_user(Role.ADMIN, ANQING))
    MembershipFactory(node=committee(DAGUAN), role=Role.REVIEWER, user=UserFactory(real_name="钱多多", phone="13900990001"))
    MembershipFactory(node=committee(HUAINING), role=Role.VIEWER, user=UserFactory(real_name="孙小小", username="sunxx"))
    ended = MembershipFactory(node=committee(HUAINING), role=Role.EXPERT, user=UserFactory(real_name="李已走"))
    end(client, ended)
    MembershipFactory(node=committee(HEFEI), role=Role.REVIEWER, user=UserFactory(real_name="外市人"))
    url = reverse("organizations:staff_list")

    page = client.get(url).content.decode()
    assert "钱多多" in page and "139****0001" in page and "13900990001" not in page
    assert "孙小小" in page and "李已走" not in page and "外市人" not in page
    assert "3 个角色" in page  # the admin, 钱多多, 孙小小

    assert "孙小小" in client.get(url, {"q": "sunxx"}).content.decode()
    found = client.get(url, {"q": "0990001"}).content.decode()
    assert "钱多多" in found and "孙小小" not in found
    by_role = client.get(url, {"role": Role.VIEWER}).content.decode()
    assert "孙小小" in by_role and "钱多多" not in by_role
    by_node = client.get(url, {"node": committee(HUAINING).pk}).content.decode()
    assert "孙小小" in by_node and "钱多多" not in by_node
    gone = client.get(url, {"status": "ended"}).content.decode()
    assert "李已走" in gone and "孙小小" not in gone


def test_the_list_costs_the_same_queries_for_ten_or_a_hundred_staff(login, staff_user, django_assert_max_num_queries):
    client = login(staff_user(Role.ADMIN, ANQING))
    url = reverse("organizations:staff_list")
    counts = []
    for batch in (10, 90):
        MembershipFactory.create_batch(batch, node=committee(DAGUAN))
        # 11: the header asks once whether the staffer also leads a collective (我的集体).
        with django_assert_max_num_queries(11) as captured:
            response = client.get(url, {"node": committee(DAGUAN).pk, "q": "用户"})
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert len(client.get(url, {"page": 2}).context["page"].object_list) == 50


def test_the_add_and_detail_pages_cost_few_queries(login, staff_user, django_assert_max_num_queries):
    client = login(staff_user(Role.ADMIN, ANQING))
    membership = MembershipFactory(node=committee(DAGUAN))
    with django_assert_max_num_queries(12):
        assert client.get(add_url(committee(ANQING)), {"find": membership.user.username}).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("organizations:staff_detail", args=[membership.pk])).status_code == 200


def test_no_role_at_an_inactive_committee_and_no_500_on_tampered_forms(login, staff_user):
    client = login(staff_user(Role.ADMIN, ANQING))
    person = UserFactory()
    daguan = committee(DAGUAN)
    daguan.is_active = False
    daguan.save()
    assert grant(client, person, daguan).status_code == 200
    assert client.post(add_url(), {"action": "grant", "user": 987654, "node": "x", "role": "king"}).status_code == 200
    assert client.post(add_url(), {"action": "nothing"}).status_code == 200
    assert client.get(reverse("organizations:staff_list"), {"status": "bogus", "page": "x", "node": "abc"}).status_code == 200
    assert not Membership.objects.filter(user=person).exists()
