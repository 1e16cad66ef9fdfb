"""The shipped committee tree (every GB/T 2260 division, its loader) and the admin's Excel import/export."""

import csv
import io
from collections import Counter

import pytest
from django.core.management import call_command

from apps.organizations.enums import Level, NodeKind
from apps.organizations.models import NATIONAL_REGION, Node, Region
from apps.organizations.tree import REGIONS_FILE, load_tree

from .conftest import committee
from .factories import CollectiveFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_anhui_is_shipped_down_to_its_counties():
    anhui = Node.objects.get(region_id="340000", kind=NodeKind.LEAGUE_COMMITTEE)
    cities = Node.objects.get_children(anhui).filter(kind=NodeKind.LEAGUE_COMMITTEE)
    assert cities.count() == 16
    anqing = Node.objects.get(region_id="340800", kind=NodeKind.LEAGUE_COMMITTEE)
    assert anqing.name == "共青团安庆市委" and anqing.level == Level.CITY
    counties = set(Node.objects.get_children(anqing).filter(kind=NodeKind.LEAGUE_COMMITTEE).values_list("region__name", flat=True))
    assert {"迎江区", "大观区", "宜秀区", "怀宁县", "太湖县", "宿松县", "望江县", "岳西县", "桐城市", "潜山市"} <= counties
    assert Node.objects.filter(level=Level.COUNTY, region__code__startswith="34").count() == Region.objects.filter(
        code__startswith="34"
    ).exclude(code__endswith="00").count()
    assert Node.objects.get(region_id="100000", kind=NodeKind.LEAGUE_COMMITTEE).name == "共青团中央"


def test_industry_units_hang_under_their_committee():
    unit = Node.objects.get(name="国网安庆供电公司")
    assert unit.kind == NodeKind.INDUSTRY_UNIT
    assert Node.objects.get_parent(unit).region_id == "340800"


def test_every_province_prefecture_and_county_is_shipped():
    league = Node.objects.filter(kind=NodeKind.LEAGUE_COMMITTEE)
    assert league.filter(level=Level.NATIONAL).count() == 1
    assert league.filter(level=Level.PROVINCIAL).count() == 31
    assert league.filter(level=Level.CITY).count() == 333
    assert league.filter(level=Level.COUNTY).count() == 2846
    assert league.count() == Region.objects.count()  # one committee per region
    # No committees in Taiwan, Hong Kong and Macao; no placeholder rows (市辖区).
    assert not Region.objects.filter(code__in=["710000", "810000", "820000", "110100", "429000"]).exists()
    provinces = Node.objects.get_children(committee(NATIONAL_REGION)).filter(kind=NodeKind.LEAGUE_COMMITTEE)
    assert {"共青团北京市委", "共青团内蒙古自治区委", "共青团新疆维吾尔自治区委", "共青团安徽省委"} <= set(provinces.values_list("name", flat=True))


def test_treebeard_finds_no_problem_in_the_bulk_loaded_tree():
    # find_problems() costs two queries per node: it checks the shapes here (a province with prefectures and
    # directly administered cities, a municipality, a prefecture without counties) ...
    for region in ("340000", "420000", "110000", "441900"):
        assert Node.objects.find_problems(parent=committee(region)) == ([], [], [], [], []), region
    # ... and the same rules for the whole tree, from one query: every path made of whole steps of the alphabet,
    # its depth, a parent for all but the root, and numchild the number of children.
    nodes = dict(Node.objects.values_list("path", "depth"))
    children = Counter(path[: -Node.steplen] for path in nodes if len(path) > Node.steplen)
    for path, depth in nodes.items():
        assert len(path) % Node.steplen == 0 and set(path) <= set(Node.alphabet)
        assert depth == len(path) // Node.steplen
        assert depth == 1 or path[: -Node.steplen] in nodes
    assert dict(Node.objects.filter(numchild__gt=0).values_list("path", "numchild")) == dict(children)


def parent_committee(region_code):
    return Node.objects.get_parent(committee(region_code))


def test_municipality_districts_hang_directly_under_the_municipality():
    dongcheng = committee("110101")
    assert dongcheng.name == "共青团北京市东城区委" and dongcheng.level == Level.COUNTY
    assert parent_committee("110101") == committee("110000")
    assert committee("500229").name == "共青团重庆市城口县委"  # a county of 重庆, not only its districts
    assert parent_committee("500229") == committee("500000")
    assert Region.objects.get(code="120101").parent_id == "120000"


def test_county_level_divisions_a_province_administers_hang_under_the_province():
    xiantao = committee("429004")
    assert xiantao.name == "共青团仙桃市委" and xiantao.level == Level.COUNTY
    assert parent_committee("429004") == committee("420000")
    assert parent_committee("419001") == committee("410000")  # 济源市
    assert parent_committee("659001") == committee("650000")  # 石河子市


def test_prefectures_keep_their_names_and_level():
    assert committee("222400").name == "共青团延边朝鲜族自治州委" and committee("222400").level == Level.CITY
    assert committee("152500").name == "共青团锡林郭勒盟委"
    assert committee("441900").level == Level.CITY and committee("441900").numchild == 0


def test_registering_nodes_are_committees_without_a_committee_below_and_industry_units():
    registering = set(Node.registering_nodes().values_list("name", flat=True))
    # Prefectures without counties receive registrations like counties do.
    assert {"共青团东莞市委", "共青团中山市委", "共青团儋州市委", "共青团嘉峪关市委"} <= registering
    assert {"共青团大观区委", "共青团北京市东城区委", "共青团仙桃市委", "国网安庆供电公司", "国家电网有限公司"} <= registering
    assert not {"共青团安庆市委", "共青团北京市委", "共青团湖北省委", "共青团中央"} & registering
    assert Node.registering_nodes().count() == 2846 + 4 + Node.objects.filter(kind=NodeKind.INDUSTRY_UNIT).count()


def test_a_committee_below_takes_registrations_away_from_its_parent():
    dongguan = committee("441900")
    assert dongguan in Node.registering_nodes()
    town = Region.objects.create(code="441999", name="某镇", parent_id="441900")
    Node.objects.add_child(dongguan, {"name": "共青团东莞市某镇委", "level": Level.COUNTY, "region": town})
    assert dongguan not in Node.registering_nodes()


def test_loading_the_tree_again_changes_nothing(django_assert_max_num_queries):
    paths = dict(Node.objects.values_list("pk", "path"))
    with django_assert_max_num_queries(10):
        report = load_tree()
    assert not report.changed()
    assert report.counts["regions"]["unchanged"] == Region.objects.count()
    assert report.counts["committees and units"]["unchanged"] == Node.objects.count()
    assert dict(Node.objects.values_list("pk", "path")) == paths


def test_command_prints_what_it_created_updated_and_left_unchanged():
    out = io.StringIO()
    call_command("load_committee_tree", stdout=out)
    assert "regions: 0 created, 0 updated, 3211 unchanged" in out.getvalue()


def divisions_file(tmp_path, replace=None, add=()):
    """The shipped divisions with some names replaced and some rows added, as a newer list would have them."""
    replace = replace or {}
    rows = []
    with REGIONS_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            rows.append((row["code"], replace.get(row["code"], row["name"])))
    path = tmp_path / "regions.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "name"])
        writer.writerows(sorted(rows + list(add)))
    return path


def test_a_renamed_division_is_renamed_by_its_code_with_its_committee(tmp_path):
    before = committee("340803").pk
    report = load_tree(divisions_file(tmp_path, replace={"340803": "新观区", "110101": "东城新区"}))
    assert report.counts["regions"]["updated"] == 2 and report.counts["regions"]["created"] == 0
    assert report.counts["committees and units"] == {"created": 0, "updated": 2, "unchanged": Node.objects.count() - 2}
    assert Region.objects.get(code="340803").name == "新观区"
    assert committee("340803").pk == before and committee("340803").name == "共青团新观区委"
    assert committee("110101").name == "共青团北京市东城新区委"


def test_placeholder_rows_of_older_lists_are_skipped(tmp_path):
    placeholders = [("110100", "市辖区"), ("500200", "县"), ("429000", "省直辖县级行政区划"), ("659000", "自治区直辖县级行政区划")]
    report = load_tree(divisions_file(tmp_path, add=placeholders))
    assert not report.changed()
    assert not Region.objects.filter(code__in=[code for code, _name in placeholders]).exists()


def test_a_new_division_is_added_after_its_siblings(tmp_path):
    anqing = committee("340800")
    last_child = Node.objects.get_children(anqing).last()
    report = load_tree(divisions_file(tmp_path, add=[("340899", "新区")]))
    assert report.counts["regions"]["created"] == 1
    assert report.counts["committees and units"]["created"] == 1 and report.counts["committees and units"]["updated"] == 1
    new = committee("340899")
    assert new.name == "共青团新区委" and new.level == Level.COUNTY and new.path > last_child.path
    assert Node.objects.get_parent(new) == anqing
    assert committee("340800").numchild == anqing.numchild + 1
    assert Node.objects.find_problems(parent=anqing) == ([], [], [], [], [])


def test_a_new_prefecture_over_existing_counties_takes_their_committees(tmp_path):
    moved = committee("469021")  # 定安县, administered by 海南省 directly
    load_tree(divisions_file(tmp_path, add=[("469000", "某新设市")]))
    prefecture = committee("469000")
    assert Region.objects.get(code="469021").parent_id == "469000"
    assert Node.objects.get_parent(Node.objects.get(pk=moved.pk)) == prefecture
    assert Node.objects.find_problems(parent=committee("460000")) == ([], [], [], [], [])


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


def test_admin_exports_collectives_as_excel(superuser_client):
    collective = CollectiveFactory(name="=HYPERLINK(\"http://evil\")", status="registered")
    response = superuser_client.post(
        "/admin/collectives/collective/export/",
        {"format": "0", **{f"collectiveresource_{f}": "on" for f in ["name", "workplace_unit", "status"]}},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(response.content)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert collective.name not in values  # formula injection escaped
    assert "'" + collective.name in values


@pytest.mark.parametrize("url", ["/admin/organizations/node/", "/admin/organizations/node/import/", "/admin/collectives/collective/", "/workbench/imports/", "/admin/audit/auditentry/"])
def test_admin_pages_open(superuser_client, url):
    assert superuser_client.get(url).status_code == 200


def test_admin_imports_regions_from_a_spreadsheet(superuser_client, settings):
    """The two-step import of the admin (upload, then confirm) with the example file in fixtures/: it puts back the
    names of the divisions it lists (all of them are shipped already)."""
    from pathlib import Path

    Region.objects.filter(code="320115").update(name="江宁县")
    example = Path(settings.BASE_DIR) / "fixtures" / "regions_jiangsu_nanjing.csv"
    with example.open("rb") as handle:
        preview = superuser_client.post(
            "/admin/organizations/region/import/", {"format": "1", "import_file": handle, "resource": "0"}
        )
    assert preview.status_code == 200
    form = preview.context["confirm_form"]
    confirm = superuser_client.post(
        "/admin/organizations/region/process_import/", {**form.initial, "resource": "0"}, follow=True
    )
    assert confirm.status_code == 200
    assert Region.objects.get(code="320115").name == "江宁区"
    assert Region.objects.get(code="320115").parent_id == "320100"
