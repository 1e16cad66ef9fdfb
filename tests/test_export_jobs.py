"""Long staff exports (apps/exports): a list of more than EXPORT_SYNC_LIMIT rows becomes a job that the real task
worker (database backend) writes; the requester watches its page, downloads the file, and nobody else can; a crash
is retried and then recorded for superusers; the retention job deletes old files once."""

import io
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from apps.complaints import workflow as complaints
from apps.evaluations.models import Application
from apps.exports.models import ExportJob, ExportStatus
from apps.organizations.enums import Role
from apps.organizations.models import Membership, Region
from apps.rechecks import workflow as rechecks
from apps.rechecks.models import Recheck
from civpost import jobs

from .activity_factories import CampaignFactory, ReportFactory
from .conftest import committee
from .evaluation_factories import HonorFactory, RoundFactory, eligible_collective
from .factories import CollectiveFactory, UserFactory
from .supervision_factories import ComplaintFactory
from .test_exports import in_review, recommended

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
QUEUE_EXPORT = "collectives:staff_queue_export"


def sheets(response):
    """Every sheet of a downloaded workbook, as rows of values."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def names(table):
    header = table[0].index("集体名称")
    return sorted(row[header] for row in table[1:])


@pytest.fixture
def export(django_capture_on_commit_callbacks):
    """export(client, url, params): ask for the export as the staffer does; returns the response and the job it
    started (None when the file came at once)."""

    def ask(client, url, params=None):
        before = ExportJob.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        with django_capture_on_commit_callbacks(execute=True):
            response = client.get(url, params or {})
        return response, ExportJob.objects.filter(pk__gt=before).first()

    return ask


@pytest.fixture
def registered(db):
    """Five registered collectives of 大观区 (one named like a formula), one waiting, one of 怀宁县."""
    for number in range(4):
        CollectiveFactory(status="registered", name=f"大观区班组{number}")
    CollectiveFactory(status="registered", name="=营业厅青年班组")
    CollectiveFactory(status="submitted", name="待审核班组")
    CollectiveFactory(status="registered", name="怀宁县班组", region=Region.objects.get(code="340822"))


def test_a_short_list_downloads_at_once(login, staff_user, registered, export, settings):
    settings.EXPORT_SYNC_LIMIT = 5
    response, job = export(login(staff_user(Role.VIEWER, "340803")), reverse(QUEUE_EXPORT), {"status": "registered"})
    assert job is None
    assert names(sheets(response)["申报备案"]) == ["'=营业厅青年班组", "大观区班组0", "大观区班组1", "大观区班组2", "大观区班组3"]


def test_a_long_list_is_written_by_the_worker_and_downloaded_by_its_requester(login, staff_user, registered, export, run_tasks, settings):
    viewer = staff_user(Role.VIEWER, "340803")
    client = login(viewer)
    at_once = sheets(client.get(reverse(QUEUE_EXPORT), {"status": "registered"}))
    settings.EXPORT_SYNC_LIMIT = 4
    response, job = export(client, reverse(QUEUE_EXPORT), {"status": "registered"})
    assert response.status_code == 302 and response["Location"] == reverse("exports:detail", args=[job.pk])
    assert (job.requester, job.node, job.kind, job.query, job.status) == (viewer, committee("340803"), "collectives.registrations", "status=registered", ExportStatus.QUEUED)

    again, same = export(client, reverse(QUEUE_EXPORT), {"status": "registered"})  # a second click
    assert same is None and again["Location"] == response["Location"]

    waiting = client.get(response["Location"]).content.decode()
    assert "正在生成… 0 行" in waiting and 'http-equiv="refresh"' in waiting
    assert "导出：申报备案" in waiting

    run_tasks()
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.attempts) == (ExportStatus.READY, 5, 1)
    ready = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in ready and reverse("exports:download", args=[job.pk]) in ready
    [notification] = viewer.notifications.all()
    assert "导出文件已生成" in notification.subject and "5 行" in notification.subject
    assert notification.url == reverse("exports:detail", args=[job.pk])

    download = client.get(reverse("exports:download", args=[job.pk]))
    assert "filename*=utf-8''" in download["Content-Disposition"]
    assert sheets(download) == at_once  # the same headers, rows and escaping as the file given at once
    listing = client.get(reverse("exports:list")).content.decode()
    assert job.file_name in listing and "可下载" in listing


def test_only_the_requester_and_superusers_see_or_download_an_export(login, staff_user, registered, export, run_tasks, settings):
    settings.EXPORT_SYNC_LIMIT = 1
    _response, job = export(login(staff_user(Role.VIEWER, "340803")), reverse(QUEUE_EXPORT), {"status": "registered"})
    run_tasks()
    job.refresh_from_db()
    colleague = login(staff_user(Role.ADMIN, "340803"))
    for name in ("exports:detail", "exports:download"):
        assert colleague.get(reverse(name, args=[job.pk])).status_code == 404
    assert job.file_name not in colleague.get(reverse("exports:list")).content.decode()
    superuser = login(UserFactory(is_staff=True, is_superuser=True))
    assert sheets(superuser.get(reverse("exports:download", args=[job.pk])))


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    job = ExportJob.objects.create(kind="collectives.registrations", requester=UserFactory())
    for name in ("exports:detail", "exports:download", "exports:list"):
        assert client.get(reverse(name, args=[job.pk] if name != "exports:list" else [])).status_code == 302


def test_the_list_of_exports_costs_the_same_queries_for_one_or_thirty(login, staff_user, django_assert_num_queries):
    viewer = staff_user(Role.VIEWER, "340803")
    client = login(viewer)
    ExportJob.objects.create(kind="collectives.registrations", requester=viewer, node=committee("340803"))
    # session, user, the count and the page of jobs, unread notifications, memberships, and the menu's two questions
    with django_assert_num_queries(8) as captured:
        page = client.get(reverse("exports:list")).content.decode()
    assert "申报备案" in page and "共青团大观区委" in page
    for _number in range(29):
        ExportJob.objects.create(kind="complaints.complaints", requester=viewer, node=committee("340803"))
    with django_assert_num_queries(len(captured)):
        assert client.get(reverse("exports:list")).content.decode().count("投诉") >= 29


def test_a_crash_is_retried_then_recorded_for_superusers(login, staff_user, registered, export, run_tasks, settings, tmp_path):
    settings.EXPORT_SYNC_LIMIT = 1
    viewer = staff_user(Role.VIEWER, "340803")
    client = login(viewer)
    _response, job = export(client, reverse(QUEUE_EXPORT), {"status": "registered"})
    settings.MEDIA_ROOT = tmp_path / "a-file"  # the storage cannot write: a real failure of the worker
    settings.MEDIA_ROOT.write_text("not a directory")
    run_tasks()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ExportStatus.QUEUED, 1)  # waiting for its retry
    assert "Error" in job.error
    for _attempt in range(2):
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())  # the retry's delay has passed
        run_tasks()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ExportStatus.FAILED, 3)
    assert DBTaskResult.objects.filter(status="FAILED").count() == 3 and not DBTaskResult.objects.filter(status="READY").exists()
    assert "无法生成" in client.get(reverse("exports:detail", args=[job.pk])).content.decode()
    assert [n.subject for n in viewer.notifications.all()] == ["导出文件未能生成"]

    superuser = login(UserFactory(is_staff=True, is_superuser=True))
    listing = superuser.get(reverse("admin:exports_exportjob_changelist") + "?status__exact=failed").content.decode()
    assert "collectives.registrations" in listing
    detail = superuser.get(reverse("admin:exports_exportjob_change", args=[job.pk])).content.decode()
    assert "Error" in detail and job.error.split(":")[0] in detail
    assert login(UserFactory(is_staff=True)).get(reverse("admin:exports_exportjob_changelist")).status_code == 403


def test_a_requester_who_lost_the_list_gets_no_file_and_no_retry(login, staff_user, registered, export, run_tasks, settings):
    settings.EXPORT_SYNC_LIMIT = 1
    viewer = staff_user(Role.VIEWER, "340803")
    _response, job = export(login(viewer), reverse(QUEUE_EXPORT), {"status": "registered"})
    Membership.objects.filter(user=viewer).delete()
    run_tasks()
    job.refresh_from_db()
    assert (job.status, job.file.name) == (ExportStatus.FAILED, "")
    assert "无权" in job.error
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_retention_deletes_old_files_once(login, staff_user, registered, export, run_tasks, settings):
    settings.EXPORT_SYNC_LIMIT = 1
    client = login(staff_user(Role.VIEWER, "340803"))
    _response, old = export(client, reverse(QUEUE_EXPORT), {"status": "registered"})
    _response, recent = export(client, reverse(QUEUE_EXPORT), {"status": "registered", "q": "大观区"})
    run_tasks()
    old.refresh_from_db()
    path = old.file.path
    ExportJob.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=settings.EXPORT_RETENTION_DAYS + 1))

    jobs.retention.enqueue()
    run_tasks()
    assert DBTaskResult.objects.filter(task_path__endswith="retention").get().return_value["export_files"] == 1
    old.refresh_from_db()
    assert old.status == ExportStatus.EXPIRED and not old.file
    assert not (settings.MEDIA_ROOT / path).exists()
    assert client.get(reverse("exports:download", args=[old.pk])).status_code == 404
    assert "已超过保留期" in client.get(reverse("exports:detail", args=[old.pk])).content.decode()
    assert sheets(client.get(reverse("exports:download", args=[recent.pk])))

    jobs.retention.enqueue()
    run_tasks()
    assert [r.return_value["export_files"] for r in DBTaskResult.objects.filter(task_path__endswith="retention").order_by("enqueued_at")] == [1, 0]


# Every staff export: the worker's file is the file given at once ------------------------------------------------


def registrations(staff_user):
    CollectiveFactory(status="registered", name="=大观区班组")
    CollectiveFactory(status="registered", name="大观区二班组")
    CollectiveFactory(status="registered", name="怀宁县班组", region=Region.objects.get(code="340822"))
    return staff_user(Role.VIEWER, "340803"), reverse(QUEUE_EXPORT), {"status": "registered"}


def applications(staff_user):
    in_review(RoundFactory(), 3)
    return staff_user(Role.VIEWER, "340800"), reverse("evaluations:application_export"), {"tab": "all"}


def recommendation_summary(staff_user):
    province_round = RoundFactory(node=committee("340000"))
    recommended(province_round, "340803", 1, "=服务标杆", name="第一名班组")
    recommended(province_round, "340803", 2, name="第二名班组")
    url = reverse("evaluations:recommendation_summary", args=[province_round.pk, committee("340803").pk])
    return staff_user(Role.VIEWER, "340803"), url, {}


def proposed_list(staff_user):
    city_round = RoundFactory()
    for rank in (1, 2):
        chosen = recommended(city_round, "340803", rank, name=f"拟命名班组{rank}")
        Application.objects.filter(pk=chosen.pk).update(proposed=True)
    return staff_user(Role.ADMIN, "340800"), reverse("evaluations:proposed_list_export", args=[city_round.pk]), {}


def complaint_list(staff_user):
    ComplaintFactory(what_happened="=窗口推诿")
    ComplaintFactory(what_happened="排队太久")
    return staff_user(Role.REVIEWER, "340803"), reverse("complaints:queue_export"), {}


def warning_list(staff_user):
    reviewer = staff_user(Role.REVIEWER, "340803")
    complaints.issue_warning(eligible_collective(name="大观区班组"), reviewer, "+未按承诺服务")
    complaints.issue_warning(eligible_collective(name="大观区二班组"), reviewer, "服务态度差")
    return reviewer, reverse("complaints:warning_export"), {}


def recheck(staff_user):
    admin = staff_user(Role.ADMIN, "340800")
    for name in ("复核班组", "复核二班组"):
        HonorFactory(named_on=timezone.localdate() - timedelta(days=3 * 365), collective=eligible_collective(name=name))
    recheck = rechecks.open_recheck(
        Recheck(node=committee("340800"), title="市级复核", named_from=date(2000, 1, 1), named_until=timezone.localdate(), report_due=timezone.localdate()),
        admin,
    )
    return admin, reverse("rechecks:export", args=[recheck.pk]), {}


def campaign(staff_user):
    campaign = CampaignFactory()
    ReportFactory(campaign=campaign, collective=eligible_collective(name="已报送班组"))
    eligible_collective(name="未报送班组")
    return staff_user(Role.VIEWER, "340803"), reverse("activities:campaign_export", args=[campaign.pk]), {}


def rollup(staff_user):
    for hours in (6, 9):
        ReportFactory(kind="volunteer", volunteer_hours=Decimal(hours), collective=eligible_collective(name=f"志愿服务班组{hours}"))
    return staff_user(Role.VIEWER, "340803"), reverse("activities:rollup"), {"format": "xlsx"}


@pytest.mark.parametrize(
    "make", [registrations, applications, recommendation_summary, proposed_list, complaint_list, warning_list, recheck, campaign, rollup]
)
def test_every_staff_export_gives_the_same_file_through_the_worker(make, login, staff_user, export, run_tasks, settings):
    user, url, params = make(staff_user)
    client = login(user)
    at_once = sheets(client.get(url, params))
    settings.EXPORT_SYNC_LIMIT = 1
    response, job = export(client, url, params)
    assert response.status_code == 302 and job is not None
    run_tasks()
    job.refresh_from_db()
    assert job.status == ExportStatus.READY, job.error
    assert sheets(client.get(reverse("exports:download", args=[job.pk]))) == at_once
