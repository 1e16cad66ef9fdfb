"""Statistics: /stats/ for everyone, /workbench/stats/ for committees (apps/stats)."""

import math
import re
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.evaluations.workflow import refresh_honor_level
from apps.organizations.models import Industry, Node, Region
from apps.stats.figures import last_months
from apps.stats.models import Snapshot

from .activity_factories import ReportFactory
from .conftest import committee
from .evaluation_factories import HonorFactory, eligible_collective
from .factories import UserFactory

LEVELS = ["national", "provincial", "city", "county"]
URL = reverse("stats:public")
WORKBENCH = reverse("stats:workbench")


def post(region="340803", industry="power", node=None, **kwargs):
    """A registered collective of `region`, registered with the region's league committee or with `node`."""
    kwargs["region"] = Region.objects.get(code=region)
    kwargs["industry"] = Industry.objects.get(code=industry)
    if node:
        kwargs["registering_node"] = committee(node)
    return eligible_collective(**kwargs)


def name(collective, *titles, status="named"):
    """Give the collective honours (level, year), as naming does (Collective.honor_level kept in step)."""
    for level, year in titles:
        HonorFactory(application__collective=collective, level=level, year=year, status=status)
    refresh_honor_level(collective)
    return collective


def report(collective, held_on, kind="open_week", hours=0, **kwargs):
    return ReportFactory(collective=collective, held_on=held_on, kind=kind, volunteer_hours=Decimal(hours), **kwargs)


def counts(row):
    return dict(zip(LEVELS, row["counts"]))


def by_label(rows):
    """{region name (league committees) or name (member units): counts by level}"""
    return {row["region_name"] if row["kind"] == "league" else row["name"]: counts(row) for row in rows}


NONE = dict.fromkeys(LEVELS, 0)


def levels(**values):
    return {**NONE, **values}


@pytest.fixture
def dataset(db):
    """Named posts in Anhui and Jiangsu, at several levels and years, with the cases that must not count."""
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = this_month - timedelta(days=1)
    posts = {
        # 大观区, power: a city title and a county title -> counted once at each level.
        "daguan": name(post("340803", "power"), ("city", 2025), ("county", 2024)),
        # 怀宁县, health: named twice at city level -> counted once, in the latest year.
        "huaining": name(post("340822", "health"), ("city", 2024), ("city", 2026)),
        # 合肥瑶海区, taxation: provincial.
        "hefei": name(post("340102", "taxation"), ("provincial", 2025)),
        # 江苏 (registered with the provincial committee: no counties of Jiangsu in the tree), transport: national.
        "jiangsu": name(post("320000", "transport"), ("national", 2026)),
        # 国网安庆供电公司 (industry member unit under 安庆), power: county.
        "unit": name(post("340803", "power", node="国网安庆供电公司"), ("county", 2025)),
        # Revoked: not counted; the collective is aspiring again.
        "revoked": name(post("340803", "health"), ("city", 2025), status="revoked"),
        # Delisted after a revocation (with a stray valid honour): neither its title nor its reports count.
        "delisted": name(post("340803", "finance"), ("city", 2025)),
        # Aspiring.
        "aspiring": post("340803", "postal"),
    }
    posts["delisted"].delisted_on = today
    posts["delisted"].save(update_fields=["delisted_on"])
    # Reports: this month, last month, 13 months ago (outside the window); hidden and internal ones count.
    report(posts["daguan"], today, kind="volunteer", hours="10.5")
    report(posts["daguan"], today, kind="open_week")
    report(posts["daguan"], last_month, kind="public_service", hours=4, flagged=True, flag_reason="照片不当")
    report(posts["daguan"], last_month, kind="study", is_public=False)
    report(posts["unit"], last_month, kind="volunteer", hours="2.5")
    report(posts["jiangsu"], today, kind="public_service", hours=3)
    report(posts["delisted"], today, kind="volunteer", hours=100)
    report(posts["daguan"], this_month - timedelta(days=400), kind="volunteer", hours=50)
    return posts | {"this_month": this_month, "last_month": last_month.replace(day=1)}


def test_national_named_posts_by_level_year_province_and_industry(client, dataset):
    response = client.get(URL)
    assert response.status_code == 200
    posts = response.context["posts"]
    assert counts(posts["totals"]) == {"national": 1, "provincial": 1, "city": 2, "county": 2}
    assert {row["year"]: counts(row) for row in posts["by_year"]} == {
        2024: levels(county=1),  # 大观区's county title
        2025: levels(provincial=1, city=1, county=1),  # 合肥; 大观区's city title; the industry unit's county title
        2026: levels(national=1, city=1),  # 江苏; 怀宁县 (its 2024 city title is the same post)
    }
    provinces = by_label(posts["by_child"])
    assert len(posts["by_child"]) == 31 + 7  # 31 provinces and the national industry member units
    assert provinces["安徽省"] == levels(provincial=1, city=2, county=2)
    assert provinces["江苏省"] == levels(national=1)
    assert provinces["北京市"] == NONE
    industries = {row["name"]: counts(row) for row in posts["by_industry"]}
    assert industries["电力"] == levels(city=1, county=2)
    assert industries["卫生健康"] == levels(city=1)  # not the revoked title
    assert industries["税务"] == levels(provincial=1)
    assert industries["交通运输"] == levels(national=1)
    assert industries["金融"] == NONE  # the delisted collective
    collectives = response.context["collectives"]
    assert (collectives["named"], collectives["aspiring"]) == (5, 2)  # the revoked one is aspiring again


def test_monthly_activities_and_volunteer_hours(client, dataset):
    rows = {row["month"]: row for row in client.get(URL).context["activity"]["by_month"]}
    assert list(rows) == last_months(timezone.localdate())
    this_month, last_month = rows[dataset["this_month"]], rows[dataset["last_month"]]
    # This month: 大观区's volunteer report and open day, 江苏's service to the public; not the delisted collective's.
    assert (this_month["activities"], this_month["volunteer_services"], this_month["volunteer_hours"]) == (3, 2, Decimal("13.5"))
    # Last month: the hidden report and the internal one count, with the industry unit's volunteer report.
    assert (last_month["activities"], last_month["volunteer_services"], last_month["volunteer_hours"]) == (3, 2, Decimal("6.5"))
    others = [row for month, row in rows.items() if month not in (dataset["this_month"], dataset["last_month"])]
    assert all(row["activities"] == 0 for row in others)  # the report of 13 months ago is outside the window

    anqing = client.get(URL, {"node": committee("340800").pk}).context["activity"]
    assert anqing["totals"] == {"activities": 5, "volunteer_services": 3, "volunteer_hours": Decimal("17.0")}


def test_drill_down_to_a_province_and_a_city_with_breadcrumb(client, dataset):
    anhui = committee("340000")
    response = client.get(URL, {"node": anhui.pk})
    posts = response.context["posts"]
    assert counts(posts["totals"]) == levels(provincial=1, city=2, county=2)
    cities = by_label(posts["by_child"])
    assert cities["合肥市"] == levels(provincial=1)
    assert cities["安庆市"] == levels(city=2, county=2)
    assert cities["芜湖市"] == NONE
    content = response.content.decode()
    assert f'<a href="{URL}?node={Node.objects.get(depth=1, kind="league").pk}">全国</a>' in content  # the way back up
    assert f'href="?node={committee("340800").pk}"' in content  # and down

    response = client.get(URL, {"node": committee("340800").pk})
    counties = by_label(response.context["posts"]["by_child"])
    assert counties["大观区"] == levels(city=1, county=1)
    assert counties["怀宁县"] == levels(city=1)
    assert counties["国网安庆供电公司"] == levels(county=1)
    assert counties["迎江区"] == NONE
    assert [node.region.name for node in response.context["breadcrumb"]] == ["全国", "安徽省"]
    assert f'href="{URL}?node={anhui.pk}">安徽省</a>' in response.content.decode()


@pytest.mark.parametrize("node", ["abc", "999999", "国网安庆供电公司"])
def test_only_league_committees_can_be_chosen(client, db, node):
    node_id = committee(node).pk if not node.isascii() else node
    assert client.get(URL, {"node": node_id}).status_code == 404


def national_titles(response):
    """The national titles the page shows (the first total of the table by year), read from the page as a visitor."""
    return int(re.search(r'<tfoot><tr><th scope="row">[^<]*</th><td>([\d,]+)</td>', response.content.decode()).group(1))


def area(response):
    """The area whose figures the page shows (the last step of its breadcrumb)."""
    return re.search(r'<li aria-current="page">([^<]*)</li>', response.content.decode()).group(1)


def test_figures_come_from_a_snapshot_that_cron_or_age_renews(client, dataset, settings):
    response = client.get(URL)
    assert national_titles(response) == 1
    assert "数据截至" in response.content.decode()  # the page says when its figures were computed
    honor = dataset["jiangsu"].honors.get()
    honor.status, honor.revoked_on = "revoked", timezone.localdate()
    honor.save()  # as apps.rechecks.workflow.revoke does
    assert national_titles(client.get(URL)) == 1  # the snapshot of a minute ago

    call_command("refresh_stats", stdout=StringIO())  # what cron runs every 5 minutes
    assert national_titles(client.get(URL)) == 0

    name(post("320000", "transport"), ("national", 2026))
    settings.STATS_MAX_AGE = 0  # cron stopped: every snapshot, and the page cached from it, is too old now
    assert national_titles(client.get(URL)) == 1


def test_page_has_accessible_tables_and_the_chart_scripts(client, dataset):
    content = client.get(URL).content.decode()
    assert content.count('<table class="stats-table"') == 4
    assert content.count("<caption>") == 4
    assert '<th scope="col">' in content and '<th scope="row">2026</th>' in content
    assert "vendor/chart.umd.min.js" in content and "js/stats.js" in content
    assert "<script>" not in content  # strict CSP: no inline scripts
    assert 'href="/stats/"' in content  # the header link


def snapshot_upserts():
    """The snapshots are saved in batches of 500 (figures.refresh): one statement per 500 committees."""
    return math.ceil(Node.objects.count() / 500)


def test_query_count_does_not_grow_with_the_data(client, dataset):
    anqing = committee("340800").pk

    def cold_queries(params):
        Snapshot.objects.all().delete()
        cache.clear()  # nor the page
        client.cookies.pop("stats_area", None)  # /stats/ without a node: the national page, not the area chosen last
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, params).status_code == 200
        return len(queries)

    before = [cold_queries({}), cold_queries({"node": anqing})]
    for index in range(5):
        collective = name(post(["340803", "340822", "340811"][index % 3], "education"), ("city", 2020 + index), ("county", 2019))
        report(collective, timezone.localdate(), kind="volunteer", hours=3)
    name(post("440000", "other"), ("provincial", 2023))
    assert [cold_queries({}), cold_queries({"node": anqing})] == before
    assert max(before) <= 9 + snapshot_upserts()
    with CaptureQueriesContext(connection) as warm:
        client.get(URL, {"node": anqing})
    assert len(warm) == 0


def test_anonymous_sees_public_stats_but_not_the_workbench(client, db):
    assert client.get(URL).status_code == 200
    response = client.get(WORKBENCH)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_workbench_stats_are_scoped_to_the_users_subtree(login, staff_user, dataset):
    client = login(staff_user("reviewer", "340803"))  # 大观区
    response = client.get(WORKBENCH)
    assert response.status_code == 200
    assert response.context["node"] == committee("340803")
    assert counts(response.context["posts"]["totals"]) == levels(city=1, county=1)
    collectives = response.context["collectives"]
    # Named: 大观区's post; aspiring: the collective whose title was revoked and the aspiring one.
    assert (collectives["named"], collectives["aspiring"]) == (1, 2)
    assert 'aria-current="page">' in response.content.decode()
    assert client.get(WORKBENCH, {"node": committee("340822").pk}).status_code == 404  # 怀宁县: another county
    assert client.get(WORKBENCH, {"node": committee("340800").pk}).status_code == 404  # the city above
    assert client.get(WORKBENCH, {"node": "x"}).status_code == 404


def test_city_staff_see_their_counties_and_member_units_with_aspiring_counts(login, staff_user, dataset):
    client = login(staff_user("viewer", "340800"))
    response = client.get(WORKBENCH)
    rows = {row["name"]: dict(zip(["aspiring", "named"], row["counts"])) for row in response.context["collectives"]["by_child"]}
    assert rows["共青团大观区委"] == {"aspiring": 2, "named": 1}
    assert rows["共青团怀宁县委"] == {"aspiring": 0, "named": 1}
    assert rows["国网安庆供电公司"] == {"aspiring": 0, "named": 1}
    assert 'id="stats-collectives"' in response.content.decode()
    assert client.get(WORKBENCH, {"node": committee("340803").pk}).status_code == 200  # a county below
    assert client.get(WORKBENCH, {"node": committee("340100").pk}).status_code == 404  # 合肥: elsewhere


@pytest.mark.parametrize("role", ["expert", None])
def test_workbench_stats_need_a_staff_role_that_sees_lists(login, staff_user, db, role):
    user = staff_user(role, "340800") if role else UserFactory()
    assert login(user).get(WORKBENCH).status_code == 403


def test_workbench_query_count_does_not_grow_with_the_data(login, staff_user, dataset):
    client = login(staff_user("viewer", "340800"))

    def cold_queries():
        Snapshot.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(WORKBENCH).status_code == 200
        return len(queries)

    before = cold_queries()
    for index in range(4):
        name(post("340803", "education"), ("city", 2021 + index))
        post("340811", "water")
    assert cold_queries() == before


def test_workbench_nav_links_to_statistics(login, staff_user, db):
    content = login(staff_user("viewer", "340800")).get(reverse("collectives:staff_queue")).content.decode()
    assert f'href="{WORKBENCH}"' in content


def test_figures_for_a_year_without_data(client, db):
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["posts"]["by_year"] == []
    assert len(response.context["activity"]["by_month"]) == 12
    assert timezone.localdate().strftime("%Y-%m") in response.content.decode()


def test_refresh_stats_computes_every_committee_in_one_pass(client, dataset):
    with CaptureQueriesContext(connection) as queries:
        call_command("refresh_stats", stdout=StringIO())
    assert Snapshot.objects.count() == Node.objects.count()
    # The tree, three grouped statements, the industries, a savepoint, the upserts: not one per node.
    assert len(queries) <= 7 + snapshot_upserts()
    anqing = committee("340800").pk
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"node": anqing})
    assert len(queries) == 4  # the node, its breadcrumb, its snapshot's time, then its figures to render them
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, {"node": anqing}).status_code == 200
    assert len(queries) == 0  # the page as rendered for this snapshot comes from the cache
    assert counts(response.context["posts"]["totals"]) == levels(city=2, county=2)
    huaining = client.get(URL, {"node": committee("340822").pk}).context
    assert counts(huaining["posts"]["totals"]) == levels(city=1)
    assert [row["own"] for row in huaining["posts"]["by_child"]] == [True]  # a county without member units


def test_snapshot_and_fresh_computation_agree(client, dataset):
    computed = client.get(URL).context  # no snapshot yet: computed by the request, then saved
    cache.clear()
    stored = client.get(URL).context  # the page rendered again, from the snapshot
    for block in ("posts", "collectives", "activity"):
        assert stored[block] == computed[block]


def test_the_public_page_opens_on_the_area_the_visitor_chose_last(client, dataset):
    anqing = committee("340800")
    assert area(client.get(URL)) == "全国"
    response = client.get(URL, {"node": anqing.pk})
    assert response.cookies["stats_area"].value == str(anqing.pk)
    assert area(client.get(URL)) == "安庆市"  # the header's link opens the chosen area
    response = client.get(URL, {"node": Node.objects.get(depth=1, kind="league").pk})  # the way back up
    assert area(response) == "全国" and area(client.get(URL)) == "全国"
    client.cookies["stats_area"] = "not-a-number"
    assert area(client.get(URL)) == "全国"


def test_the_public_page_hides_empty_rows(client, dataset):
    content = client.get(URL).content.decode()
    assert "安徽省" in content and "江苏省" in content
    assert ">北京市<" not in content  # no named post: not listed
    assert "金融" not in content.split('id="stats-by-industry"')[1].split("</section>")[0]
    assert "没有命名" in content or "不列出" in content


def test_charts_are_drawn_without_animation():
    from django.contrib.staticfiles import finders

    assert "animation: false" in open(finders.find("js/stats.js"), encoding="utf-8").read()
