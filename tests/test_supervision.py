"""Complaints, warnings, re-checks, rectification and revocation, over HTTP."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.complaints.models import Complaint, Warning
from apps.evaluations.eligibility import check_eligibility
from apps.notifications.models import Notification
from apps.rechecks import workflow as rechecks
from apps.rechecks.models import Recheck
from apps.stats.models import Snapshot

from .conftest import committee
from .evaluation_factories import HonorFactory, RoundFactory, eligible_collective
from .factories import MembershipFactory, UserFactory
from .supervision_factories import ComplaintFactory

pytestmark = pytest.mark.django_db

CONTACT, NAME = "13911112222", "赵投诉"


def complaint_post(**extra):
    return {
        "what_happened": "窗口工作人员态度生硬，推诿扯皮。",
        "happened_on": (timezone.localdate() - timedelta(days=2)).isoformat(),
        "contact": CONTACT,
        "name": NAME,
        **extra,
    }


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def collective():
    return eligible_collective()


def test_visitor_files_a_complaint_and_tracks_it(client, collective):
    response = client.post(reverse("complaints:complain", args=[collective.pk]), complaint_post(), follow=True)
    complaint = Complaint.objects.get()
    assert complaint.node == collective.registering_node
    assert response.redirect_chain[-1][0] == complaint.get_absolute_url()
    page = response.content.decode()
    assert complaint.tracking_code in page and "已收到" in page
    assert CONTACT not in page and NAME not in page
    leader_note = Notification.objects.get(recipient=collective.leader_account)
    assert CONTACT not in leader_note.subject + leader_note.body and NAME not in leader_note.body


def test_complainant_contact_never_reaches_the_collective_or_the_public(client, login, staff_user, collective):
    client.post(reverse("complaints:complain", args=[collective.pk]), complaint_post())
    complaint = Complaint.objects.get()
    staff = login(staff_user("reviewer", "340803"))
    staff.post(reverse("complaints:step", args=[complaint.pk, "ask"]), {"request_text": "请说明当天情况"})
    staff.post(reverse("complaints:step", args=[complaint.pk, "notes"]), {"staff_notes": "内部备注：已电话联系投诉人"})
    own = login(collective.leader_account)
    for url in [reverse("collectives:my"), reverse("complaints:my_complaint", args=[complaint.pk])]:
        page = own.get(url).content.decode()
        assert CONTACT not in page and NAME not in page and "内部备注" not in page
    own.post(reverse("complaints:my_complaint", args=[complaint.pk]), {"statement": "当天系统故障，已整改。"})
    complaint.refresh_from_db()
    assert complaint.status == "investigating" and complaint.statement
    client.logout()
    for url in [complaint.get_absolute_url(), collective.get_absolute_url()]:
        page = client.get(url).content.decode()
        assert CONTACT not in page and NAME not in page and "内部备注" not in page and "系统故障" not in page
    staff_page = login(staff_user("reviewer", "340803")).get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    assert CONTACT in staff_page and "系统故障" in staff_page


def test_a_collective_cannot_see_another_collectives_complaints(login, collective):
    other = ComplaintFactory()
    assert login(collective.leader_account).get(reverse("complaints:my_complaint", args=[other.pk])).status_code == 404
    assert login(collective.leader_account).get(reverse("complaints:queue")).status_code == 403


def test_other_counties_cannot_see_or_handle_a_complaint(login, staff_user):
    complaint = ComplaintFactory()
    other = login(staff_user("reviewer", "340822"))
    assert other.get(reverse("complaints:detail", args=[complaint.pk])).status_code == 404
    assert other.post(reverse("complaints:step", args=[complaint.pk, "accept"])).status_code == 404
    viewer = login(staff_user("viewer", "340803"))
    assert viewer.get(reverse("complaints:queue")).status_code == 403
    city = login(staff_user("reviewer", "340800"))
    city.post(reverse("complaints:step", args=[complaint.pk, "accept"]))
    complaint.refresh_from_db()
    assert complaint.status == "investigating"


def test_the_complaint_form_is_rate_limited_and_guarded_against_bots(client, collective):
    url = reverse("complaints:complain", args=[collective.pk])
    client.post(url, complaint_post(website="http://spam.example"))
    assert not Complaint.objects.exists()
    cache.clear()  # The bot's attempt counted against its address; start afresh for the person.
    for _ in range(5):
        client.post(url, complaint_post())
    response = client.post(url, complaint_post())
    assert response.status_code == 429
    assert "一小时内提交的投诉过多" in response.content.decode()
    assert Complaint.objects.count() == 5


def test_bad_complaint_input(client, collective):
    url = reverse("complaints:complain", args=[collective.pk])
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    page = client.post(url, complaint_post(happened_on=future, contact="nobody")).content.decode()
    assert "日期不能晚于今天" in page and "请输入有效的电子邮箱或电话号码" in page
    assert not Complaint.objects.exists()


def test_an_upheld_complaint_bars_eligibility_and_a_warning_shows_and_counts(login, staff_user, collective):
    round = RoundFactory()
    complaint = ComplaintFactory(collective=collective)
    staff = login(staff_user("reviewer", "340803"))
    staff.post(reverse("complaints:step", args=[complaint.pk, "close"]), {"decision": "upheld", "outcome": "经查属实"})
    complaint.refresh_from_db()
    assert complaint.status == "upheld"
    checks = {c.label: c for c in check_eligibility(collective, round)}
    assert not checks["近12个月内无投诉被查实"].passed
    staff.post(reverse("complaints:warn", args=[collective.pk]), {"reason": "服务承诺未公示", "next": "https://evil.example/"})
    warning = Warning.objects.get()
    assert not {c.label: c for c in check_eligibility(collective, round)}["无未解除的警告或整改"].passed
    page = staff.get(reverse("collectives:staff_detail", args=[collective.pk])).content.decode()
    assert "服务承诺未公示" in page
    staff.post(reverse("complaints:lift", args=[warning.pk]), {"comment": "已整改"})
    assert {c.label: c for c in check_eligibility(collective, round)}["无未解除的警告或整改"].passed


@pytest.fixture
def honour():
    """A city title of 安庆 named three years ago."""
    named_on = timezone.localdate() - timedelta(days=3 * 365)
    honor = HonorFactory(named_on=named_on)
    honor.collective.honor_level = "city"
    honor.collective.save()
    return honor


def open_recheck(admin, honour):
    recheck = Recheck(
        node=honour.named_by,
        title="2026年度市级青年文明号复核",
        named_from=honour.named_on - timedelta(days=1),
        named_until=honour.named_on + timedelta(days=1),
        report_due=timezone.localdate() + timedelta(days=30),
    )
    return rechecks.open_recheck(recheck, admin)


def test_recheck_report_outcomes_and_closing(login, honour):
    admin = MembershipFactory(role="admin", node=committee("340800")).user
    client = login(admin)
    today = timezone.localdate()
    client.post(
        reverse("rechecks:create"),
        {"title": "2026年度市级青年文明号复核", "named_from": "2000-01-01", "named_until": (today - timedelta(days=700)).isoformat(), "report_due": (today + timedelta(days=30)).isoformat()},
    )
    recheck = Recheck.objects.get()
    item = recheck.items.get()
    assert item.honor == honour
    own = login(honour.collective.leader_account)
    assert "2026年度市级青年文明号复核" in own.get(reverse("collectives:my")).content.decode()
    own.post(reverse("rechecks:my_item", args=[item.pk]), {"report": "三年来坚持开展志愿服务。"})
    admin_client = login(admin)
    response = admin_client.post(reverse("rechecks:close", args=[recheck.pk]), follow=True)
    assert "还有1个称号没有复核结论" in response.content.decode()
    recheck.refresh_from_db()
    assert recheck.closed_at is None
    deadline = (today + timedelta(days=30)).isoformat()
    admin_client.post(reverse("rechecks:decide", args=[item.pk]), {"outcome": "rectify", "reason": "承诺公示不全", "deadline": deadline, "required_changes": "补充公示"})
    item.refresh_from_db()
    assert item.outcome == "rectify" and item.rectification.deadline.isoformat() == deadline
    admin_client.post(reverse("rechecks:close", args=[recheck.pk]))
    recheck.refresh_from_db()
    assert recheck.closed_at is not None


def test_an_unconfirmed_rectification_past_its_deadline_is_proposed_for_revocation(login, honour):
    admin = MembershipFactory(role="admin", node=committee("340800")).user
    item = open_recheck(admin, honour).items.get()
    rechecks.decide(item.pk, admin, "rectify", "整改", deadline=timezone.localdate() + timedelta(days=10))
    Warning.objects.filter(pk=item.__class__.objects.get(pk=item.pk).rectification_id).update(deadline=timezone.localdate() - timedelta(days=1))
    assert rechecks.propose_overdue_revocations(timezone.localdate()) == 1
    page = login(admin).get(reverse("rechecks:proposals")).content.decode()
    assert honour.collective.name in page and "逾期未整改" in page


def test_revocation_removes_the_post_from_public_lists_at_once(client, login, honour):
    admin = MembershipFactory(role="admin", node=committee("340800")).user
    collective = honour.collective
    assert collective.name in client.get(reverse("home")).content.decode()
    response = login(admin).post(reverse("rechecks:revoke", args=[honour.pk]), {"reason": "群众投诉查实，情节严重", "reference": "团安委〔2026〕12号", "confirmed": "1"}, follow=True)
    assert response.status_code == 200
    honour.refresh_from_db()
    collective.refresh_from_db()
    assert honour.status == "revoked" and honour.revoked_on == timezone.localdate()
    assert collective.delisted_on == timezone.localdate() and collective.honor_level == ""
    client.logout()
    assert collective.name not in client.get(reverse("home")).content.decode()
    page = client.get(collective.get_absolute_url()).content.decode()
    assert "称号已于" in page and "撤销" in page
    verify = client.get(reverse("evaluations:verify", args=[honour.certificate_number])).content.decode()
    assert "已于" in verify and "撤销" in verify
    assert AuditEntry.objects.filter(action="revoke", to_state="revoked").exists()
    round = RoundFactory()
    assert not {c.label: c for c in check_eligibility(collective, round)}["近2年内无称号被撤销"].passed
    # The honour's history stays: nothing was deleted, and its trail says who revoked it, when and why.
    assert type(honour).objects.filter(pk=honour.pk).exists()
    entry = AuditEntry.objects.for_object(honour).get(action="revoke")
    assert entry.actor == admin and entry.comment == "团安委〔2026〕12号：群众投诉查实，情节严重"


@pytest.mark.parametrize(("role", "where", "allowed"), [("admin", "340800", True), ("admin", "340000", True), ("reviewer", "340800", False), ("admin", "340803", False)])
def test_only_the_naming_committee_admins_revoke(login, staff_user, honour, role, where, allowed):
    response = login(staff_user(role, where)).post(reverse("rechecks:revoke", args=[honour.pk]), {"reason": "x", "reference": "y", "confirmed": "1"})
    honour.refresh_from_db()
    assert (honour.status == "revoked") is allowed
    if not allowed:
        assert response.status_code == 403


def test_revocation_drops_the_notice_archive_active_count(client, honour):
    from apps.evaluations.models import Notice

    round = honour.round
    Notice.objects.create(round=round, opens_on=honour.named_on, closes_on=honour.named_on, published_by=UserFactory())
    assert client.get(reverse("evaluations:notice_list")).context["page"][0].entries == 1
    admin = MembershipFactory(role="admin", node=committee("340800")).user
    rechecks.revoke(honour.pk, admin, "严重违纪", "团安委〔2026〕12号")
    assert client.get(reverse("evaluations:notice_list")).context["page"][0].entries == 0


def test_revocation_reaches_the_directory_open_data_and_statistics_at_once(client, login, honour, run_tasks, django_capture_on_commit_callbacks):
    """One revocation, one transaction: every public list and the statistics follow on the next request, without
    waiting for the periodic refresh; the task it leaves recomputes the snapshots so that visitors seldom wait."""
    name = honour.collective.name
    assert city_titles(client) == 1  # the snapshots exist now and are recent
    assert name in client.get(reverse("directory:directory")).content.decode()
    assert name in b"".join(client.get(reverse("directory:open_data_csv")).streaming_content).decode("utf-8-sig")
    admin = MembershipFactory(role="admin", node=committee("340800")).user
    with django_capture_on_commit_callbacks(execute=True):  # the revocation's transaction commits
        login(admin).post(reverse("rechecks:revoke", args=[honour.pk]), {"reason": "严重违纪", "reference": "团安委〔2026〕12号", "confirmed": "1"})
    client.logout()
    honour.refresh_from_db()
    assert honour.status == "revoked"
    assert name not in client.get(reverse("directory:directory")).content.decode()
    assert name not in b"".join(client.get(reverse("directory:open_data_csv")).streaming_content).decode("utf-8-sig")
    assert name not in b"".join(client.get(reverse("directory:open_data_json")).streaming_content).decode()
    assert name not in client.get(reverse("directory:sitemap_section", args=["posts"])).content.decode()
    assert city_titles(client) == 0
    assert city_titles(client, committee("340800")) == 0
    Snapshot.objects.all().delete()
    run_tasks()  # the recomputation the revocation enqueued: every committee of the country, from the top
    assert Snapshot.objects.filter(node=committee("340800")).exists() and Snapshot.objects.filter(node__depth=1).exists()
    assert city_titles(client) == 0


def city_titles(client, node=None):
    from apps.stats.figures import LEVELS

    totals = client.get(reverse("stats:public"), {"node": node.pk} if node else {}).context["posts"]["totals"]
    return dict(zip(LEVELS, totals["counts"]))["city"]
