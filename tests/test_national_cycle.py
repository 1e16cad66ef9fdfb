"""The two-year national cycle: a filing round (创建备案, odd year) opens a window in which the 号长 file their
collectives' intent; the naming round (认定, even year) linked to it accepts only the collectives filed in it (or
specially recommended); both rounds show the cycle with its editions. Through HTTP, as users act."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.evaluations.eligibility import check_eligibility, is_eligible
from apps.evaluations.enums import RoundKind, RoundStage
from apps.evaluations.models import Application, CreationRegistration, Round
from apps.notifications.models import Notification

from .conftest import committee
from .evaluation_factories import RoundFactory, eligible_collective
from .factories import MembershipFactory, UserFactory
from .pdfs import clean_pdf
from .test_evaluations_flow import round_post

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def filing_round(**kwargs):
    """The 2025 filing round (创建备案) of 安庆, its window open around today."""
    kwargs.setdefault("stage", RoundStage.FILING)
    return RoundFactory(kind=RoundKind.FILING, title="2025年度安庆市青年文明号创建备案", year=2025, **kwargs)


def naming_round(filing, **kwargs):
    """The 2026 naming round (认定) linked to it."""
    return RoundFactory(filing_round=filing, title="2026年度安庆市青年文明号认定", year=2026, edition=21, **kwargs)


def file_url(round, collective):
    return reverse("evaluations:register_for_round", args=[round.pk, collective.pk])


def test_the_admin_creates_opens_and_closes_a_filing_round(login):
    admin = login(MembershipFactory(role="admin", node=committee("340800")).user)
    response = admin.post(reverse("evaluations:round_create"), round_post(kind="filing", title="2025年度安庆市青年文明号创建备案", quota=""))
    round = Round.objects.get()
    assert response.status_code == 302 and round.is_filing and round.quota == 1 and round.filing_round is None

    admin.post(reverse("evaluations:round_transition", args=[round.pk, "open"]))
    round.refresh_from_db()
    assert round.stage == RoundStage.FILING
    page = admin.get(round.get_absolute_url()).content.decode()
    assert "创建备案中" in page and "截止创建备案" in page and "0个集体已创建备案" in page

    filed = eligible_collective()
    CreationRegistration.objects.create(round=round, collective=filed)
    admin.post(reverse("evaluations:round_transition", args=[round.pk, "close_filing"]))
    round.refresh_from_db()
    assert round.stage == RoundStage.FILED
    assert Notification.objects.filter(recipient=filed.leader_account, subject__contains="创建备案已截止").exists()
    entry = AuditEntry.objects.for_object(round).get(action="close_filing")
    assert (entry.from_state, entry.to_state) == ("filing", "filed")


def test_a_naming_round_without_a_quota_is_refused(login):
    admin = login(MembershipFactory(role="admin", node=committee("340800")).user)
    response = admin.post(reverse("evaluations:round_create"), round_post(quota=""))
    assert response.status_code == 200 and "请填写本批次名额" in response.content.decode()
    assert not Round.objects.exists()


def test_the_round_form_links_a_naming_round_to_a_filing_round_of_its_committee_only(login):
    filing = filing_round(stage=RoundStage.FILED)
    other = RoundFactory(kind=RoundKind.FILING, node=committee("340100"), stage=RoundStage.FILED)
    admin = login(MembershipFactory(role="admin", node=committee("340800")).user)
    form = admin.get(reverse("evaluations:round_create")).content.decode()
    assert f'<option value="{filing.pk}"' in form and f'<option value="{other.pk}"' not in form
    admin.post(reverse("evaluations:round_create"), round_post(filing_round=filing.pk))
    assert Round.objects.get(kind=RoundKind.NAMING).filing_round == filing


def test_a_filing_round_with_naming_rounds_linked_stays_a_filing_round(login):
    filing = filing_round(stage=RoundStage.DRAFT)
    naming_round(filing)
    admin = login(MembershipFactory(role="admin", node=committee("340800")).user)
    response = admin.post(reverse("evaluations:round_edit", args=[filing.pk]), round_post(kind="naming", title=filing.title))
    assert "已有认定批次关联此创建备案批次" in response.content.decode()
    filing.refresh_from_db()
    assert filing.is_filing


def test_a_leader_files_in_the_window_and_is_told(login):
    round = filing_round()
    collective = eligible_collective()
    leader = login(collective.leader_account)
    my = leader.get(reverse("collectives:my")).content.decode()
    assert file_url(round, collective) in my
    # The 号长's to-do names the filing window's last day.
    assert f"2025年度安庆市青年文明号创建备案正在接受{collective.name}的创建备案。" in my and f"截止 {round.application_closes.isoformat()}" in my

    page = leader.post(file_url(round, collective), follow=True).content.decode()
    assert "已为2025年度安庆市青年文明号创建备案创建备案" in page
    assert CreationRegistration.objects.filter(round=round, collective=collective).exists()
    assert AuditEntry.objects.for_object(collective).filter(action="creation_registration").count() == 1
    assert Notification.objects.filter(recipient=collective.leader_account, subject__contains="已在").exists()
    # Filing twice changes nothing, and the button is gone.
    leader.post(file_url(round, collective))
    assert CreationRegistration.objects.count() == 1 and AuditEntry.objects.for_object(collective).filter(action="creation_registration").count() == 1
    assert file_url(round, collective) not in leader.get(reverse("collectives:my")).content.decode()


@pytest.mark.parametrize(
    "round_kwargs",
    [
        {"stage": RoundStage.DRAFT},
        {"stage": RoundStage.FILED},
        {"application_closes": TODAY - timedelta(days=1)},  # the window has ended, the admin has not closed it yet
    ],
    ids=["draft", "closed", "after the window"],
)
def test_no_filing_outside_the_window(login, round_kwargs):
    round = filing_round(**round_kwargs)
    collective = eligible_collective()
    page = login(collective.leader_account).post(file_url(round, collective), follow=True).content.decode()
    assert "本批次创建备案未开放" in page and not CreationRegistration.objects.exists()


def test_a_naming_round_takes_no_filing(login):
    round = RoundFactory()
    collective = eligible_collective()
    login(collective.leader_account).post(file_url(round, collective))
    assert not CreationRegistration.objects.exists()


def test_only_the_collectives_own_leader_files_it_and_only_under_the_rounds_committee(login, staff_user):
    round = filing_round()
    collective = eligible_collective()
    for user in [UserFactory(), staff_user("admin", "340800"), staff_user("admin", "340803")]:
        assert login(user).post(file_url(round, collective)).status_code == 404
    hefei = eligible_collective(region=committee("340100").region, registration_number="340100-2024-00002")
    page = login(hefei.leader_account).post(file_url(round, hefei), follow=True).content.decode()
    assert "该集体不能参加本批次创建备案" in page and not CreationRegistration.objects.exists()


def test_the_naming_round_accepts_only_collectives_filed_in_its_filing_round(login):
    filing = filing_round()
    round = naming_round(filing)
    filed, unfiled = eligible_collective(), eligible_collective()
    login(filed.leader_account).post(file_url(filing, filed))
    assert is_eligible(check_eligibility(filed, round))
    checks = check_eligibility(unfiled, round)
    assert not is_eligible(checks)
    assert any(check.detail == "未在2025年度安庆市青年文明号创建备案中创建备案" for check in checks)
    # The /my/ page shows the unfiled collective why it cannot apply; the filed one may.
    page = login(unfiled.leader_account).get(reverse("collectives:my")).content.decode()
    assert "未在2025年度安庆市青年文明号创建备案中创建备案" in page
    assert login(filed.leader_account).post(reverse("evaluations:apply", args=[round.pk, filed.pk])).status_code == 302
    assert Application.objects.filter(collective=filed).exists()


def test_a_collective_not_filed_may_still_be_recommended_specially(login, staff_user):
    round = naming_round(filing_round(stage=RoundStage.FILED), special_quota=1)
    collective = eligible_collective()
    login(staff_user("admin", "340803")).post(
        reverse("evaluations:special_recommendation", args=[round.pk]),
        {
            "collective": collective.registration_number,
            "reason": "疫情防控中表现突出",
            "material": SimpleUploadedFile("材料.pdf", clean_pdf(), content_type="application/pdf"),
        },
    )
    assert Application.objects.get(collective=collective).is_special


def test_both_rounds_show_the_cycle_with_its_editions(login):
    filing = filing_round(stage=RoundStage.FILED)
    naming = naming_round(filing)
    CreationRegistration.objects.create(round=filing, collective=eligible_collective())
    admin = login(MembershipFactory(role="admin", node=committee("340800")).user)
    for round in (filing, naming):
        page = admin.get(round.get_absolute_url()).content.decode()
        assert "创建周期（创建备案与评审认定）" in page
        assert "2025年度安庆市青年文明号创建备案" in page and "2026年度安庆市青年文明号认定" in page
        assert "第21届" in page and "1个集体已创建备案" in page
    rounds = admin.get(reverse("evaluations:round_list")).content.decode()
    assert "创建备案 · " in rounds and "第21届 · " in rounds


def test_the_cycle_costs_the_same_queries_whatever_its_number_of_naming_rounds(login):
    filing = filing_round(stage=RoundStage.FILED)
    naming_round(filing)
    admin = login(MembershipFactory(role="admin", node=committee("340800")).user)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert admin.get(filing.get_absolute_url()).status_code == 200
        return len(captured)

    one = queries()
    for edition in (22, 23):
        RoundFactory(filing_round=filing, edition=edition)
    assert queries() == one
