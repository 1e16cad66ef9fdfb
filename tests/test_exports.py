"""Excel exports of the staff lists and the printed forms (civpost/exports.py and each app's export views):
each follows the page's filters and the user's subtree, escapes formulas, and costs the same queries for 10 rows
as for 100."""

import io
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from apps.complaints import workflow as complaints
from apps.evaluations import workflow
from apps.evaluations.models import Application, Attachment, ReviewAssignment
from apps.organizations.enums import Role
from apps.organizations.models import Region
from apps.rechecks import workflow as rechecks
from apps.rechecks.models import Recheck
from civpost.exports import Column, Sheet, escape_formula, write_xlsx

from .activity_factories import CampaignFactory, ReportFactory
from .conftest import ROLES, committee
from .documents import assert_fonts_embedded
from .evaluation_factories import ApplicationFactory, HonorFactory, RoundFactory, eligible_collective
from .factories import CollectiveFactory, MembershipFactory, UserFactory
from .supervision_factories import ComplaintFactory

pytestmark = pytest.mark.django_db


def workbook(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def rows(response, sheet=0):
    return list(workbook(response).worksheets[sheet].iter_rows(values_only=True))


def column(table, header):
    """The values under `header`, from the header row down."""
    for index, row in enumerate(table):
        if header in row:
            position = row.index(header)
            return [r[position] for r in table[index + 1 :] if any(value is not None for value in r)]
    raise AssertionError(f"no column {header!r} in {table[:3]}")


# The helper -------------------------------------------------------------------------------------------------


def test_formula_like_text_is_escaped_and_other_values_kept():
    assert escape_formula("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert [escape_formula(v) for v in ("+86", "-1", "@SUM", "\tx")] == ["'+86", "'-1", "'@SUM", "'\tx"]
    assert escape_formula("大观区") == "大观区"
    assert escape_formula(-1) == -1


def test_write_xlsx_heading_header_frozen_and_footer():
    buffer = io.BytesIO()
    columns = [Column("名称", lambda row: row[0], 30), Column("数量", lambda row: row[1])]
    write_xlsx(buffer, Sheet("清单", columns, [("=1+1", 3), ("班组", None)], heading=["标题", "副标题"], footer=["负责人："]))
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active
    table = list(sheet.iter_rows(values_only=True))
    assert table[0][0] == "标题" and table[1][0] == "副标题"
    assert table[2] == ("名称", "数量")
    assert table[3] == ("'=1+1", 3)
    assert table[-1][0] == "负责人："
    assert sheet.freeze_panes == "A4"
    assert "A1:B1" in {str(cells) for cells in sheet.merged_cells.ranges}
    assert round(sheet.column_dimensions["A"].width) == 31  # XlsxWriter adds the cell padding


# Registrations ------------------------------------------------------------------------------------------------


def test_registration_export_follows_filters_and_scope(login, staff_user):
    mine = CollectiveFactory(status="registered", name="=营业厅青年班组", registration_number="340803-2024-00001")
    CollectiveFactory(status="submitted", name="待审核班组")
    CollectiveFactory(status="registered", name="怀宁县班组", region=Region.objects.get(code="340822"))
    client = login(staff_user(Role.VIEWER, "340803"))
    url = reverse("collectives:staff_queue_export")
    table = rows(client.get(url, {"status": "registered"}))
    assert column(table, "集体名称") == ["'=营业厅青年班组"]
    assert column(table, "成员数")[0] == 6
    assert column(table, "青年占比（%）")[0] == pytest.approx(66.7)
    assert column(table, "备案编号") == [mine.registration_number]
    # The page's default tab (awaiting review), and the search box.
    assert column(rows(client.get(url)), "集体名称") == ["待审核班组"]
    assert column(rows(client.get(url, {"status": "registered", "q": "没有"})), "集体名称") == []
    page = client.get(reverse("collectives:staff_queue"), {"status": "registered"})
    assert f'{url}?status=registered"' in page.content.decode()


def test_registration_export_filename_is_chinese(login, staff_user):
    response = login(staff_user(Role.VIEWER, "340803")).get(reverse("collectives:staff_queue_export"))
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")


@pytest.mark.parametrize("role", ROLES)
def test_registration_export_roles(client, login, staff_user, role):
    response = login(staff_user(role, "340803")).get(reverse("collectives:staff_queue_export"))
    assert response.status_code == (403 if role == Role.EXPERT else 200)


def test_registration_export_refuses_anonymous_and_leaders(client, login, leader):
    url = reverse("collectives:staff_queue_export")
    assert client.get(url).status_code == 302
    assert login(leader).get(url).status_code == 403


def test_registration_export_queries_do_not_grow_with_rows(login, staff_user, django_assert_num_queries):
    client = login(staff_user(Role.VIEWER, "340800"))
    url = reverse("collectives:staff_queue_export")
    CollectiveFactory.create_batch(10, status="registered", members=[date(1990, 1, 1)])
    # session, user, memberships, the count up to EXPORT_SYNC_LIMIT + 1, the collectives, the security trail
    with django_assert_num_queries(6) as captured:
        assert len(rows(client.get(url, {"status": "registered"}))) == 11
    CollectiveFactory.create_batch(90, status="registered", members=[date(1990, 1, 1)])
    with django_assert_num_queries(len(captured)):
        assert len(rows(client.get(url, {"status": "registered"}))) == 101


# Applications, the 推荐汇总表, the proposed and the named list ------------------------------------------------


def recommended(round, county, rank, comment="", **collective):
    """An application of a collective of `county` to `round`, submitted and recommended by the county committee."""
    region = Region.objects.get(code=county)
    application = ApplicationFactory(round=round, collective=eligible_collective(region=region, **collective))
    workflow.submit(application.pk, application.collective.leader_account)
    workflow.recommend(application.pk, MembershipFactory(role=Role.REVIEWER, node=committee(county)).user, rank, comment)
    return application


@pytest.fixture
def city_round():
    return RoundFactory()


def test_application_export_follows_the_queue_filters_and_scope(login, staff_user, city_round):
    first = recommended(city_round, "340803", 2, "服务优", name="=大观区班组")
    recommended(city_round, "340803", 1, "服务好", name="大观区二班组")
    recommended(city_round, "340822", 1, name="怀宁县班组")
    expert = MembershipFactory(role=Role.EXPERT, node=city_round.node).user
    ReviewAssignment.objects.create(application=first, expert=expert, assigned_by=expert, scores={"a": 80, "b": 7}, submitted_at=timezone.now())
    url = reverse("evaluations:application_export")
    county = login(staff_user(Role.VIEWER, "340803"))
    table = rows(county.get(url, {"tab": "all", "round": city_round.pk}))
    assert sorted(column(table, "集体名称")) == ["'=大观区班组", "大观区二班组"]
    by_name = dict(zip(column(table, "集体名称"), column(table, "推荐排名"), strict=True))
    assert by_name["'=大观区班组"] == "共青团大观区委 2"
    assert column(table, "专家平均分")[column(table, "集体名称").index("'=大观区班组")] == 87
    assert column(rows(county.get(url, {"tab": "all", "q": "二班组"})), "集体名称") == ["大观区二班组"]
    city = login(staff_user(Role.VIEWER, "340800"))
    assert len(column(rows(city.get(url, {"tab": "all", "round": city_round.pk})), "集体名称")) == 3
    assert f"{url}?tab=all" in city.get(reverse("evaluations:application_queue"), {"tab": "all"}).content.decode()


def in_review(round, count):
    """`count` applications recommended by 大观区 and scored by an expert, made directly (the workflow is tested
    elsewhere): what the export reads of each."""
    reviewer, expert = UserFactory(), UserFactory()
    for rank in range(1, count + 1):
        application = ApplicationFactory(round=round, status="review")
        application.recommendations.create(node=committee("340803"), decision="recommend", rank=rank, actor=reviewer)
        ReviewAssignment.objects.create(application=application, expert=expert, assigned_by=reviewer, scores={"a": 80}, submitted_at=timezone.now())


def test_application_export_queries_do_not_grow_with_rows(login, staff_user, city_round, django_assert_num_queries):
    client = login(staff_user(Role.VIEWER, "340800"))
    url = reverse("evaluations:application_export")
    in_review(city_round, 10)
    # session, user, memberships, the ids of the city's applications (by collective, by round), the count up to
    # EXPORT_SYNC_LIMIT + 1, applications, recommendations, scores, the security trail's entry of the download
    with django_assert_num_queries(10) as captured:
        assert len(column(rows(client.get(url, {"tab": "all"})), "集体名称")) == 10
    in_review(city_round, 90)
    with django_assert_num_queries(len(captured)):
        table = rows(client.get(url, {"tab": "all"}))
    assert len(column(table, "集体名称")) == 100
    assert set(column(table, "专家平均分")) == {80}


@pytest.mark.parametrize("role", ROLES)
def test_application_export_roles(login, staff_user, role):
    response = login(staff_user(role, "340803")).get(reverse("evaluations:application_export"))
    assert response.status_code == (403 if role == Role.EXPERT else 200)


def test_recommendation_summary_in_rank_order_with_opinions(login, staff_user):
    province_round = RoundFactory(node=committee("340000"))
    recommended(province_round, "340803", 2, "创先争优，群众满意", name="第二名班组")
    recommended(province_round, "340803", 1, "=服务标杆", name="第一名班组")
    returned = recommended(province_round, "340803", 3, name="已退回班组")
    workflow.send_back(returned.pk, MembershipFactory(role=Role.ADMIN, node=committee("340800")).user, "return", "补充材料")
    recommended(province_round, "340822", 1, name="怀宁县班组")
    daguan = committee("340803")
    url = reverse("evaluations:recommendation_summary", args=[province_round.pk, daguan.pk])
    client = login(staff_user(Role.VIEWER, "340803"))
    page = client.get(reverse("evaluations:round_detail", args=[province_round.pk])).content.decode()
    assert url in page and reverse("evaluations:recommendation_summary", args=[province_round.pk, committee("340822").pk]) not in page
    response = client.get(url)
    assert "filename*=utf-8''" in response["Content-Disposition"]
    table = rows(response)
    assert table[0][0] == f"{province_round.title} 推荐汇总表"
    assert "推荐单位：共青团大观区委" in table[1][0] and "日期：" in table[1][0]
    assert column(table, "集体名称")[:2] == ["第一名班组", "第二名班组"]
    assert column(table, "排序")[:2] == [1, 2]
    assert column(table, "推荐意见")[:2] == ["'=服务标杆", "创先争优，群众满意"]
    footer = [row[0] for row in table[-3:]]
    assert footer == ["填报单位（盖章）：", "负责人：", "日期："]
    assert "已退回班组" not in str(table)


def test_recommendation_summary_of_another_county_is_refused(login, staff_user, city_round):
    recommended(city_round, "340822", 1, name="怀宁县班组")
    url = reverse("evaluations:recommendation_summary", args=[city_round.pk, committee("340822").pk])
    assert login(staff_user(Role.REVIEWER, "340803")).get(url).status_code == 404
    assert login(staff_user(Role.EXPERT, "340800")).get(url).status_code == 403
    assert rows(login(staff_user(Role.VIEWER, "340800")).get(url))[3][1] == "怀宁县班组"


def test_proposed_list_for_the_round_admins(login, staff_user, city_round):
    chosen = recommended(city_round, "340803", 1, name="拟命名班组")
    recommended(city_round, "340803", 2, name="未入选班组")
    Application.objects.filter(pk=chosen.pk).update(proposed=True)
    url = reverse("evaluations:proposed_list_export", args=[city_round.pk])
    table = rows(login(staff_user(Role.ADMIN, "340800")).get(url))
    assert table[0][0] == f"{city_round.title} 拟命名名单"
    assert column(table, "集体名称") == ["拟命名班组"]
    assert column(table, "序号") == [1]
    for role in (Role.VIEWER, Role.REVIEWER, Role.EXPERT):
        assert login(staff_user(role, "340800")).get(url).status_code == 403
    assert login(staff_user(Role.ADMIN, "340803")).get(url).status_code == 403


def test_named_list_is_streamed_with_formulas_escaped(client):
    round = RoundFactory(stage="named")
    honors = [HonorFactory(application=ApplicationFactory(round=round, status="named", collective=eligible_collective(name=name))) for name in ("=1+1", "营业厅班组")]
    table = rows(client.get(reverse("evaluations:named_list_xlsx", args=[round.pk])))
    assert table[0][0] == f"{round.title} 命名名单"
    assert sorted(column(table, "证书编号")) == sorted(h.certificate_number for h in honors)
    assert "'=1+1" in column(table, "集体") and "=1+1" not in column(table, "集体")
    assert column(table, "所在地区") == ["安庆市大观区", "安庆市大观区"]


# The 申报表 --------------------------------------------------------------------------------------------------


def pdf_text(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    return reader, "".join(text.split())  # table cells and long lines wrap anywhere


def test_application_form_pdf_has_every_part(login, staff_user, city_round):
    application = recommended(city_round, "340803", 3, "事迹突出，同意推荐", name="客户服务中心青年班组")
    Application.objects.filter(pk=application.pk).update(deeds="坚持首问负责。\n开展志愿服务120小时。")
    Attachment.objects.create(application=application, original_name="荣誉证明.pdf", content_type="application/pdf", size=2048, file="x.pdf")
    url = reverse("evaluations:application_form", args=[application.pk])
    response = login(staff_user(Role.VIEWER, "340803")).get(url)
    _reader, text = pdf_text(response)
    assert_fonts_embedded(response.content)  # prints the same at any print shop
    for expected in [
        "青年文明号申报表", city_round.title, "客户服务中心青年班组", "国网安庆供电公司", "安庆市大观区", "电力", "共青团大观区委",
        application.collective.registration_number, application.collective.leader_member.name, "66.7%",
        "坚持首问负责。", "开展志愿服务120小时。", "组织建设", "岗位建功", "荣誉证明.pdf",
        "事迹突出，同意推荐", "共青团安庆市委", "（盖章）", "申报集体（盖章）：",
    ]:
        assert expected in text, expected


def test_application_form_of_a_special_recommendation_says_so(login, staff_user, city_round):
    application = recommended(city_round, "340803", 1)
    Application.objects.filter(pk=application.pk).update(special_by=committee("340803"), special_reason="抗洪抢险中表现突出")
    _reader, text = pdf_text(login(staff_user(Role.VIEWER, "340800")).get(reverse("evaluations:application_form", args=[application.pk])))
    assert "特别推荐" in text and "由共青团大观区委特别推荐：抗洪抢险中表现突出" in text
    _reader, text = pdf_text(login(staff_user(Role.VIEWER, "340800")).get(reverse("evaluations:application_form", args=[recommended(city_round, "340803", 2).pk])))
    assert "特别推荐" not in text


def test_application_form_runs_over_pages_when_the_deeds_are_long(login, city_round):
    application = recommended(city_round, "340803", 1)
    Application.objects.filter(pk=application.pk).update(deeds="\n".join(f"第{n}段：服务群众，争创一流，岗位建功，团结协作。" * 6 for n in range(80)))
    reader, text = pdf_text(login(application.collective.leader_account).get(reverse("evaluations:application_form", args=[application.pk])))
    assert len(reader.pages) >= 4
    assert "第79段" in text and "申报集体（盖章）" in text


def test_application_form_only_for_its_leader_and_staff_in_scope(client, login, staff_user, city_round):
    application = recommended(city_round, "340803", 1)
    url = reverse("evaluations:application_form", args=[application.pk])
    assert client.get(url).status_code == 302
    assert login(UserFactory()).get(url).status_code == 404
    assert login(staff_user(Role.REVIEWER, "340822")).get(url).status_code == 404
    assert login(staff_user(Role.EXPERT, "340800")).get(url).status_code == 404
    assert login(staff_user(Role.VIEWER, "340800")).get(url).status_code == 200
    page = login(application.collective.leader_account).get(reverse("evaluations:my_application", args=[application.pk]))
    assert url in page.content.decode()


# Supervision -------------------------------------------------------------------------------------------------


def huaining_collective(**kwargs):
    return eligible_collective(region=Region.objects.get(code="340822"), **kwargs)


def test_complaint_export_follows_the_tab_and_scope_without_the_complainant(login, staff_user):
    ComplaintFactory(what_happened="=窗口推诿", name="赵投诉", contact="13911112222")
    ComplaintFactory(status="upheld", what_happened="已结案的投诉")
    ComplaintFactory(collective=huaining_collective(), what_happened="怀宁县的投诉")
    url = reverse("complaints:queue_export")
    client = login(staff_user(Role.REVIEWER, "340803"))
    table = rows(client.get(url))
    assert column(table, "投诉内容") == ["'=窗口推诿"]
    assert "赵投诉" not in str(table) and "13911112222" not in str(table)
    assert column(rows(client.get(url, {"status": "upheld"})), "投诉内容") == ["已结案的投诉"]
    assert f"{url}?status=upheld" in client.get(reverse("complaints:queue"), {"status": "upheld"}).content.decode()
    assert len(column(rows(login(staff_user(Role.REVIEWER, "340800")).get(url)), "投诉内容")) == 2


@pytest.mark.parametrize("role", ROLES)
def test_supervision_exports_follow_the_complaint_roles(login, staff_user, role):
    client = login(staff_user(role, "340803"))
    allowed = role in (Role.ADMIN, Role.REVIEWER)  # viewers do not see complaints or warnings on any page either
    for url in (reverse("complaints:queue_export"), reverse("complaints:warning_export")):
        assert client.get(url).status_code == (200 if allowed else 403)


def test_warning_export_stays_in_the_subtree(login, staff_user):
    reviewer = staff_user(Role.REVIEWER, "340803")
    complaints.issue_warning(eligible_collective(name="大观区班组"), reviewer, "+未按承诺服务")
    complaints.issue_warning(huaining_collective(name="怀宁县班组"), staff_user(Role.REVIEWER, "340822"), "服务态度差")
    table = rows(login(reviewer).get(reverse("complaints:warning_export")))
    assert column(table, "集体") == ["大观区班组"]
    assert column(table, "理由") == ["'+未按承诺服务"]


def test_recheck_export_for_its_committee_admins(login, staff_user):
    honour = HonorFactory(named_on=timezone.localdate() - timedelta(days=3 * 365), collective=eligible_collective(name="复核班组"))
    admin = staff_user(Role.ADMIN, "340800")
    recheck = rechecks.open_recheck(
        Recheck(node=honour.named_by, title="2026年度市级青年文明号复核", named_from=date(2000, 1, 1), named_until=timezone.localdate(), report_due=timezone.localdate()),
        admin,
    )
    item = recheck.items.get()
    rechecks.decide(item.pk, admin, "rectify", "承诺公示不全", deadline=timezone.localdate() + timedelta(days=30), required_changes="补充公示")
    url = reverse("rechecks:export", args=[recheck.pk])
    table = rows(login(admin).get(url))
    assert table[0][0] == "2026年度市级青年文明号复核"
    assert column(table, "集体") == ["复核班组"]
    assert column(table, "理由") == ["承诺公示不全"]
    assert column(table, "整改要求") == ["补充公示"]
    assert url in login(admin).get(recheck.get_absolute_url()).content.decode()
    assert login(staff_user(Role.REVIEWER, "340800")).get(url).status_code == 403
    assert login(staff_user(Role.ADMIN, "340100")).get(url).status_code == 404


# Activities -------------------------------------------------------------------------------------------------


def test_campaign_export_has_totals_and_who_has_reported(login, staff_user):
    campaign = CampaignFactory()
    ReportFactory(campaign=campaign, collective=eligible_collective(name="已报送班组"))
    eligible_collective(name="未报送班组")
    huaining = huaining_collective(name="怀宁县班组")
    ReportFactory(campaign=campaign, collective=huaining, node_path=huaining.registering_node.path)
    book = workbook(login(staff_user(Role.VIEWER, "340803")).get(reverse("activities:campaign_export", args=[campaign.pk])))
    assert book.sheetnames == ["按团委", "按行业", "已报送", "未报送"]
    reported, missing = (list(book[name].iter_rows(values_only=True)) for name in ("已报送", "未报送"))
    assert column(reported, "集体名称") == ["已报送班组"]
    assert column(missing, "集体名称") == ["未报送班组"]


def test_rollup_export_has_the_volunteer_hours_ranking(login, staff_user):
    ReportFactory(kind="volunteer", volunteer_hours=Decimal("6"), collective=eligible_collective(name="志愿服务班组"))
    ReportFactory(kind="volunteer", volunteer_hours=Decimal("9"), collective=huaining_collective(name="怀宁县班组"))
    client = login(staff_user(Role.VIEWER, "340803"))
    response = client.get(reverse("activities:rollup"), {"format": "xlsx"})
    ranking = list(workbook(response)["志愿服务时长排名"].iter_rows(values_only=True))
    assert column(ranking, "集体") == ["志愿服务班组"]
    assert column(ranking, "序号") == [1]
    assert column(ranking, "志愿服务时长") == [6]


@pytest.mark.parametrize("role", ROLES)
def test_activity_exports_roles(client, login, staff_user, role):
    campaign = CampaignFactory()
    urls = [reverse("activities:campaign_export", args=[campaign.pk]), reverse("activities:rollup") + "?format=xlsx"]
    for url in urls:
        assert client.get(url).status_code == 302
    staff = login(staff_user(role, "340803"))
    for url in urls:
        assert staff.get(url).status_code == (403 if role == Role.EXPERT else 200)
