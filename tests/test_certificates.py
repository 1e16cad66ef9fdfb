"""Certificates, QR codes and the named list (apps/evaluations/certificates.py), read as documents: the text
pdftotext extracts, the fonts pdffonts lists (all embedded) and the QR code they carry (issue 14, item 7)."""

import io
from datetime import timedelta

import cv2
import numpy
import pytest
from PIL import Image

from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.evaluations import workflow
from apps.evaluations.actions import BoundStep

from apps.evaluations.certificates import certificate_pdf, named_list_pdf
from apps.evaluations.models import Honor
from apps.organizations.models import Node
from civpost.pdf import qr_png

from .documents import assert_fonts_embedded, flat, pdftotext, qr_codes
from .evaluation_factories import ApplicationFactory, HonorFactory, RoundFactory, eligible_collective
from .factories import UserFactory
from .test_evaluations_rules import in_review, round_admin

pytestmark = pytest.mark.django_db

VERIFY_URL = "https://civpost.example.cn/verify/C340800-2026-00001/"
SITE_URL = "https://civpost.example.cn"


@pytest.fixture(autouse=True)
def public_address(settings):
    settings.SITE_URL = SITE_URL



def decode_qr(png):
    image = numpy.array(Image.open(io.BytesIO(png)).convert("L"))
    text, points, _ = cv2.QRCodeDetector().detectAndDecode(image)
    return text


def named_honors(count, **first_collective):
    """A named round with count honors; the first collective is made with first_collective."""
    round = RoundFactory(stage="named")
    honors = []
    for index in range(count):
        collective = eligible_collective(**(first_collective if index == 0 else {}))
        honors.append(HonorFactory(application=ApplicationFactory(round=round, status="named", collective=collective)))
    return round, honors


def test_qr_png_decodes_back_to_the_url():
    png = qr_png(VERIFY_URL)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert decode_qr(png) == VERIFY_URL


def personal_data(collective):
    """What must never be printed on a public document: the 号长's name and phone, the members' names."""
    leader = collective.leader_account
    return [leader.real_name, leader.phone, *[member.name for member in collective.members.all()]]


def test_certificate_reads_as_the_committee_issues_it(client, login):
    honor = HonorFactory(
        application__collective=eligible_collective(name="客户服务中心营业厅青年班组"),
        year=2025,
        decision_reference="团安委联〔2025〕12号",
    )
    response = login(honor.collective.leader_account).get(reverse("evaluations:certificate", args=[honor.pk]), HTTP_HOST="127.0.0.1:8812")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    text = flat(pdftotext(pdf))
    for expected in [
        "荣誉证书",
        "国网安庆供电公司客户服务中心营业厅青年班组：",
        "被授予“2025年度安庆市青年文明号”称号。特发此证。",
        "共青团安庆市委",
        f"{honor.named_on.year}年{honor.named_on.month}月{honor.named_on.day}日",
        "文号：团安委联〔2025〕12号",
        f"证书编号：{honor.certificate_number}",
        f"{SITE_URL}/verify/{honor.certificate_number}/",
    ]:
        assert expected in text, expected
    assert "127.0.0.1" not in text  # the public address, not the request's host
    for personal in personal_data(honor.collective):
        assert personal not in text
    assert_fonts_embedded(pdf)
    assert qr_codes(pdf) == [f"{SITE_URL}/verify/{honor.certificate_number}/"]


def test_certificate_names_the_edition_and_the_star_grade():
    national = Node.objects.get(region_id="100000", kind="league")
    honor = HonorFactory(
        application__round=RoundFactory(node=national, has_stars=True, edition=22),
        level="national",
        star_grade=3,
        edition=22,
        year=2025,
    )
    text = flat(pdftotext(certificate_pdf(honor)))
    assert "被授予“2025年度第22届三星级全国青年文明号”称号。特发此证。" in text
    assert "共青团中央" in text
    assert "文号" not in text  # not known: no empty line for it


def test_certificate_copes_with_a_very_long_collective_name():
    honor = HonorFactory(application__collective=eligible_collective(name="长" * 100, workplace_unit="单" * 100))
    pdf = certificate_pdf(honor)
    assert "特发此证。" in flat(pdftotext(pdf))
    assert_fonts_embedded(pdf)


def test_named_list_pdf_runs_over_pages():
    round, honors = named_honors(60)
    pdf = named_list_pdf(round, Honor.objects.filter(round=round).order_by("certificate_number"))
    assert pdf.startswith(b"%PDF")
    assert pdf.count(b"/Type /Page\n") >= 2
    assert_fonts_embedded(pdf)
    assert honors[-1].certificate_number in flat(pdftotext(pdf))


def test_named_list_names_the_committee_the_date_the_reference_and_the_title(client):
    round, honors = named_honors(2)
    Honor.objects.filter(round=round).update(decision_reference="团安委联〔2026〕3号")
    response = client.get(reverse("evaluations:named_list_pdf", args=[round.pk]))
    assert response.status_code == 200
    pdf = b"".join(response.streaming_content)
    text = flat(pdftotext(pdf))
    named_on = honors[0].named_on
    for expected in [
        round.title,
        "命名名单",
        "命名单位：共青团安庆市委",
        f"命名日期：{named_on.year}年{named_on.month}月{named_on.day}日",
        "文号：团安委联〔2026〕3号",
        "2026年度安庆市青年文明号",
        *[honor.certificate_number for honor in honors],
        *[honor.collective.name for honor in honors],
    ]:
        assert expected in text, expected
    for honor in honors:
        for personal in personal_data(honor.collective):
            assert personal not in text
    assert_fonts_embedded(pdf)


def test_named_list_pdf_takes_a_list_and_escapes_markup():
    round, honors = named_honors(1, name="<b>班组 & 窗口")
    assert "<b>班组&窗口" in flat(pdftotext(named_list_pdf(round, honors)))


def test_certificate_only_for_its_leader_and_staff(client, login):
    honor = HonorFactory()
    url = reverse("evaluations:certificate", args=[honor.pk])
    assert client.get(url).status_code == 302
    assert login(UserFactory()).get(url).status_code == 404


def test_the_naming_decisions_reference_reaches_the_certificates_and_the_named_list(login):
    """The round's admin gives the 文号 when naming the list; every certificate and the named list print it."""
    round = RoundFactory(stage="review")
    in_review(round)
    admin = round_admin(round)
    workflow.publish_notice(round.pk, admin, today=timezone.localdate() - timedelta(days=40))
    url = BoundStep(workflow.ROUND_STEPS["name"], round, workflow.ROUND_STEPS.route).url
    assert 'name="decision_reference"' in login(admin).get(url).content.decode()  # the confirmation page
    login(admin).post(url, {"decision_reference": " 团安委联〔2026〕3号 ", "comment": "经常委会审议"})
    honor = Honor.objects.get(round=round)
    assert honor.decision_reference == "团安委联〔2026〕3号"
    assert "文号：团安委联〔2026〕3号" in flat(pdftotext(certificate_pdf(honor)))
    assert "文号：团安委联〔2026〕3号" in flat(pdftotext(named_list_pdf(round, [honor])))
    entry = AuditEntry.objects.get(action="name", content_type__model="round")
    assert entry.comment == "经常委会审议" and entry.changes == {"decision_reference": ["", "团安委联〔2026〕3号"]}


def test_a_missing_pdf_font_fails_the_deployment_check(settings, tmp_path):
    from django.core import checks

    assert "civpost.E001" not in [error.id for error in checks.run_checks()]
    settings.PDF_FONT = tmp_path / "missing.ttc"
    assert "civpost.E001" in [error.id for error in checks.run_checks()]
