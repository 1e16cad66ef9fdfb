"""Certificates, QR codes and the named list (apps/evaluations/certificates.py)."""

import io

import cv2
import numpy
import pytest
from PIL import Image

from apps.evaluations.certificates import certificate_pdf, named_list_pdf, qr_png
from apps.evaluations.models import Honor

from .evaluation_factories import ApplicationFactory, HonorFactory, RoundFactory, eligible_collective

pytestmark = pytest.mark.django_db

VERIFY_URL = "https://civpost.example.cn/verify/C340800-2026-00001/"


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


def test_certificate_is_a_pdf_in_the_chinese_cid_font():
    honor = HonorFactory(collective__name="客户服务中心营业厅青年班组")
    pdf = certificate_pdf(honor, VERIFY_URL)
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 3000
    assert b"STSong-Light" in pdf
    assert b"/Image" in pdf  # the QR code


def test_certificate_copes_with_a_very_long_collective_name():
    honor = HonorFactory(collective__name="长" * 100, collective__workplace_unit="单" * 100)
    assert certificate_pdf(honor, VERIFY_URL).startswith(b"%PDF")


def test_named_list_pdf_runs_over_pages():
    round, honors = named_honors(60)
    pdf = named_list_pdf(round, Honor.objects.filter(round=round).order_by("certificate_number"))
    assert pdf.startswith(b"%PDF")
    assert b"STSong-Light" in pdf
    assert pdf.count(b"/Type /Page\n") >= 2


def test_named_list_pdf_takes_a_list_and_escapes_markup():
    round, honors = named_honors(1, name="<b>班组 & 窗口")
    assert named_list_pdf(round, honors).startswith(b"%PDF")
