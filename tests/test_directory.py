"""The public directory /posts/, each post's QR code and poster, the open data, robots.txt and the sitemap (issue 7)."""

import csv
import io
import json
import re
from datetime import date
from decimal import Decimal
from io import StringIO

import cv2
import numpy
import pytest
from django.core.cache import cache
from django.db.models import F
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from reportlab.lib.units import mm

from apps.activities.models import ReportPhoto
from apps.activities.services import flag
from apps.collectives.models import Collective, PostPage
from apps.collectives.public import store_rendered
from apps.directory import opendata, queries, search
from apps.directory.poster import promise_lines
from apps.evaluations.enums import HonorStatus
from apps.evaluations.workflow import refresh_honor_level
from apps.organizations.models import NATIONAL_REGION, Industry, Region

from .activity_factories import ReportFactory
from .documents import assert_fonts_embedded, flat, pdftotext, qr_codes
from .evaluation_factories import HonorFactory, eligible_collective
from .factories import CollectiveFactory, UserFactory

pytestmark = pytest.mark.django_db

DIRECTORY = "/posts/"


@pytest.fixture(autouse=True)
def fresh_cache():
    """Result counts are cached; every test starts without them."""
    cache.clear()
    yield
    cache.clear()


def post(name, unit="安庆市某单位", region="340803", industry="other", **kwargs):
    """A registered (aspiring) collective, public unless told otherwise."""
    region = Region.objects.get(code=region)
    return eligible_collective(
        name=name, workplace_unit=unit, region=region, industry=Industry.objects.get(code=industry), **kwargs
    )


def name(collective, level="city", year=2025, named_on=None):
    """Give the collective a valid title the way naming does: an honour, then its honor_level refreshed."""
    honor = HonorFactory(
        application__collective=collective, level=level, year=year, named_on=named_on or date(year, 12, 1)
    )
    refresh_honor_level(collective)
    return honor


def listed(client, query=""):
    """The names of the posts on a directory page, in order."""
    response = client.get(DIRECTORY + query)
    assert response.status_code == 200
    return re.findall(r'<h2><a href="/posts/\d+/">([^<]+)</a></h2>', response.content.decode())


# The list -------------------------------------------------------------------------------------------------


def test_directory_lists_public_posts_only(client):
    public = post("公开的营业厅")
    post("已摘牌的营业厅", delisted_on=date(2026, 3, 1))
    CollectiveFactory(name="草稿集体", status="draft")
    CollectiveFactory(name="待审集体", status="submitted")
    page = client.get(DIRECTORY).content.decode()
    assert listed(client) == ["公开的营业厅"]
    assert public.get_absolute_url() in page
    assert "已摘牌的营业厅" not in page and "草稿集体" not in page and "待审集体" not in page


def test_two_character_keyword_matches_name_or_unit(client):
    post("客户服务中心营业厅", unit="国网安庆供电公司")
    post("供电抢修班", unit="安庆市电力服务部")
    post("办税服务厅", unit="国家税务总局安庆市税务局")
    post("电供应急组", unit="某单位")  # the same two characters, but not next to each other in this order
    assert sorted(listed(client, "?q=供电")) == ["供电抢修班", "客户服务中心营业厅"]


def test_one_character_keyword(client):
    post("办税服务厅", unit="国家税务总局安庆市税务局")
    post("纳税人之家", unit="某单位")
    post("客户服务中心营业厅", unit="国网安庆供电公司")
    assert sorted(listed(client, "?q=税")) == ["办税服务厅", "纳税人之家"]


def test_longer_keywords_need_the_whole_substring_and_ignore_case(client):
    post("营业厅青年班组", unit="中国工商银行ABC支行")
    post("营业班组", unit="某厅")  # has 营业 and 业厅? no: 营业 only; and 厅 elsewhere
    post("青年营业所", unit="业厅路某单位")  # every bigram of 营业厅 (营业, 业厅) but not the substring
    assert listed(client, "?q=营业厅") == ["营业厅青年班组"]
    assert listed(client, "?q=abc") == ["营业厅青年班组"]
    assert listed(client, "?q=%20%20营业厅%20") == ["营业厅青年班组"]  # surrounding spaces are ignored


def test_keyword_with_like_wildcards_is_literal(client):
    post("百分之百%服务组")
    post("普通服务组")
    assert listed(client, "?q=%25") == ["百分之百%服务组"]
    assert listed(client, "?q=_") == []


def test_short_keywords_use_the_gram_index_where_there_is_one(client):
    post("办税服务厅", unit="国家税务总局安庆市税务局")
    with CaptureQueriesContext(connection) as queries:
        assert listed(client, "?q=税") == ["办税服务厅"]
    uses_grams = any("civpost_grams" in q["sql"] for q in queries.captured_queries)
    if connection.vendor != "postgresql":
        assert not uses_grams  # SQLite, the embedded default, has no gram index: a plain LIKE finds the post.
        return
    assert uses_grams
    # The expression Django writes is the indexed one (a tiny table: forbid the scan to see the index it can use).
    sql, params = Collective.objects.filter(search.GramsMatch("供电")).values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Bitmap Index Scan on directory_grams_idx" in plan


def test_filters_by_level_status_industry_and_year(client):
    city = post("市级集体", industry="power")
    name(city, level="city", year=2025)
    provincial = post("省级集体", industry="taxation")
    name(provincial, level="provincial", year=2026)
    post("争创集体甲", industry="power")
    assert listed(client, "?level=city") == ["市级集体"]
    assert listed(client, "?level=provincial") == ["省级集体"]
    assert listed(client, "?level=aspiring") == ["争创集体甲"]
    assert sorted(listed(client, "?status=named")) == ["市级集体", "省级集体"]
    assert listed(client, "?status=aspiring") == ["争创集体甲"]
    assert sorted(listed(client, "?industry=power")) == ["争创集体甲", "市级集体"]
    assert listed(client, "?year=2026") == ["省级集体"]
    assert listed(client, "?year=2025&industry=power") == ["市级集体"]
    assert listed(client, "?year=2024") == []


def test_year_counts_only_valid_titles(client):
    collective = post("被撤销的集体")
    honor = name(collective, year=2024)
    name(collective, year=2026)
    honor.status = HonorStatus.REVOKED
    honor.save()
    assert listed(client, "?year=2024") == []
    assert listed(client, "?year=2026") == ["被撤销的集体"]


def test_filters_by_province_city_and_county(client):
    post("大观区集体", region="340803")
    post("怀宁县集体", region="340822")
    post("合肥集体", region="340102")
    post("江苏集体", region="320000")
    assert sorted(listed(client, "?province=340000")) == ["合肥集体", "大观区集体", "怀宁县集体"]
    assert sorted(listed(client, "?province=340000&city=340800")) == ["大观区集体", "怀宁县集体"]
    assert listed(client, "?province=340000&city=340800&county=340822") == ["怀宁县集体"]
    assert listed(client, "?province=320000") == ["江苏集体"]


def test_region_choices_cascade(client):
    def options(page, field):
        select = re.search(rf'<select name="{field}"[^>]*>(.*?)</select>', page, re.S)
        return re.findall(r'<option value="(\d+)"', select.group(1)) if select else None

    page = client.get(DIRECTORY).content.decode()
    assert len(options(page, "province")) == 31 and "340000" in options(page, "province")
    assert options(page, "city") is None and options(page, "county") is None  # nothing to choose yet

    page = client.get(DIRECTORY + "?province=340000").content.decode()
    assert "340800" in options(page, "city") and len(options(page, "city")) == 16
    assert options(page, "county") is None

    page = client.get(DIRECTORY + "?province=340000&city=340800").content.decode()
    assert "340803" in options(page, "county") and "340102" not in options(page, "county")

    # Another province chosen while the old city is still in the URL: the city and county are dropped, silently.
    post("江苏集体", region="320000")
    response = client.get(DIRECTORY + "?province=320000&city=340800&county=340803")
    page = response.content.decode()
    assert "340800" not in (options(page, "city") or [])
    assert options(page, "county") is None
    assert "errorlist" not in page
    assert listed(client, "?province=320000&city=340800&county=340803") == ["江苏集体"]


def test_region_filters_work_for_every_shape_of_province(client):
    """Provinces other than Anhui: a prefecture's districts (南京), a municipality whose second list holds its districts
    (北京), a province's county-level city (仙桃) and a prefecture without counties (东莞)."""
    post("玄武区集体", region="320102")
    post("江宁区集体", region="320115")
    post("苏州集体", region="320505")
    post("东城区集体", region="110101")
    post("仙桃集体", region="429004")
    post("东莞集体", region="441900")
    assert sorted(listed(client, "?province=320000")) == ["江宁区集体", "玄武区集体", "苏州集体"]
    assert sorted(listed(client, "?province=320000&city=320100")) == ["江宁区集体", "玄武区集体"]
    assert listed(client, "?province=320000&city=320100&county=320115") == ["江宁区集体"]
    assert listed(client, "?province=110000&city=110101") == ["东城区集体"]
    assert listed(client, "?province=420000&city=429004") == ["仙桃集体"]
    assert listed(client, "?province=440000&city=441900") == ["东莞集体"]

    page = client.get(DIRECTORY + "?province=110000").content.decode()
    assert "110101" in re.search(r'<select name="city"[^>]*>(.*?)</select>', page, re.S).group(1)
    page = client.get(DIRECTORY + "?province=440000&city=441900").content.decode()
    assert '<select name="county"' not in page  # nothing below 东莞


def test_unknown_filter_values_are_ignored_not_errors(client):
    post("某集体")
    for query in ["?level=galactic", "?province=999999", "?year=abc", "?industry=nope", "?sort=random", "?page=9999", "?page=x"]:
        assert listed(client, query) == ["某集体"], query


def test_sort_newest_named_then_aspiring_and_by_name(client):
    older = post("乙集体")
    name(older, year=2024, named_on=date(2024, 12, 1))
    newer = post("丙集体")
    name(newer, year=2026, named_on=date(2026, 6, 1))
    post("甲集体")
    assert listed(client) == ["丙集体", "乙集体", "甲集体"]
    assert listed(client, "?sort=name") == sorted(["甲集体", "乙集体", "丙集体"])


def test_latest_named_on_follows_naming_and_revocation():
    collective = post("某集体")
    first = name(collective, year=2024, named_on=date(2024, 12, 1))
    second = name(collective, year=2026, named_on=date(2026, 6, 1))
    collective.refresh_from_db()
    assert collective.latest_named_on == date(2026, 6, 1)
    second.status = HonorStatus.REVOKED
    second.save()
    collective.refresh_from_db()
    assert collective.latest_named_on == date(2024, 12, 1)
    first.delete()
    second.delete()
    collective.refresh_from_db()
    assert collective.latest_named_on is None


def test_pagination_by_30_keeps_the_filters(client):
    for index in range(31):
        post(f"供电班组{index:02d}", registered_on=date(2024, 1, 1 + index % 28))
    post("无关集体")
    response = client.get(DIRECTORY + "?q=供电&sort=name")
    page = response.content.decode()
    assert len(listed(client, "?q=供电&sort=name")) == 30
    assert "31" in re.search(r'role="status">([^<]+)<', page).group(1)
    assert "q=%E4%BE%9B%E7%94%B5&amp;sort=name&amp;page=2" in page
    assert listed(client, "?q=供电&sort=name&page=2") == ["供电班组30"]


def _whole_list(client, query, pages):
    """The post ids of every page of the list, page after page."""
    ids = []
    for number in range(1, pages + 1):
        page = client.get(f"{DIRECTORY}?page={number}{query}").content.decode()
        ids += [int(pk) for pk in re.findall(r'<h2><a href="/posts/(\d+)/">', page)]
    return ids


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of 4 and a bookmark every 7 posts: a few dozen posts have deep pages, pages that start between two
    bookmarks, and a page across the named and the aspiring posts."""
    monkeypatch.setattr(queries, "PAGE_SIZE", 4)
    monkeypatch.setattr(queries, "BOOKMARK_EVERY", 7)


def _many_posts():
    """30 posts with ties in every sort column: names, naming dates and registration dates repeat."""
    collectives = [post(f"集体{index % 9}", unit=f"单位{index}", registered_on=date(2020, 1, 1 + index % 4)) for index in range(30)]
    for index, collective in enumerate(collectives[:13]):
        name(collective, year=2024 + index % 2, named_on=date(2024 + index % 2, 12, 1))
    return collectives


@pytest.mark.parametrize("query", ["", "&sort=name"])
def test_deep_pages_start_at_bookmarks_and_list_every_post_once_in_order(client, small_pages, query):
    _many_posts()
    order = ("name", "pk") if query else (F("latest_named_on").desc(nulls_last=True), "-registered_on", "-pk")
    expected = list(Collective.objects.public().order_by(*order).values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as computed:
        assert _whole_list(client, query, 8) == expected  # pages 3 to 8 start at a bookmark
    assert any("ROW_NUMBER" in q["sql"].upper() for q in computed.captured_queries)
    with CaptureQueriesContext(connection) as queried:
        assert _whole_list(client, query, 8) == expected  # the pages and the bookmarks from the cache
    assert not queried.captured_queries
    cache.clear()
    assert _queries(client, f"{DIRECTORY}?page=5{query}") <= 8  # regions, industries, count, bookmarks (3), page, titles


def test_deep_pages_follow_a_naming_at_once(client, small_pages):
    collectives = _many_posts()
    before = _whole_list(client, "", 8)
    last = collectives[-1]
    name(last, year=2026, named_on=date(2026, 6, 1))  # the last aspiring post moves to the top
    assert _whole_list(client, "", 8) == [last.pk] + [pk for pk in before if pk != last.pk]


def test_a_page_of_aspiring_posts_reads_no_titles(client):
    post("甲集体")
    name(post("乙集体"), year=2025)
    with CaptureQueriesContext(connection) as queries:
        assert listed(client, "?status=aspiring") == ["甲集体"]
    assert not any("evaluations_honor" in q["sql"] for q in queries.captured_queries)
    assert "市级青年文明号（2025）" in client.get(DIRECTORY + "?status=named").content.decode()


def _queries(client, url):
    cache.clear()  # a cold count: the most queries a page can take
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "query", ["", "?q=供电", "?q=税", "?province=340000&city=340800&county=340803", "?level=city&year=2025&industry=power&sort=name"]
)
def test_query_count_is_constant(client, query):
    def add(count):
        for index in range(count):
            collective = post(f"供电税务集体{Collective.objects.count()}", industry="power")
            name(collective, year=2025)

    add(2)
    few = _queries(client, DIRECTORY + query)
    add(33)
    assert _queries(client, DIRECTORY + query) == few
    assert _queries(client, DIRECTORY + query + ("&" if query else "?") + "page=2") == few
    # Regions, industries, the count, the page, its titles; with a keyword on PostgreSQL also the total (for the plan).
    assert few <= 6


def test_count_is_cached_and_refreshed_when_a_post_changes(client):
    post("甲集体")
    assert "1" in re.search(r'role="status">([^<]+)<', client.get(DIRECTORY).content.decode()).group(1)
    with CaptureQueriesContext(connection) as queries:
        client.get(DIRECTORY)
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)  # cached
    post("乙集体")  # any save of a collective starts a new generation of counts
    assert "2" in re.search(r'role="status">([^<]+)<', client.get(DIRECTORY).content.decode()).group(1)


def test_titles_and_descriptions(client):
    collective = post("某集体")
    name(collective, level="city", year=2025)
    page = client.get(DIRECTORY).content.decode()
    assert "<title>青年文明号名录" in page or "<title>Directory" in page
    assert re.search(r'<meta name="description" content="[^"]{20,}">', page)
    assert 'name="robots"' not in page
    assert "市级青年文明号（2025）" in page
    assert 'name="robots" content="noindex, follow"' in client.get(DIRECTORY + "?q=某").content.decode()


def test_nav_and_home_link_to_the_directory(client):
    page = client.get("/").content.decode()
    assert page.count(f'href="{DIRECTORY}"') >= 2  # the header and the home page
    assert f'action="{DIRECTORY}"' in page  # the home page's search box


# The post page: QR code and poster ---------------------------------------------------------------------------


def decode_qr(png):
    image = numpy.array(Image.open(io.BytesIO(png)).convert("L"))
    text, _points, _ = cv2.QRCodeDetector().detectAndDecode(image)
    return text


def test_post_page_shows_the_qr_code_and_the_poster_link(client):
    collective = post("某集体")
    page = client.get(collective.get_absolute_url()).content.decode()
    assert f'src="{reverse("directory:qr", args=[collective.pk])}"' in page
    assert reverse("directory:poster", args=[collective.pk]) in page


def test_qr_code_decodes_to_the_page_url_at_the_public_address(client, settings):
    settings.SITE_URL = "https://civpost.example.cn/"
    collective = post("某集体")
    response = client.get(reverse("directory:qr", args=[collective.pk]), HTTP_HOST="127.0.0.1:8812")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert decode_qr(response.content) == f"https://civpost.example.cn/posts/{collective.pk}/"


def test_poster_is_one_a4_page_with_an_embedded_font_and_the_public_address(client, settings):
    settings.SITE_URL = "https://civpost.example.cn"
    collective = post("客户服务中心营业厅青年班组", unit="国网安庆供电公司", service_promises="微笑服务\n" + "首问负责，一次告知" * 30)
    name(collective, level="city", year=2025)
    response = client.get(reverse("directory:poster", args=[collective.pk]), HTTP_HOST="127.0.0.1:8812")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in pdf  # A4 portrait
    assert b"/Count 1 " in pdf  # one page, however long the promises
    text = flat(pdftotext(pdf))
    page_url = f"https://civpost.example.cn/posts/{collective.pk}/"
    for expected in [
        "青年文明号", "客户服务中心营业厅青年班组", "国网安庆供电公司", "2025年度安庆市青年文明号", "我们的服务承诺",
        "1.微笑服务", "2.首问负责，一次告知", "监督电话", "0556-5551234", "信用承诺", "诚信为本", page_url,
    ]:
        assert expected in text, expected
    assert "127.0.0.1" not in text
    leader = collective.leader_account
    for personal in [leader.real_name, leader.phone, *[member.name for member in collective.members.all()]]:
        assert personal not in text
    assert_fonts_embedded(pdf)
    assert qr_codes(pdf) == [page_url]


def test_poster_prints_few_promises_large():
    """Three short promises fill the middle of the page: they are drawn at the largest size, not in a corner."""
    collective = post("某集体", service_promises="微笑服务\n首问负责\n限时办结")
    _lines, size = promise_lines(collective.promise_lines, 150 * mm, 120 * mm)
    assert size == 30


def test_poster_of_an_aspiring_collective_says_so(client):
    collective = post("争创中的集体")
    pdf = client.get(reverse("directory:poster", args=[collective.pk])).content
    assert "争创集体" in pdftotext(pdf)


@pytest.mark.parametrize("kind", ["delisted", "draft", "missing"])
def test_no_qr_or_poster_for_posts_off_the_public_lists(client, kind):
    if kind == "delisted":
        pk = post("已摘牌的集体", delisted_on=date(2026, 3, 1)).pk
    elif kind == "draft":
        pk = CollectiveFactory(status="draft").pk
    else:
        pk = 999999
    assert client.get(reverse("directory:qr", args=[pk])).status_code == 404
    assert client.get(reverse("directory:poster", args=[pk])).status_code == 404
    if kind == "delisted":
        page = client.get(f"/posts/{pk}/").content.decode()
        assert "qr.png" not in page and "poster.pdf" not in page


# The post page's cached content --------------------------------------------------------------------------------


def page_of(client, collective):
    response = client.get(collective.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_post_page_content_is_cached_and_costs_no_query(client):
    collective = post("缓存集体")
    ReportFactory(collective=collective, title="第一次开放日")
    page_of(client, collective)
    with CaptureQueriesContext(connection) as queries:
        assert "第一次开放日" in page_of(client, collective)
    assert len(queries) == 0  # its version and its content (honours, reports, photos, hours) come from the cache
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        page_of(client, collective)
    assert len(queries) == 3  # no page stored (no task ran here): looked for, then rendered afresh (as below)
    cache.delete(f"post_page:version:{collective.pk}")
    with CaptureQueriesContext(connection) as queries:
        assert "第一次开放日" in page_of(client, collective)
    assert len(queries) == 1  # the version, from the table: the content is still the current one


def test_post_page_shows_new_reports_photos_and_hidden_ones_at_once(client):
    collective = post("缓存集体")
    page_of(client, collective)
    report = ReportFactory(collective=collective, title="志愿服务日", kind="volunteer", volunteer_hours=12)
    page = page_of(client, collective)
    assert "志愿服务日" in page and "累计志愿服务 12" in page

    photo = ReportPhoto.objects.create(report=report, image="reports/a.jpg", thumbnail="reports/a-thumb.jpg")
    thumbnail = reverse("activities:photo_thumb", args=[photo.pk])
    assert thumbnail in page_of(client, collective)

    photo.delete()
    assert thumbnail not in page_of(client, collective)

    flag(report, UserFactory(), "与活动无关")
    assert "志愿服务日" not in page_of(client, collective)


def test_post_page_shows_naming_revocation_and_edits_at_once(client):
    collective = post("缓存集体")
    assert "市级青年文明号" not in page_of(client, collective)
    honor = name(collective, level="city", year=2025)
    assert "市级青年文明号（2025）" in page_of(client, collective)

    # What apps.rechecks.workflow.revoke writes: the honour, the highest title, then the delisting.
    honor.status = HonorStatus.REVOKED
    honor.save()
    refresh_honor_level(collective)
    collective.delisted_on = date(2026, 3, 1)
    collective.save(update_fields=["delisted_on"])
    page = page_of(client, collective)
    assert "市级青年文明号（2025）" not in page and "2026-03-01" in page

    collective.service_promises = "新的服务承诺第一条"
    collective.save()
    assert "新的服务承诺第一条" in page_of(client, collective)


def test_post_page_rendered_afresh_costs_a_constant_number_of_queries(client):
    collective = post("缓存集体")

    def fresh_queries():
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            page_of(client, collective)
        return len(queries)

    ReportFactory(collective=collective)
    # Its stored page looked for (none: no task ran here); the collective with its rectification under way and the
    # names of its region, industry and committee, then its reports with their photos; no honour: it holds none
    # (latest_named_on says so).
    assert fresh_queries() == 3
    name(collective, level="county", year=2024)
    named = fresh_queries()
    for index in range(8):
        report = ReportFactory(collective=collective, kind="volunteer", volunteer_hours=2)
        ReportPhoto.objects.create(report=report, image=f"reports/{index}.jpg", thumbnail=f"reports/{index}-t.jpg")
    name(collective, level="city", year=2025)
    assert fresh_queries() == named
    assert named == 4  # and its honours, their star grade histories (none graded here)
    assert "累计志愿服务 16" in page_of(client, collective)


def test_post_page_shows_a_renamed_place_once_rendered_afresh(client):
    collective = post("缓存集体", region="340803")
    assert "安庆市 大观区" in page_of(client, collective)
    assert "江苏省" in page_of(client, post("江苏集体", region="320000"))  # a province: not "全国 江苏省"
    Region.objects.filter(code="340800").update(name="宜城市")
    assert "安庆市 大观区" in page_of(client, collective)  # the content cached for this version (CONTENT_TTL at most)
    collective.save()  # a new version of the post: its content is rendered afresh, with the names read with it
    assert "宜城市 大观区" in page_of(client, collective)


# The post page stored for its first visitors ---------------------------------------------------------------------


def test_post_page_is_stored_once_the_change_commits_and_read_in_one_query(client, run_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        collective = post("存储集体")
        ReportFactory(collective=collective, title="第一次开放日")
    run_tasks()
    collective.refresh_from_db()
    stored = PostPage.objects.get(collective=collective)
    assert stored.version == collective.updated_at and "第一次开放日" in stored.content

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        page = page_of(client, collective)
    assert len(queries) == 1  # the stored page of the post's current version: nothing rendered
    assert stored.content in page and "<title>存储集体" in page

    # Until the worker stores the changed page, a first visitor gets it rendered afresh, never the stored one.
    with django_capture_on_commit_callbacks(execute=True):
        collective.service_promises = "新的服务承诺第一条"
        collective.save()
    cache.clear()
    assert "新的服务承诺第一条" in page_of(client, collective)
    run_tasks()
    assert "新的服务承诺第一条" in PostPage.objects.get(collective=collective).content


def test_a_change_rolled_back_stores_nothing(run_tasks, django_capture_on_commit_callbacks):
    collective = post("存储集体")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            ReportFactory(collective=collective)
            raise RuntimeError
    assert callbacks == []
    run_tasks()
    assert not PostPage.objects.exists()


def test_a_visitor_in_english_gets_the_page_in_english_not_the_stored_one(client, run_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        collective = post("存储集体")
    run_tasks()
    assert "服务承诺" in PostPage.objects.get(collective=collective).content
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    cache.clear()
    page = page_of(client, collective)
    assert "Our service promises" in page and "服务承诺" not in page


def test_a_page_stored_late_never_replaces_a_newer_one(run_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        collective = post("存储集体")
    run_tasks()
    older = PostPage.objects.get(collective=collective)
    with django_capture_on_commit_callbacks(execute=True):
        collective.service_promises = "新的服务承诺第一条"
        collective.save()
    run_tasks()
    # The worker that rendered the older version finishes last.
    store_rendered({collective.pk: ({"title": older.title, "description": older.description, "content": older.content}, older.version)})
    stored = PostPage.objects.get(collective=collective)
    assert stored.version == Collective.objects.get(pk=collective.pk).updated_at and "新的服务承诺第一条" in stored.content


@pytest.mark.parametrize(
    "place, renamed, shown",
    [
        (lambda c: c.region.parent, "宜城市", "宜城市 大观区"),
        (lambda c: c.region, "宜秀新区", "安庆市 宜秀新区"),
        (lambda c: c.industry, "新兴行业", "新兴行业"),
        (lambda c: c.registering_node, "新名团委", "新名团委"),
    ],
    ids=["city", "district", "industry", "committee"],
)
def test_a_renamed_place_is_stored_afresh_on_the_pages_that_name_it(client, run_tasks, django_capture_on_commit_callbacks, place, renamed, shown):
    with django_capture_on_commit_callbacks(execute=True):
        collective = post("存储集体", region="340803")
        elsewhere = post("别处集体", region="320000", unit="江苏某单位", industry="transport")
    run_tasks()
    renaming = place(collective)
    renaming.name = renamed
    with django_capture_on_commit_callbacks(execute=True):
        renaming.save()
    run_tasks()
    assert shown in PostPage.objects.get(collective=collective).content
    cache.clear()
    assert shown in page_of(client, collective)
    assert PostPage.objects.get(collective=elsewhere).version == Collective.objects.get(pk=elsewhere.pk).updated_at


def test_store_post_pages_fills_the_pages_missing_or_out_of_date():
    first, second = post("甲集体"), post("乙集体")
    CollectiveFactory(status="draft")  # no page

    def stored(*options):
        out = StringIO()
        call_command("store_post_pages", *options, stdout=out)
        return out.getvalue()

    assert stored().startswith("2 post pages stored")
    assert stored().startswith("0 post pages stored")
    Collective.objects.filter(pk=first.pk).update(name="甲集体（更名）", updated_at=timezone.now())  # a load bypassing the workflow
    assert stored().startswith("1 post pages stored")
    assert PostPage.objects.get(collective=first).title == "甲集体（更名）"
    assert PostPage.objects.get(collective=second).title == "乙集体"
    assert stored("--all").startswith("2 post pages stored")
    with pytest.raises(CommandError, match="at least 1"):
        stored("--workers", "0")


def test_refresh_directory_recomputes_what_bulk_loads_skip(client, run_tasks, django_capture_on_commit_callbacks):
    collective, untouched = post("缓存集体"), post("另一集体")
    ReportFactory(collective=collective, kind="volunteer", volunteer_hours=Decimal("7.5"))
    Collective.objects.filter(pk=collective.pk).update(volunteer_hours=0, latest_named_on=None)  # a load bypassing the signals
    untouched_version = Collective.objects.get(pk=untouched.pk).updated_at
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("refresh_directory", stdout=out)
    assert "1 collectives corrected" in out.getvalue()
    collective.refresh_from_db()
    assert collective.volunteer_hours == Decimal("7.5")
    assert Collective.objects.get(pk=untouched.pk).updated_at == untouched_version
    run_tasks()  # the corrected post's page, stored afresh
    assert "累计志愿服务 7.5" in PostPage.objects.get(collective=collective).content


def test_post_page_content_follows_the_language(client):
    collective = post("缓存集体")
    assert "服务承诺" in page_of(client, collective)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Our service promises" in page_of(client, collective)


# Open data ---------------------------------------------------------------------------------------------------


def read_csv(client, query=""):
    response = client.get(reverse("directory:open_data_csv") + query)
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def read_json(client, query=""):
    response = client.get(reverse("directory:open_data_json") + query)
    assert response.status_code == 200 and response.streaming
    return json.loads(b"".join(response.streaming_content))


@pytest.fixture
def open_posts():
    named = post("客户服务中心营业厅", unit="国网安庆供电公司", industry="power", registration_number="340803-2024-00001")
    honor = name(named, level="city", year=2025)
    aspiring = post("=HYPERLINK(\"http://evil\")办税厅", unit="+国家税务总局安庆市税务局", region="340822", industry="taxation")
    delisted = post("已摘牌的集体", delisted_on=date(2026, 3, 1))
    draft = CollectiveFactory(name="草稿集体", status="draft")
    return named, honor, aspiring, delisted, draft


def test_open_data_csv(client, open_posts):
    named, honor, aspiring, delisted, draft = open_posts
    rows = read_csv(client)
    assert list(rows[0]) == opendata.FIELD_NAMES
    assert [row["id"] for row in rows] == [str(named.pk), str(aspiring.pk)]
    first = rows[0]
    assert first["name"] == "客户服务中心营业厅"
    assert (first["province"], first["city"], first["county"], first["region_code"]) == ("安徽省", "安庆市", "大观区", "340803")
    assert first["industry"] == "电力" and first["status"] == "named" and first["highest_level"] == "city"
    assert first["titles"] == f"2025 市级青年文明号 {honor.certificate_number}"
    assert first["registration_number"] == "340803-2024-00001"
    assert first["service_promises"] == "微笑服务，文明用语\n首问负责，一次告知"
    assert first["supervision_phone"] == "0556-5551234"
    assert first["url"] == f"http://testserver/posts/{named.pk}/"
    second = rows[1]
    assert second["status"] == "aspiring" and second["highest_level"] == "" and second["titles"] == ""
    assert second["county"] == "怀宁县"
    # Cells that a spreadsheet would run as formulas start with an apostrophe.
    assert second["name"] == "'=HYPERLINK(\"http://evil\")办税厅"
    assert second["workplace_unit"] == "'+国家税务总局安庆市税务局"


def test_open_data_json(client, open_posts):
    named, honor, aspiring, delisted, draft = open_posts
    data = read_json(client)
    assert data["licence"] == "CC BY 4.0" and data["fields"] == opendata.FIELD_NAMES
    assert [record["id"] for record in data["posts"]] == [named.pk, aspiring.pk]
    record = data["posts"][0]
    assert list(record) == opendata.FIELD_NAMES
    assert record["titles"] == [{"year": 2025, "level": "city", "title": "市级青年文明号", "certificate_number": honor.certificate_number}]
    assert record["service_promises"] == ["微笑服务，文明用语", "首问负责，一次告知"]
    assert data["posts"][1]["name"] == "=HYPERLINK(\"http://evil\")办税厅"  # JSON is data, not a spreadsheet


def test_open_data_takes_the_directory_filters(client, open_posts):
    named, honor, aspiring, *_ = open_posts
    assert [row["id"] for row in read_csv(client, "?status=named")] == [str(named.pk)]
    assert [row["id"] for row in read_csv(client, "?q=税")] == [str(aspiring.pk)]
    assert [r["id"] for r in read_json(client, "?province=340000&city=340800&county=340822")["posts"]] == [aspiring.pk]
    assert [r["id"] for r in read_json(client, "?year=2025&industry=power")["posts"]] == [named.pk]


def test_open_data_streams_in_chunks_with_the_right_titles(client, monkeypatch):
    monkeypatch.setattr(opendata, "CHUNK", 2)
    collectives = [post(f"集体{index}") for index in range(5)]
    for collective in collectives[1::2]:
        name(collective, year=2025)
    with CaptureQueriesContext(connection) as queries:
        records = read_json(client)["posts"]
    assert [r["id"] for r in records] == [c.pk for c in collectives]
    assert [bool(r["titles"]) for r in records] == [False, True, False, True, False]
    titles = [q for q in queries.captured_queries if "evaluations_honor" in q["sql"]]
    assert len(titles) == 3  # one per chunk of 2


def test_open_data_never_holds_personal_data(client, open_posts):
    named, honor, aspiring, delisted, draft = open_posts
    exports = b"".join(client.get(reverse("directory:open_data_csv")).streaming_content).decode("utf-8-sig")
    exports += b"".join(client.get(reverse("directory:open_data_json")).streaming_content).decode()
    exports += client.get(reverse("directory:open_data")).content.decode()
    for collective in (named, aspiring):
        for member in collective.members.all():
            assert member.name not in exports
            assert member.birth_date.isoformat() not in exports
        assert collective.leader_account.phone not in exports
        assert collective.leader_account.real_name not in exports
        assert collective.leader_account.email not in exports
        assert collective.address not in exports
    assert "已摘牌的集体" not in exports and "草稿集体" not in exports


def test_open_data_page_documents_the_schema_and_the_licence(client):
    page = client.get(reverse("directory:open_data")).content.decode()
    for field in opendata.FIELD_NAMES:
        assert f"<code>{field}</code>" in page
    assert "CC BY 4.0" in page
    assert reverse("directory:open_data_csv") in page and reverse("directory:open_data_json") in page


# Crawlers ----------------------------------------------------------------------------------------------------


def test_robots_txt(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Disallow: /workbench/" in text and "Disallow: /my/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_sitemap_lists_public_posts_only(client):
    public = post("公开的集体")
    delisted = post("已摘牌的集体", delisted_on=date(2026, 3, 1))
    draft = CollectiveFactory(status="draft")
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    sections = re.findall(r"<loc>([^<]+)</loc>", index.content.decode())
    assert "http://testserver/sitemap-posts.xml" in sections and "http://testserver/sitemap-pages.xml" in sections
    posts = client.get("/sitemap-posts.xml").content.decode()
    assert f"<loc>http://testserver/posts/{public.pk}/</loc>" in posts
    assert f"/posts/{delisted.pk}/" not in posts and f"/posts/{draft.pk}/" not in posts
    pages = client.get("/sitemap-pages.xml").content.decode()
    assert "<loc>http://testserver/posts/</loc>" in pages and "<loc>http://testserver/open-data/</loc>" in pages


def test_a_post_of_the_whole_country_is_listed_without_a_parent_region(client):
    """The national region has no parent: its posts (central units) are listed with their region's name alone."""
    post("中央单位青年班组", region=NATIONAL_REGION)
    response = client.get(reverse("directory:directory"))
    assert response.status_code == 200
    assert "中央单位青年班组" in response.content.decode()
