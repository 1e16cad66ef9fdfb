"""The shipped committee tree and the admin's Excel import/export."""

import pytest

from apps.organizations.enums import Level, NodeKind
from apps.organizations.models import Node, Region

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


def test_loading_the_tree_twice_changes_nothing():
    from apps.organizations.tree import load_tree

    before = Node.objects.count()
    load_tree()
    assert Node.objects.count() == before


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
    """The two-step import of the admin (upload, then confirm) with the example file in fixtures/."""
    from pathlib import Path

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
