"""Historical titles named before the portal existed: imported with `manage.py import_titles` (TitleResource through
the import flow of apps/imports, as in the workbench), then
shown in the directory, on the post page and at /verify/ like any other title, re-checked and revoked like them."""

import io
from datetime import date, timedelta

import openpyxl
import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.evaluations.models import Honor
from apps.evaluations.resources import TITLE_COLUMNS
from apps.rechecks import workflow as rechecks
from apps.rechecks.models import Recheck

from .conftest import committee
from .evaluation_factories import HonorFactory, eligible_collective
from .factories import CollectiveFactory, MembershipFactory

pytestmark = pytest.mark.django_db

REFERENCE = "团安委联〔2019〕12号"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def collective():
    """A registered collective of 大观区 (340803), Anqing."""
    return eligible_collective(name="大观区营业厅青年班组", workplace_unit="国网安庆供电公司", registration_number="340803-2024-00042")


@pytest.fixture
def anqing_admin():
    return MembershipFactory(role="admin", node=committee("340800")).user


def title_row(**values):
    row = {
        "备案编号": "340803-2024-00042",
        "称号级别": "市级",
        "年度": 2019,
        "届次": "",
        "星级": "",
        "证书编号": "AQ-2019-007",
        "命名组委会": "340800",
        "命名文号": REFERENCE,
        "命名日期": "",
    }
    row.update(values)
    return row


def workbook(tmp_path, *rows):
    """An .xlsx with the columns of the rows (in their order) and one line per row."""
    book = openpyxl.Workbook()
    sheet = book.active
    headers = list(rows[0])
    sheet.append(headers)
    for row in rows:
        sheet.append([row[header] for header in headers])
    path = tmp_path / "titles.xlsx"
    book.save(path)
    return path


def run_import(path, node="340800", *options):
    """Runs the command; returns (stdout, stderr, the CommandError or None)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_titles", str(path), "--node", node, *options, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


def imported(tmp_path, anqing_admin, **values):
    out, err, error = run_import(workbook(tmp_path, title_row(**values)), "340800", "--user", anqing_admin.username)
    assert error is None, err
    return Honor.objects.get(certificate_number=values.get("证书编号", "AQ-2019-007"))


# Importing ---------------------------------------------------------------------------------------------------


def test_an_imported_title_is_recorded_with_its_origin_and_the_collective_is_named(tmp_path, anqing_admin, collective):
    honor = imported(tmp_path, anqing_admin)
    assert honor.round is None and honor.application is None and honor.is_historical
    assert (honor.level, honor.year, honor.named_by, honor.decision_reference) == ("city", 2019, committee("340800"), REFERENCE)
    # Only the year is known: the title counts from the last day of that year.
    assert honor.named_on == date(2019, 12, 31)
    assert honor.imported_by == anqing_admin and honor.imported_at is not None
    entry = AuditEntry.objects.for_object(honor).get()
    assert (entry.action, entry.actor, entry.to_state) == ("imported", anqing_admin, "named")
    collective.refresh_from_db()
    assert collective.honor_level == "city" and collective.latest_named_on == date(2019, 12, 31)


def test_importing_the_same_file_again_changes_nothing(tmp_path, anqing_admin, collective):
    path = workbook(tmp_path, title_row(), title_row(**{"证书编号": "AQ-2020-001", "年度": 2020, "命名日期": "2020年6月1日"}))
    assert run_import(path, "340800", "--user", anqing_admin.username)[2] is None
    before = list(Honor.objects.values())
    out, err, error = run_import(path, "340800", "--user", anqing_admin.username)
    assert error is None and "new 0, updated 0, unchanged 2" in out
    assert list(Honor.objects.values()) == before
    assert AuditEntry.objects.filter(action="imported").count() == 2


def test_dry_run_reports_and_saves_nothing(tmp_path, anqing_admin, collective):
    out, err, error = run_import(workbook(tmp_path, title_row()), "340800", "--dry-run")
    assert error is None and "Dry run" in out and "new 1," in out
    assert not Honor.objects.exists()
    collective.refresh_from_db()
    assert collective.honor_level == ""


def test_columns_in_any_order_with_unit_and_name_full_width_digits_and_english_headers(tmp_path, anqing_admin, collective):
    row = {
        "decision_reference": REFERENCE,
        "named_on": "２０１９／１２／２０",
        "certificate_number": " AQ-2019-008 ",
        "named_by": "共青团安庆市委",
        "collective": "大观区营业厅青年班组",
        "workplace_unit": "国网安庆供电公司",
        "level": "地市级",
        "year": "2019年",
    }
    out, err, error = run_import(workbook(tmp_path, row), "340800", "--user", anqing_admin.username)
    assert error is None, err
    honor = Honor.objects.get(certificate_number="AQ-2019-008")
    assert honor.collective == collective and honor.named_on == date(2019, 12, 20)


def test_a_national_title_with_edition_and_stars(tmp_path, collective):
    national = MembershipFactory(role="admin", node=committee("100000")).user
    row = title_row(**{"称号级别": "全国", "命名组委会": "100000", "星级": "二星级", "届次": "第21届", "证书编号": "N-21-0001"})
    out, err, error = run_import(workbook(tmp_path, row), "100000", "--user", national.username)
    assert error is None, err
    honor = Honor.objects.get(certificate_number="N-21-0001")
    assert (honor.level, honor.star_grade, honor.edition) == ("national", 2, 21)
    assert honor.title == "二星级全国青年文明号"


def test_the_importer_must_be_an_admin_of_the_node(tmp_path, collective, staff_user):
    reviewer = staff_user("reviewer", "340800")
    out, err, error = run_import(workbook(tmp_path, title_row()), "340800", "--user", reviewer.username)
    assert error is not None and "may not import" in str(error)
    assert not Honor.objects.exists()


# Refused rows ------------------------------------------------------------------------------------------------

BAD_ROWS = [
    ({"证书编号": "AQ-2019-001"}, "已属于另一集体"),  # a number in the portal for another collective (below)
    ({"称号级别": "省级"}, "与命名组委会"),
    ({"命名组委会": "340700"}, "不在共青团安庆市委的管辖范围"),  # 铜陵市: outside Anqing
    ({"备案编号": "340803-2024-99999"}, "没有备案编号为 340803-2024-99999 的集体"),
    ({"年度": timezone.localdate().year + 1}, "是将来的年份"),
    ({"星级": "一星级"}, "只有全国青年文明号"),
    ({"命名文号": ""}, "命名文号"),
    ({"命名日期": "去年"}, "不是日期"),
    ({"称号级别": "乡级"}, "未知的称号级别"),
]


@pytest.mark.parametrize(("values", "message"), BAD_ROWS)
def test_each_bad_row_is_refused_with_a_message_and_nothing_is_saved(tmp_path, anqing_admin, collective, values, message):
    HonorFactory(certificate_number="AQ-2019-001")  # held by another collective
    good = title_row(**{"证书编号": "AQ-2019-100"})
    out, err, error = run_import(workbook(tmp_path, good, title_row(**values)), "340800", "--user", anqing_admin.username)
    assert error is not None and error.returncode == 1
    assert "row 3" in err and message in err, err
    assert "nothing written" in str(error)
    assert not Honor.objects.filter(certificate_number="AQ-2019-100").exists()


def test_a_certificate_number_twice_in_the_file(tmp_path, anqing_admin, collective):
    out, err, error = run_import(workbook(tmp_path, title_row(), title_row()), "340800", "--user", anqing_admin.username)
    assert error is not None
    assert "row 3" in err and "已在本文件第2行出现" in err
    assert not Honor.objects.exists()


def test_a_collective_outside_the_importers_area(tmp_path, collective):
    huaining_admin = MembershipFactory(role="admin", node=committee("340822")).user
    row = title_row(**{"称号级别": "县级", "命名组委会": "340822"})
    out, err, error = run_import(workbook(tmp_path, row), "340822", "--user", huaining_admin.username)
    assert error is not None and "管辖范围" in err and "共青团大观区委" in err


def test_a_collective_not_yet_registered(tmp_path, anqing_admin):
    CollectiveFactory(name="草稿集体", workplace_unit="某单位", status="draft")
    row = title_row(**{"备案编号": "", "所在单位": "某单位", "集体名称": "草稿集体"})
    out, err, error = run_import(workbook(tmp_path, row), "340800", "--user", anqing_admin.username)
    assert error is not None and "尚未通过备案" in err


def test_a_file_without_the_required_columns(tmp_path, anqing_admin):
    path = workbook(tmp_path, {"证书编号": "AQ-1", "年度": 2019})
    out, err, error = run_import(path, "340800", "--user", anqing_admin.username)
    assert error is not None and "缺少" in str(error) and "称号级别" in str(error)


def test_a_file_that_is_not_a_spreadsheet(tmp_path, anqing_admin):
    path = tmp_path / "titles.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    out, err, error = run_import(path, "340800", "--user", anqing_admin.username)
    assert error is not None and "Excel" in str(error)


def test_the_database_refuses_a_title_neither_named_nor_imported(collective):
    with pytest.raises(IntegrityError), transaction.atomic():
        Honor.objects.create(
            collective=collective, level="city", year=2019, certificate_number="X-1", named_on=date(2019, 12, 31), named_by=committee("340800")
        )


# Where the title shows ----------------------------------------------------------------------------------------


def test_the_directory_lists_the_imported_title_by_status_and_level(client, tmp_path, anqing_admin, collective):
    imported(tmp_path, anqing_admin)
    for query in ("?status=named", "?level=city", "?year=2019"):
        assert collective.name in client.get("/posts/" + query).content.decode(), query
    assert collective.name not in client.get("/posts/?level=aspiring").content.decode()
    assert "市级青年文明号（2019）" in client.get("/posts/?status=named").content.decode()


def test_the_post_page_shows_year_committee_and_decision_reference(client, tmp_path, anqing_admin, collective):
    imported(tmp_path, anqing_admin)
    page = client.get(collective.get_absolute_url()).content.decode()
    assert "市级青年文明号（2019）" in page and "共青团安庆市委" in page and REFERENCE in page


def test_the_post_page_shows_the_edition_of_a_starred_national_title(client, tmp_path, collective):
    national = MembershipFactory(role="admin", node=committee("100000")).user
    row = title_row(**{"称号级别": "全国", "命名组委会": "100000", "星级": "一星级", "届次": "21", "证书编号": "N-21-0002"})
    assert run_import(workbook(tmp_path, row), "100000", "--user", national.username)[2] is None
    page = client.get(collective.get_absolute_url()).content.decode()
    assert "一星级全国青年文明号（2019）" in page and "第21届" in page


def test_verify_confirms_an_imported_title_named_before_the_portal(client, tmp_path, anqing_admin, collective):
    honor = imported(tmp_path, anqing_admin)
    response = client.get(reverse("evaluations:verify", args=[honor.certificate_number]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "证书真实有效" in page and REFERENCE in page and "平台启用前" in page and "2019-12-31" in page


def test_a_revoked_imported_title_says_so_everywhere(client, login, tmp_path, anqing_admin, collective):
    honor = imported(tmp_path, anqing_admin)
    response = login(anqing_admin).post(
        reverse("rechecks:revoke", args=[honor.pk]), {"reason": "集体已撤并，不再符合条件", "reference": "团安委〔2026〕3号", "confirmed": "1"}, follow=True
    )
    assert response.status_code == 200
    collective.refresh_from_db()
    assert collective.honor_level == "" and collective.delisted_on == timezone.localdate()
    client.logout()
    verify = client.get(reverse("evaluations:verify", args=[honor.certificate_number])).content.decode()
    assert "已于" in verify and "撤销" in verify
    assert collective.name not in client.get("/posts/?status=named").content.decode()


def test_an_imported_title_has_no_portal_certificate(login, tmp_path, anqing_admin, collective):
    honor = imported(tmp_path, anqing_admin)
    assert login(collective.leader_account).get(reverse("evaluations:certificate", args=[honor.pk])).status_code == 404


def test_a_recheck_covers_imported_titles_named_in_its_period(tmp_path, anqing_admin, collective):
    honor = imported(tmp_path, anqing_admin, **{"命名日期": "2019-06-30"})
    recheck = Recheck(
        node=committee("340800"),
        title="2019年度命名称号复核",
        named_from=date(2019, 1, 1),
        named_until=date(2019, 12, 31),
        report_due=timezone.localdate() + timedelta(days=30),
    )
    rechecks.open_recheck(recheck, anqing_admin)
    assert list(recheck.items.values_list("honor", flat=True)) == [honor.pk]


def test_the_export_has_the_import_columns(anqing_admin, tmp_path, collective):
    from apps.evaluations.resources import TitleResource

    imported(tmp_path, anqing_admin)
    dataset = TitleResource().export()
    assert dataset.headers == TITLE_COLUMNS
    assert dataset[0][0] == "340803-2024-00042" and dataset[0][3] == "市级"


# The superusers' /admin/ ----------------------------------------------------------------------------------------


def test_superusers_import_titles_in_the_admin(client, tmp_path, collective):
    from .factories import UserFactory

    superuser = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(superuser)
    assert client.get("/admin/evaluations/honor/").status_code == 200
    with workbook(tmp_path, title_row()).open("rb") as handle:
        preview = client.post("/admin/evaluations/honor/import/", {"format": "0", "import_file": handle, "resource": "0"})
    assert preview.status_code == 200 and "confirm_form" in preview.context
    confirm = client.post("/admin/evaluations/honor/process_import/", {**preview.context["confirm_form"].initial, "resource": "0"}, follow=True)
    assert confirm.status_code == 200
    honor = Honor.objects.get(certificate_number="AQ-2019-007")
    assert honor.imported_by == superuser and AuditEntry.objects.for_object(honor).get().action == "imported"


def test_the_admin_shows_each_bad_row(client, tmp_path, collective):
    from .factories import UserFactory

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    with workbook(tmp_path, title_row(**{"星级": "一星级"})).open("rb") as handle:
        page = client.post("/admin/evaluations/honor/import/", {"format": "0", "import_file": handle, "resource": "0"}).content.decode()
    assert "只有全国青年文明号才有星级" in page
    assert not Honor.objects.exists()


# Rules that look at titles held ----------------------------------------------------------------------------------


def test_an_imported_city_title_counts_toward_a_provincial_application(tmp_path, anqing_admin, collective):
    from apps.evaluations.eligibility import check_eligibility

    from .evaluation_factories import RoundFactory

    provincial = RoundFactory(node=committee("340000"), lower_level_years=2)

    def lower_level():
        return next(check for check in check_eligibility(collective, provincial) if "市级青年文明号" in check.label)

    assert not lower_level().passed
    imported(tmp_path, anqing_admin)
    assert lower_level().passed and "2019-12-31" in lower_level().detail
    already = next(check for check in check_eligibility(collective, RoundFactory()) if "2019" in check.detail)
    assert not already.passed  # already holds the city title


def test_open_data_and_statistics_count_the_imported_title(client, tmp_path, anqing_admin, collective):
    import json

    imported(tmp_path, anqing_admin)
    posts = json.loads(b"".join(client.get(reverse("directory:open_data_json")).streaming_content))["posts"]
    entry = next(post for post in posts if post["name"] == collective.name)
    assert entry["titles"] == [{"year": 2019, "level": "city", "title": "市级青年文明号", "certificate_number": "AQ-2019-007"}]
    stats = client.get(reverse("stats:public")).context["posts"]
    by_year = {row["year"]: row["counts"] for row in stats["by_year"]}
    assert sum(by_year[2019]) == 1


def test_checking_a_file_again_reads_its_collectives_and_titles_once(tmp_path, anqing_admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rows = []
    for n in range(30):
        eligible_collective(registration_number=f"340803-2024-{n:05d}")
        rows.append(title_row(**{"备案编号": f"340803-2024-{n:05d}", "证书编号": f"AQ-2019-{n:03d}"}))
    path = workbook(tmp_path, *rows)
    assert run_import(path, "340800", "--user", anqing_admin.username)[2] is None
    with CaptureQueriesContext(connection) as queries:
        out, err, error = run_import(path, "340800", "--user", anqing_admin.username)
    assert error is None and "unchanged 30" in out
    # Each row runs in its own savepoint (django-import-export); the reads are per file.
    reads = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    assert len(reads) <= 8, reads
