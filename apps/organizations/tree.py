"""Loading the committee tree from the CSV files in `data/` (GB/T 2260 regions, industries, member units).

Every load is idempotent: rows are matched by their natural keys, so running it again changes nothing.
"""

import csv
from pathlib import Path

from django.db import transaction

from .enums import Level, NodeKind
from .models import Industry, Node, Region

DATA_DIR = Path(__file__).resolve().parent / "data"
NATIONAL_REGION = "100000"
NATIONAL_COMMITTEE_NAME = "共青团中央"


def level_of_region(code):
    if code == NATIONAL_REGION:
        return Level.NATIONAL
    if code.endswith("0000"):
        return Level.PROVINCIAL
    if code.endswith("00"):
        return Level.CITY
    return Level.COUNTY


def committee_name(region):
    return NATIONAL_COMMITTEE_NAME if region.code == NATIONAL_REGION else f"共青团{region.name}委"


def _rows(filename):
    with open(DATA_DIR / filename, encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


@transaction.atomic
def load_tree():
    """Create or update regions, industries, one league committee per region, and the industry units."""
    region_files = sorted(DATA_DIR.glob("regions_*.csv"))  # regions_000000.csv (provinces) sorts first
    for path in region_files:
        for row in _rows(path.name):
            Region.objects.update_or_create(
                code=row["code"], defaults={"name": row["name"], "parent_id": row["parent_code"] or None}
            )
    for row in _rows("industries.csv"):
        Industry.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "sort_order": int(row["sort_order"])}
        )
    committees = {}
    for region in Region.objects.order_by("code").select_related("parent"):
        committees[region.code] = _ensure_committee(region, committees)
    for row in _rows("industry_units.csv"):
        parent = committees[row["committee_region"]]
        _ensure_node(
            parent,
            name=row["name"],
            level=parent.level,
            kind=NodeKind.INDUSTRY_UNIT,
            region=parent.region,
            industry=Industry.objects.get(code=row["industry"]),
        )
    return len(committees)


def _ensure_committee(region, committees):
    fields = {"name": committee_name(region), "level": level_of_region(region.code), "kind": NodeKind.LEAGUE_COMMITTEE}
    if region.parent_id is None:
        existing = Node.objects.filter(region=region, kind=NodeKind.LEAGUE_COMMITTEE).first()
        return existing or Node.objects.add_root({"region": region, **fields})
    # Regions are loaded in code order, so a region's parent committee is already known.
    return _ensure_node(committees[region.parent_id], region=region, **fields)


def _ensure_node(parent, **fields):
    existing = Node.objects.filter(region=fields["region"], kind=fields["kind"], name=fields["name"]).first()
    if existing:
        return existing
    return Node.objects.add_child(parent, fields)
