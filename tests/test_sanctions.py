"""Sanctions after the naming: rectification (限期整改) from its three origins to acceptance or a revocation
proposal, and the star grade (调整星级) — over HTTP, with the role × step matrix of every new step."""

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from apps.audit.models import AuditEntry
from apps.complaints.models import ComplaintStatus, Warning
from apps.evaluations.enums import HonorStatus
from apps.notifications.models import Notification
from apps.rechecks import workflow
from apps.rechecks.models import Rectification, RectificationOrigin, RectificationStatus, RevocationProposal
from civpost import jobs

from .conftest import committee
from .evaluation_factories import HonorFactory
from .factories import UserFactory
from .supervision_factories import ComplaintFactory

pytestmark = pytest.mark.django_db

COUNTY, CITY, OTHER_COUNTY = "340803", "340800", "340822"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


@pytest.fixture
def honour():
    """A valid 安庆 city title, two stars, of a collective registered with 大观区 (340803)."""
    return HonorFactory(star_grade=2)


@pytest.fixture
def county_staff(staff_user):
    return staff_user("reviewer", COUNTY)


@pytest.fixture
def city_admin(staff_user):
    return staff_user("admin", CITY)


def png(name="整改照片.png"):
    buffer = BytesIO()
    Image.new("RGB", (32, 24), "white").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def ordered(honour, user, **kwargs):
    return workflow.order_rectification(honour.collective, user, RectificationOrigin.INSPECTION, "服务承诺未公示", **kwargs)


def reported(honour, user):
    rectification = ordered(honour, user)
    workflow.report_completion(rectification.pk, honour.collective.leader_account, "已补充公示", png(), "a.png", "png")
    return rectification


def post_page(client, collective):
    return client.get(collective.get_absolute_url()).content.decode()


# The course of a rectification ----------------------------------------------------------------------------------


def test_an_upheld_complaint_leads_to_a_rectification_shown_on_the_post_page(client, login, county_staff, honour):
    complaint = ComplaintFactory(collective=honour.collective, status=ComplaintStatus.UPHELD, closed_at=timezone.now())
    staff = login(county_staff)
    detail = staff.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    url = reverse("rechecks:rectify", args=[honour.collective.pk]) + f"?complaint={complaint.pk}"
    assert url.replace("&", "&amp;") in detail
    form = staff.get(url).content.decode()
    one_month = workflow.default_deadline(timezone.localdate())
    assert one_month.isoformat() in form and complaint.tracking_code in form
    response = staff.post(url, {"origin": "complaint", "reason": "窗口推诿，投诉查实", "required_changes": "公开服务承诺", "deadline": one_month.isoformat()})
    rectification = Rectification.objects.get()
    assert response.url == rectification.get_absolute_url()
    assert rectification.complaint == complaint and rectification.origin == RectificationOrigin.COMPLAINT
    assert rectification.warning.deadline == one_month and rectification.status == RectificationStatus.ORDERED
    assert AuditEntry.objects.filter(action="order_rectification", object_id=rectification.pk).exists()
    assert Notification.objects.filter(recipient=honour.collective.leader_account, subject__contains=one_month.isoformat()).exists()
    client.logout()
    page = post_page(client, honour.collective)
    assert f"整改中，期限至{one_month:%Y-%m-%d}" in page
    assert "窗口推诿" not in page  # the reason is the staff's, not public


def test_the_deadline_is_one_month_unless_set():
    assert workflow.default_deadline(date(2026, 1, 31)) == date(2026, 2, 28)
    assert workflow.default_deadline(date(2026, 12, 4)) == date(2027, 1, 4)


def test_an_inspection_orders_a_rectification_through_the_plain_step(county_staff, honour):
    rectification = workflow.order_rectification(honour.collective, county_staff, RectificationOrigin.INSPECTION, "现场考核发现台账缺失")
    assert rectification.origin == "inspection" and rectification.warning.deadline == workflow.default_deadline(timezone.localdate())
    with pytest.raises(workflow.TransitionError):
        workflow.order_rectification(honour.collective, county_staff, RectificationOrigin.INSPECTION, "再次")


def test_the_leader_reports_with_evidence_checked_by_content_and_staff_accept(client, login, county_staff, honour):
    rectification = ordered(honour, county_staff)
    leader = login(honour.collective.leader_account)
    assert reverse("rechecks:my_rectification", args=[rectification.pk]) in leader.get(reverse("collectives:my")).content.decode()
    url = reverse("rechecks:my_rectification", args=[rectification.pk])
    fake = SimpleUploadedFile("照片.png", b"MZ not an image", content_type="image/png")
    page = leader.post(url, {"text": "已整改", "evidence": fake}).content.decode()
    assert "不是 PDF、JPEG 或 PNG 文件" in page
    rectification.refresh_from_db()
    assert rectification.status == RectificationStatus.ORDERED
    leader.post(url, {"text": "已在窗口公示服务承诺", "evidence": png()})
    rectification.refresh_from_db()
    assert rectification.status == RectificationStatus.REPORTED
    report = rectification.reports.get()
    assert report.evidence_name == "整改照片.png"
    assert Notification.objects.filter(recipient=county_staff, subject__contains="报告整改完成").exists()

    staff = login(county_staff)
    detail = staff.get(rectification.get_absolute_url()).content.decode()
    assert "已在窗口公示服务承诺" in detail and reverse("rechecks:report_evidence", args=[report.pk]) in detail
    evidence = staff.get(reverse("rechecks:report_evidence", args=[report.pk]))
    assert evidence.status_code == 200 and evidence["Content-Disposition"].startswith("attachment")
    staff.post(reverse("rechecks:accept_rectification", args=[rectification.pk]), {"comment": "整改到位"})
    rectification.refresh_from_db()
    assert rectification.status == RectificationStatus.ACCEPTED
    assert rectification.warning.lifted_at is not None and rectification.reports.get().accepted is True
    assert AuditEntry.objects.filter(action="accept_rectification", object_id=rectification.pk, actor=county_staff).exists()
    client.logout()
    assert "整改中" not in post_page(client, honour.collective)


def test_a_rectification_warning_is_not_lifted_outside_its_course(login, county_staff, honour):
    rectification = ordered(honour, county_staff)
    login(county_staff).post(reverse("complaints:lift", args=[rectification.warning.pk]))
    rectification.warning.refresh_from_db()
    assert rectification.warning.lifted_at is None


def test_rejected_twice_the_title_is_proposed_and_a_person_revokes_it(client, login, county_staff, city_admin, honour):
    rectification = reported(honour, county_staff)
    staff = login(county_staff)
    reject = reverse("rechecks:reject_rectification", args=[rectification.pk])
    staff.post(reject, {"comment": ""})
    rectification.refresh_from_db()
    assert rectification.status == RectificationStatus.REPORTED  # a rejection says what is missing
    new_deadline = timezone.localdate() + timedelta(days=20)
    staff.post(reject, {"comment": "公示位置不醒目", "deadline": new_deadline.isoformat()})
    rectification.refresh_from_db()
    assert rectification.status == RectificationStatus.ORDERED and rectification.warning.deadline == new_deadline
    assert not RevocationProposal.objects.exists()
    workflow.report_completion(rectification.pk, honour.collective.leader_account, "已调整位置", png(), "b.png", "png")
    staff.post(reject, {"comment": "仍未整改到位"})
    rectification.refresh_from_db()
    assert rectification.status == RectificationStatus.FAILED and rectification.rejections == 2
    proposal = RevocationProposal.objects.get()
    assert proposal.honor == honour and proposal.node == committee(CITY)
    honour.refresh_from_db()
    assert honour.status == HonorStatus.NAMED  # nothing revokes by itself

    admin = login(city_admin)
    assert "提请撤销的称号" in admin.get(reverse("workbench:todo")).content.decode()
    queue = admin.get(reverse("rechecks:proposals")).content.decode()
    assert honour.collective.name in queue and reverse("rechecks:revoke", args=[honour.pk]) in queue
    assert "仍未整改到位" in admin.get(reverse("rechecks:revoke", args=[honour.pk])).content.decode()
    admin.post(reverse("rechecks:revoke", args=[honour.pk]), {"reason": "整改两次未通过", "reference": "团安委〔2026〕9号", "confirmed": "1"})
    proposal.refresh_from_db()
    rectification.refresh_from_db()
    assert proposal.decision == "revoked" and rectification.status == RectificationStatus.ENDED
    assert reverse("rechecks:revoke", args=[honour.pk]) not in admin.get(reverse("rechecks:proposals")).content.decode()


def test_the_committee_may_keep_the_titles_in_bulk(login, county_staff, city_admin, honour):
    other = HonorFactory(star_grade=1)
    proposals = []
    for title in (honour, other):
        rectification = ordered(title, county_staff)
        Warning.objects.filter(pk=rectification.warning_id).update(deadline=timezone.localdate() - timedelta(days=1))
    assert workflow.propose_overdue_revocations(timezone.localdate()) == 2
    proposals = list(RevocationProposal.objects.order_by("pk"))
    admin = login(city_admin)
    data = {"action": "keep_title", "ids": [p.pk for p in proposals]}
    assert "保留称号" in admin.post(reverse("rechecks:proposals_bulk"), data).content.decode()
    admin.post(reverse("rechecks:proposals_bulk"), {**data, "confirmed": "1", "comment": "已整改，情节轻微"})
    assert set(RevocationProposal.objects.values_list("decision", flat=True)) == {"kept"}
    assert set(Rectification.objects.values_list("status", flat=True)) == {RectificationStatus.ENDED}
    assert AuditEntry.objects.filter(action="keep_title").count() == 2


def test_the_scheduler_proposes_overdue_rectifications_once(run_tasks, county_staff, city_admin, honour):
    rectification = ordered(honour, county_staff)
    Warning.objects.filter(pk=rectification.warning_id).update(deadline=timezone.localdate() - timedelta(days=1))
    for _ in range(2):
        jobs.overdue_notices.enqueue()
        run_tasks()
    proposal = RevocationProposal.objects.get()
    assert proposal.reason.startswith("逾期未整改")
    assert Notification.objects.filter(recipient=city_admin, subject__startswith="提请撤销称号").count() == 1
    assert AuditEntry.objects.filter(action="fail_rectification").count() == 1


def test_a_report_in_time_is_not_proposed(county_staff, honour):
    rectification = reported(honour, county_staff)
    Warning.objects.filter(pk=rectification.warning_id).update(deadline=timezone.localdate() - timedelta(days=1))
    assert workflow.propose_overdue_revocations(timezone.localdate()) == 0


# Re-check: the rectification it orders, and its confirmation ---------------------------------------------------


def test_rectification_confirmation_from_the_recheck(login, city_admin, honour):
    from apps.rechecks.models import Recheck

    today = timezone.localdate()
    recheck = workflow.open_recheck(
        Recheck(node=committee(CITY), title="复核", named_from=today - timedelta(days=9), named_until=today, report_due=today + timedelta(days=9)),
        city_admin,
    )
    item = recheck.items.get()
    admin = login(city_admin)
    admin.post(reverse("rechecks:decide", args=[item.pk]), {"outcome": "rectify", "reason": "台账不全", "deadline": ""})
    item.refresh_from_db()
    rectification = item.rectification.rectification
    assert rectification.origin == RectificationOrigin.RECHECK and rectification.honor == honour
    assert item.rectification.deadline == workflow.default_deadline(today)
    confirm = reverse("rechecks:confirm", args=[item.pk])
    page = admin.post(confirm, {}, follow=True).content.decode()
    assert "无法进行此操作" in page  # nothing reported yet
    workflow.report_completion(rectification.pk, honour.collective.leader_account, "已补齐台账", png(), "c.png", "png")
    assert "确认整改" in admin.get(recheck.get_absolute_url()).content.decode()
    admin.post(confirm, {"comment": "台账已补齐"})
    rectification.refresh_from_db()
    assert rectification.status == RectificationStatus.ACCEPTED and rectification.warning.lifted_at


# Star grade ---------------------------------------------------------------------------------------------------


def test_the_city_lowers_and_restores_a_star_grade_shown_wherever_the_title_is(client, login, city_admin, honour):
    admin = login(city_admin)
    assert reverse("rechecks:adjust_star", args=[honour.pk]) in admin.get(reverse("collectives:staff_detail", args=[honour.collective.pk])).content.decode()
    url = reverse("rechecks:adjust_star", args=[honour.pk])
    admin.post(url, {"to_grade": "1", "reason": "服务投诉查实", "reference": "团安委〔2026〕7号"})
    honour.refresh_from_db()
    assert honour.star_grade == 1
    assert AuditEntry.objects.filter(action="lower_star", object_id=honour.pk).exists()
    assert "不超过" not in admin.get(url).content.decode()
    page = admin.post(url, {"to_grade": "3", "reason": "复核", "reference": "团安委〔2026〕8号"}, follow=True).content.decode()
    assert "最高只能恢复至命名时的星级" in page
    client.logout()
    verify = client.get(honour.get_absolute_url()).content.decode()
    assert "一星级" in verify and "团安委〔2026〕7号" in verify and "下调" in verify
    assert "服务投诉查实" not in verify  # the reason stays with the committee
    post = post_page(client, honour.collective)
    assert "一星级" in post and "团安委〔2026〕7号" in post
    directory = client.get(reverse("directory:directory")).content.decode()
    assert "调整星级" in directory
    login(city_admin).post(url, {"to_grade": "2", "reason": "复核合格", "reference": "团安委〔2026〕10号"})
    honour.refresh_from_db()
    assert honour.star_grade == 2 and honour.star_adjustments.count() == 2
    client.logout()
    assert "恢复" in client.get(honour.get_absolute_url()).content.decode()


# Role × step matrix --------------------------------------------------------------------------------------------

# Who may order, accept and reject the rectification of a collective registered with 大观区 (340803).
RECTIFY_MATRIX = [
    ("reviewer", COUNTY, True),
    ("admin", COUNTY, True),
    ("admin", CITY, True),  # a committee above handles complaints in its subtree
    ("viewer", COUNTY, False),
    ("expert", COUNTY, False),
    ("reviewer", OTHER_COUNTY, False),
]


@pytest.mark.parametrize(("role", "where", "acts"), RECTIFY_MATRIX)
def test_order_matrix(login, staff_user, honour, role, where, acts):
    response = login(staff_user(role, where)).post(
        reverse("rechecks:rectify", args=[honour.collective.pk]),
        {"origin": "inspection", "reason": "台账缺失", "deadline": (timezone.localdate() + timedelta(days=9)).isoformat()},
    )
    assert Rectification.objects.exists() is acts
    assert response.status_code == (302 if acts else 403)


@pytest.mark.parametrize(("role", "where", "acts"), RECTIFY_MATRIX)
@pytest.mark.parametrize("step", ["accept_rectification", "reject_rectification"])
def test_decision_matrix(login, staff_user, county_staff, honour, role, where, acts, step):
    rectification = reported(honour, county_staff)
    response = login(staff_user(role, where)).post(reverse(f"rechecks:{step}", args=[rectification.pk]), {"comment": "意见"})
    rectification.refresh_from_db()
    assert (rectification.status != RectificationStatus.REPORTED) is acts
    assert response.status_code == (302 if acts else 403)


@pytest.mark.parametrize("state", ["ordered", "reported", "accepted", "failed", "ended"])
@pytest.mark.parametrize("step", ["accept_rectification", "reject_rectification"])
def test_a_viewer_is_refused_in_every_state(login, staff_user, county_staff, honour, state, step):
    rectification = ordered(honour, county_staff)
    Rectification.objects.filter(pk=rectification.pk).update(status=state)
    response = login(staff_user("viewer", COUNTY)).post(reverse(f"rechecks:{step}", args=[rectification.pk]), {})
    assert response.status_code == 403
    rectification.refresh_from_db()
    assert rectification.status == state


@pytest.mark.parametrize("state", ["reported", "accepted", "failed", "ended"])
def test_the_leader_reports_only_while_ordered(login, county_staff, honour, state):
    rectification = ordered(honour, county_staff)
    Rectification.objects.filter(pk=rectification.pk).update(status=state)
    page = login(honour.collective.leader_account).post(
        reverse("rechecks:my_rectification", args=[rectification.pk]), {"text": "已整改", "evidence": png()}, follow=True
    ).content.decode()
    assert rectification.reports.count() == 0 and "无法进行此操作" in page


def test_only_the_leader_reports_and_sees_the_evidence(login, staff_user, county_staff, honour):
    rectification = reported(honour, county_staff)
    stranger = login(UserFactory())
    assert stranger.get(reverse("rechecks:my_rectification", args=[rectification.pk])).status_code == 404
    report = rectification.reports.get()
    assert stranger.get(reverse("rechecks:report_evidence", args=[report.pk])).status_code == 404
    assert login(staff_user("reviewer", OTHER_COUNTY)).get(reverse("rechecks:report_evidence", args=[report.pk])).status_code == 404
    assert login(honour.collective.leader_account).get(reverse("rechecks:report_evidence", args=[report.pk])).status_code == 200


# Revocation proposals and star grades belong to the naming committee (安庆 city) and those above it.
NAMING_MATRIX = [
    ("admin", CITY, True),
    ("admin", "340000", True),
    ("reviewer", CITY, False),
    ("viewer", CITY, False),
    ("admin", COUNTY, False),
    ("admin", "340100", False),
]


@pytest.mark.parametrize(("role", "where", "acts"), NAMING_MATRIX)
def test_keep_title_matrix(login, staff_user, county_staff, honour, role, where, acts):
    rectification = ordered(honour, county_staff)
    Warning.objects.filter(pk=rectification.warning_id).update(deadline=timezone.localdate() - timedelta(days=1))
    workflow.propose_overdue_revocations(timezone.localdate())
    proposal = RevocationProposal.objects.get()
    response = login(staff_user(role, where)).post(reverse("rechecks:keep_title", args=[proposal.pk]), {"comment": "情节轻微"})
    proposal.refresh_from_db()
    assert (proposal.decision == "kept") is acts
    assert response.status_code == (302 if acts else 403)


@pytest.mark.parametrize(("role", "where", "acts"), NAMING_MATRIX)
def test_star_grade_matrix(login, staff_user, honour, role, where, acts):
    response = login(staff_user(role, where)).post(
        reverse("rechecks:adjust_star", args=[honour.pk]), {"to_grade": "1", "reason": "投诉查实", "reference": "团安委〔2026〕7号"}
    )
    honour.refresh_from_db()
    assert (honour.star_grade == 1) is acts
    assert response.status_code == (302 if acts else 403)


@pytest.mark.parametrize(("role", "where", "sees"), [("admin", CITY, True), ("admin", COUNTY, False), ("reviewer", CITY, False)])
def test_the_proposal_queue_is_the_naming_committee_admins(login, staff_user, county_staff, honour, role, where, sees):
    rectification = ordered(honour, county_staff)
    Warning.objects.filter(pk=rectification.warning_id).update(deadline=timezone.localdate() - timedelta(days=1))
    workflow.propose_overdue_revocations(timezone.localdate())
    response = login(staff_user(role, where)).get(reverse("rechecks:proposals"))
    if response.status_code == 200:
        assert (honour.collective.name in response.content.decode()) is sees
    else:
        assert response.status_code == 403 and not sees


# Query counts of the new lists -----------------------------------------------------------------------------------


def test_the_lists_cost_the_same_for_one_or_many_rows(login, county_staff, city_admin, django_assert_max_num_queries):
    def overdue(count):
        for _ in range(count):
            rectification = ordered(HonorFactory(star_grade=1), county_staff)
            Warning.objects.filter(pk=rectification.warning_id).update(deadline=timezone.localdate() - timedelta(days=1))
        workflow.propose_overdue_revocations(timezone.localdate())

    def counts():
        found = []
        for user, url in ((county_staff, reverse("rechecks:rectifications") + "?status=failed"), (city_admin, reverse("rechecks:proposals"))):
            client = login(user)
            client.get(url)
            with django_assert_max_num_queries(20) as captured:
                assert client.get(url).status_code == 200
            found.append(len(captured))
        return found

    overdue(1)
    few = counts()
    overdue(6)
    assert counts() == few


def test_the_leaders_personal_data_holds_their_rectification_reports(login, county_staff, honour):
    reported(honour, county_staff)
    download = login(honour.collective.leader_account).get(reverse("privacy:download_json"))
    assert "已补充公示" in download.content.decode() and "a.png" in download.content.decode()


def test_bad_input_is_refused_with_a_message(login, county_staff, honour):
    staff = login(county_staff)
    open_complaint = ComplaintFactory(collective=honour.collective)
    url = reverse("rechecks:rectify", args=[honour.collective.pk])
    assert staff.get(f"{url}?complaint={open_complaint.pk}").status_code == 404  # only an upheld complaint leads here
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    page = staff.post(url, {"origin": "inspection", "reason": "台账缺失", "deadline": yesterday}).content.decode()
    assert "整改期限须晚于今天" in page and not Rectification.objects.exists()
