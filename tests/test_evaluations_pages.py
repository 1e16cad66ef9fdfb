"""Uploads, public notice privacy and rate limits, query counts and concurrent decisions."""

import io
import threading

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from apps.evaluations import workflow
from apps.evaluations.models import Objection, Recommendation

from .conftest import committee
from .evaluation_factories import ApplicationFactory, HonorFactory, RoundFactory, eligible_collective
from .factories import MembershipFactory

pytestmark = pytest.mark.django_db


def png_bytes(size=(20, 20)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def draft(login):
    application = ApplicationFactory()
    return application, login(application.collective.leader_account)


def upload(client, application, name, content):
    url = reverse("evaluations:edit_application", args=[application.pk])
    return client.post(url, {"action": "save", "file": SimpleUploadedFile(name, content)})


def test_a_real_png_is_accepted(draft):
    application, client = draft
    upload(client, application, "照片.png", png_bytes())
    attachment = application.attachments.get()
    assert attachment.content_type == "image/png" and attachment.original_name == "照片.png"
    assert attachment.file.name.endswith(".png") and "照片" not in attachment.file.name


def test_a_renamed_text_file_is_refused(draft):
    application, client = draft
    response = upload(client, application, "photo.jpg", b"just text, not an image")
    assert "photo.jpg 不是 PDF、JPEG 或 PNG 文件" in response.content.decode()
    assert not application.attachments.exists()


def test_an_oversized_file_is_refused(draft):
    application, client = draft
    response = upload(client, application, "big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024 + 1))
    assert "超过10 MB" in response.content.decode()
    assert not application.attachments.exists()


def test_a_decompression_bomb_is_refused(draft):
    application, client = draft
    response = upload(client, application, "bomb.png", png_bytes((8000, 6000)))
    assert "图片过大" in response.content.decode()
    assert not application.attachments.exists()


@pytest.fixture
def notice():
    round = RoundFactory(stage="review")
    ApplicationFactory(round=round, status="review", proposed=True, scored=True)
    admin = MembershipFactory(role="admin", node=round.node).user
    return workflow.publish_notice(round.pk, admin)


def objection_data(notice, **extra):
    return {"application": notice.round.applications.get().pk, "contact": "13912345678", "text": "服务态度差", **extra}


def test_objection_contact_is_never_public(client, notice):
    client.post(notice.get_absolute_url(), objection_data(notice, name="张三"))
    assert Objection.objects.count() == 1
    page = client.get(notice.get_absolute_url()).content.decode()
    assert "13912345678" not in page and "张三" not in page and "服务态度差" not in page


def test_objection_needs_a_valid_contact(client, notice):
    response = client.post(notice.get_absolute_url(), objection_data(notice, contact="abc"))
    assert "请输入有效的电子邮箱或电话号码" in response.content.decode()
    assert not Objection.objects.exists()


def test_honeypot_drops_bots_silently(client, notice):
    client.post(notice.get_absolute_url(), objection_data(notice, website="http://spam"))
    assert not Objection.objects.exists()


def test_objections_are_rate_limited_per_address(client, notice):
    cache.clear()
    for _ in range(5):
        client.post(notice.get_absolute_url(), objection_data(notice))
    response = client.post(notice.get_absolute_url(), objection_data(notice))
    assert Objection.objects.count() == 5
    assert response.status_code == 429  # the same answer as the complaint form's and the sign-up's
    assert "一小时内提交的异议过多" in response.content.decode()
    cache.clear()


@pytest.fixture
def long_notice():
    """A notice with more entries than a page: the objection form must not list them."""
    round = RoundFactory(stage="review")
    for number in range(3):
        ApplicationFactory(round=round, status="review", proposed=True, scored=True, collective=eligible_collective(name=f"第{number}供电班"))
    counter = eligible_collective(name="窗口服务队", workplace_unit="某某银行")
    ApplicationFactory(round=round, status="review", proposed=True, scored=True, collective=counter)
    admin = MembershipFactory(role="admin", node=round.node).user
    return workflow.publish_notice(round.pk, admin)


def test_an_objection_is_about_the_entry_chosen_on_its_row(client, long_notice):
    page = client.get(long_notice.get_absolute_url()).content.decode()
    assert "<select" not in page and "name=\"contact\"" not in page  # no list of every entry, no form before a choice
    assert "使用其所在行的“提出异议”链接" in page and page.count("entry=") == 4
    assert 'aria-label="对窗口服务队提出异议"' in page  # a screen reader says which entry each row's link is for
    entry = long_notice.round.applications.get(collective__name="窗口服务队")
    page = client.get(long_notice.get_absolute_url(), {"entry": entry.pk}).content.decode()
    assert "异议对象：<strong>窗口服务队</strong>（某某银行）" in page and "name=\"contact\"" in page
    client.post(long_notice.get_absolute_url(), {"application": entry.pk, "contact": "13912345678", "text": "服务态度差"})
    assert Objection.objects.get().application == entry


def test_the_notice_list_is_searched_by_name_or_unit(client, long_notice):
    page = client.get(long_notice.get_absolute_url(), {"q": "银行"}).content.decode()
    assert "窗口服务队" in page and "供电班" not in page
    page = client.get(long_notice.get_absolute_url(), {"q": "没有这个"}).content.decode()
    assert "没有符合搜索的条目" in page


def test_an_objection_without_an_entry_on_notice_is_refused_with_a_reason(client, long_notice):
    response = client.post(long_notice.get_absolute_url(), {"contact": "13912345678", "text": "服务态度差"})
    assert "请选择您要提出异议的条目" in response.content.decode()
    response = client.post(long_notice.get_absolute_url(), {"application": 999999, "contact": "13912345678", "text": "服务态度差"})
    assert "该条目已不在公示中" in response.content.decode()
    assert not Objection.objects.exists()


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_pages_use_a_constant_number_of_queries(client, login, staff_user):
    round = RoundFactory()
    reviewer = staff_user("reviewer", "340803")
    admin = MembershipFactory(role="admin", node=round.node).user
    expert = MembershipFactory(role="expert", node=round.node).user

    def add_applications(count):
        for _ in range(count):
            application = ApplicationFactory(round=round)
            workflow.submit(application.pk, application.collective.leader_account)
        for _ in range(count):
            application = ApplicationFactory(round=round, status="review")
            workflow.assign(application.pk, admin, [expert])
        RoundFactory()

    add_applications(1)
    urls = {
        reviewer: [reverse("evaluations:application_queue"), reverse("evaluations:application_queue") + "?tab=all", reverse("evaluations:round_list")],
        expert: [reverse("evaluations:review_list")],
        admin: [reverse("evaluations:round_detail", args=[round.pk])],
    }
    before = {url: _count(login(user), url) for user, user_urls in urls.items() for url in user_urls}
    add_applications(4)
    after = {url: _count(login(user), url) for user, user_urls in urls.items() for url in user_urls}
    assert after == before


def test_public_lists_use_a_constant_number_of_queries(client, notice):
    url = reverse("evaluations:notice_list")
    before = _count(client, url), _count(client, notice.get_absolute_url())
    for _ in range(3):
        ApplicationFactory(round=notice.round, status="notice")
        HonorFactory()
    assert (_count(client, url), _count(client, notice.get_absolute_url())) == before


def test_certificate_verification(client):
    honor = HonorFactory()
    valid = client.get(reverse("evaluations:verify", args=[honor.certificate_number]))
    assert "该证书真实有效" in valid.content.decode()
    honor.status, honor.revoked_on = "revoked", honor.named_on
    honor.save()
    assert "已于" in client.get(reverse("evaluations:verify", args=[honor.certificate_number])).content.decode()
    forged = client.get(reverse("evaluations:verify", args=["C340800-2026-77777"]))
    assert forged.status_code == 404 and "可能系伪造" in forged.content.decode()


@pytest.mark.serial
@pytest.mark.django_db(transaction=True)
def test_two_staff_recommending_at_once_make_one_transition():
    """On PostgreSQL two real connections race; the row lock lets one through and the second gets a clear message."""
    call_command("load_committee_tree", verbosity=0)  # A transactional test starts from an empty database.
    application = ApplicationFactory(round=RoundFactory())
    workflow.submit(application.pk, application.collective.leader_account)
    staff = [MembershipFactory(role="reviewer", node=committee("340803")).user for _ in range(2)]

    if connection.vendor == "postgresql":
        outcomes = []
        barrier = threading.Barrier(len(staff))

        def race(user):
            try:
                barrier.wait(timeout=10)
                outcomes.append(_try_recommend(application.pk, user))
            finally:
                connections.close_all()  # Each thread has its own connection.

        threads = [threading.Thread(target=race, args=(user,)) for user in staff]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:  # SQLite lets one writer in at a time: the same contract, one after the other.
        outcomes = [_try_recommend(application.pk, user) for user in staff]

    assert sorted(outcomes, key=len) == ["done", "该申报当前状态为“专家评审中”，不能再进行此操作。"]
    assert Recommendation.objects.filter(application=application).count() == 1


def _try_recommend(pk, user):
    try:
        workflow.recommend(pk, user, rank=1)
        return "done"
    except workflow.TransitionError as error:
        return str(error)


def test_named_list_and_objection_evidence(client, login, notice):
    from datetime import timedelta

    round = notice.round
    admin = MembershipFactory(role="admin", node=round.node).user
    client.post(notice.get_absolute_url(), {**objection_data(notice), "evidence_file": SimpleUploadedFile("证据.png", png_bytes())})
    objection = Objection.objects.get()
    evidence = reverse("evaluations:objection_evidence", args=[objection.pk])
    assert client.get(evidence).status_code == 302
    assert login(MembershipFactory(role="reviewer", node=round.node).user).get(evidence).status_code == 404
    served = login(admin).get(evidence)
    assert served["Content-Type"] == "image/png" and served["Content-Disposition"].startswith("attachment;")
    workflow.resolve_objection(objection.pk, admin, upheld=False, reason="不属实")
    assert client.get(reverse("evaluations:named_list_pdf", args=[round.pk])).status_code == 404  # not named yet
    workflow.name(round.pk, admin, today=notice.closes_on + timedelta(days=1))
    client.logout()
    pdf = client.get(reverse("evaluations:named_list_pdf", args=[round.pk]))
    xlsx = client.get(reverse("evaluations:named_list_xlsx", args=[round.pk]))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF") and b"".join(xlsx.streaming_content).startswith(b"PK")
    assert reverse("evaluations:named_list_pdf", args=[round.pk]) in client.get(notice.get_absolute_url()).content.decode()
