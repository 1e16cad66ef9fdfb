"""Loading the committee tree: every GB/T 2260 division of fixtures/gbt2260/ (see its README: source, date, licence)
with one league committee each, and the industries and industry member units of `data/`.

The load is idempotent: divisions are matched by their code, industries by their code, committees by their region,
industry units by their region and name, so running it again changes nothing, and a division renamed in a newer
list is renamed here (its committee's name follows). Nothing is ever deleted.

It is built for speed (the test suite loads the tree into every test database): the tree is read once, the
materialized paths of new nodes are computed here (treebeard's MP_Node: `steplen` characters of `alphabet` per
level, appended after the parent's last child, as `add_child` would) and everything is written with
bulk_create/bulk_update, in a handful of statements whatever the size of the tree.
"""

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save

from . import regions
from .enums import Level, NodeKind
from .models import NATIONAL_REGION, Industry, Node, Region

DATA_DIR = Path(__file__).resolve().parent / "data"
REGIONS_FILE = Path(settings.BASE_DIR) / "fixtures" / "gbt2260" / "regions_2024.csv"
NATIONAL_NAME = "全国"
NATIONAL_COMMITTEE_NAME = "共青团中央"
# The league has no committees in Taiwan, Hong Kong and Macao: nothing there to register with.
NOT_LOADED = {"710000", "810000", "820000"}
# Grouping rows of older lists and of the statistics bureau's codes (xx0100 市辖区, xx0200 县, xx9000 省直辖…):
# they are no division of their own, so what they group hangs under the province.
PLACEHOLDER_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    parent: str | None  # the code of the division above it, None for the country


def level_of_region(code):
    """The level of a division's committee from its GB/T 2260 code, which is positional: xx0000 a province,
    xxyy00 a prefecture, anything else county-level. With the placeholder rows gone this holds for every shape:
    a municipality's district (110101) and a county-level city under its province (429004) are county-level,
    a prefecture without counties (441900 东莞市) is a prefecture."""
    if code == NATIONAL_REGION:
        return Level.NATIONAL
    if code.endswith("0000"):
        return Level.PROVINCIAL
    if code.endswith("00"):
        return Level.CITY
    return Level.COUNTY


def is_municipality(division):
    """北京市, 天津市, 上海市, 重庆市: the province-level divisions that are cities."""
    return level_of_region(division.code) == Level.PROVINCIAL and division.name.endswith("市")


def committee_name(division, parent=None):
    """共青团安庆市委, 共青团内蒙古自治区委, 共青团仙桃市委; a municipality's districts and counties carry its name
    (共青团北京市东城区委), as their committees call themselves, so that Beijing's 朝阳区 is told from Changchun's."""
    if division.code == NATIONAL_REGION:
        return NATIONAL_COMMITTEE_NAME
    if parent is not None and is_municipality(parent):
        return f"共青团{parent.name}{division.name}委"
    return f"共青团{division.name}委"


def read_divisions(path=REGIONS_FILE):
    """{code: Division} in code order (every parent before its children), the country first."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = [(row["code"].strip(), row["name"].strip()) for row in csv.DictReader(handle)]
    listed = {code for code, name in rows if name not in PLACEHOLDER_NAMES}
    divisions = {NATIONAL_REGION: Division(NATIONAL_REGION, NATIONAL_NAME, None)}
    for code, name in sorted(rows):
        province = code[:2] + "0000"
        if name in PLACEHOLDER_NAMES or province in NOT_LOADED:
            continue
        prefecture = code[:4] + "00"
        if code == province:
            parent = NATIONAL_REGION
        else:
            parent = prefecture if prefecture != code and prefecture in listed else province
        divisions[code] = Division(code, name, parent)
    return divisions


@dataclass
class LoadReport:
    """What a load did, per kind of row: {"created": n, "updated": n, "unchanged": n}."""

    counts: dict = field(default_factory=dict)

    def add(self, kind, created=0, updated=0, unchanged=0):
        self.counts[kind] = {"created": created, "updated": updated, "unchanged": unchanged}

    def changed(self):
        return any(c["created"] or c["updated"] for c in self.counts.values())

    def __str__(self):
        return "; ".join(f"{kind}: {c['created']} created, {c['updated']} updated, {c['unchanged']} unchanged" for kind, c in self.counts.items())


@transaction.atomic
def load_tree(regions_file=REGIONS_FILE):
    """Create or update the regions, the industries, one league committee per region and the industry units."""
    report = LoadReport()
    divisions = read_divisions(regions_file)
    _load_regions(divisions, report)
    industries = _load_industries(report)
    _load_nodes(divisions, industries, report)
    return report


def _rows(filename):
    with open(DATA_DIR / filename, encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _saved(model, instances):
    """Tell the caches (regions.py, the directory) about rows changed in bulk, as save() would."""
    for instance in instances:
        post_save.send(sender=model, instance=instance, created=False, update_fields=None, raw=False, using=model.objects.db)


def _load_regions(divisions, report):
    existing = {code: (name, parent) for code, name, parent in Region.objects.values_list("code", "name", "parent_id")}
    created, updated, lists_changed = [], [], set()
    for division in divisions.values():
        before = existing.get(division.code)
        if before == (division.name, division.parent):
            continue
        region = Region(code=division.code, name=division.name, parent_id=division.parent)
        if before is None:
            created.append(region)
            lists_changed.add(division.parent)
        else:
            updated.append(region)
            lists_changed.update({division.parent, before[1]})
    Region.objects.bulk_create(created)
    Region.objects.bulk_update(updated, ["name", "parent"])
    # The region selects list each parent's children: bulk writes send no signal, so their lists are forgotten here.
    regions.forget_children(lists_changed)
    _saved(Region, updated)
    report.add("regions", len(created), len(updated), len(divisions) - len(created) - len(updated))


def _load_industries(report):
    industries = {industry.code: industry for industry in Industry.objects.all()}
    created, updated, unchanged = [], [], 0
    for row in _rows("industries.csv"):
        wanted = {"name": row["name"], "sort_order": int(row["sort_order"])}
        industry = industries.get(row["code"])
        if industry is None:
            industries[row["code"]] = industry = Industry(code=row["code"], **wanted)
            created.append(industry)
        elif _assign(industry, wanted):
            updated.append(industry)
        else:
            unchanged += 1
    Industry.objects.bulk_create(created)
    Industry.objects.bulk_update(updated, ["name", "sort_order"])
    _saved(Industry, updated)
    report.add("industries", len(created), len(updated), unchanged)
    return industries


def _assign(instance, values):
    """Set the values that differ; whether any did."""
    changed = {name: value for name, value in values.items() if getattr(instance, name) != value}
    for name, value in changed.items():
        setattr(instance, name, value)
    return bool(changed)


class _Paths:
    """Hands out treebeard paths for new children, after each parent's last child (as add_child does), and counts
    the children each parent then has (numchild)."""

    def __init__(self, nodes):
        self.last_step = Counter()
        for node in nodes:
            parent_path = node.path[: -Node.steplen]
            self.last_step[parent_path] = max(self.last_step[parent_path], Node._str2int(node.path[-Node.steplen :]))

    def attach(self, node, parent):
        parent_path = parent.path if parent else ""
        self.last_step[parent_path] += 1
        node.depth = parent.depth + 1 if parent else 1
        node.path = Node._get_path(parent_path, node.depth, self.last_step[parent_path])
        node.numchild = 0
        if parent:
            parent.numchild += 1


def _load_nodes(divisions, industries, report):
    nodes = list(Node.objects.all())
    paths = _Paths(nodes)
    committees = {node.region_id: node for node in nodes if node.kind == NodeKind.LEAGUE_COMMITTEE}
    units = {(node.region_id, node.name): node for node in nodes if node.kind == NodeKind.INDUSTRY_UNIT}
    created, updated, moved = [], set(), []

    def place(node, parent, wanted):
        if node.pk is None:
            _assign(node, wanted)
            paths.attach(node, parent)
            created.append(node)
            if parent and parent.pk:
                updated.add(parent)  # its numchild grew
        elif _assign(node, wanted):
            updated.add(node)

    for division in divisions.values():
        parent_division = divisions.get(division.parent)
        parent = committees[division.parent] if division.parent else None
        committee = committees.get(division.code) or Node(region_id=division.code, kind=NodeKind.LEAGUE_COMMITTEE)
        place(committee, parent, {"name": committee_name(division, parent_division), "level": level_of_region(division.code)})
        committees[division.code] = committee
        if committee.pk and parent and committee.path[: -Node.steplen] != parent.path:
            moved.append((committee, parent))
    for row in _rows("industry_units.csv"):
        parent = committees[row["committee_region"]]
        unit = units.get((parent.region_id, row["name"])) or Node(region_id=parent.region_id, kind=NodeKind.INDUSTRY_UNIT, name=row["name"])
        place(unit, parent, {"level": parent.level, "industry_id": industries[row["industry"]].pk})

    Node.objects.bulk_create(created)
    Node.objects.bulk_update(updated, ["name", "level", "industry", "numchild"])
    _saved(Node, updated)
    for committee, parent in moved:
        # A division that changed parent without changing code (rare: a new prefecture over existing counties).
        # treebeard moves the committee's whole subtree; one by one, each with fresh paths.
        Node.objects.move(Node.objects.get(pk=committee.pk), Node.objects.get(pk=parent.pk), pos="last-child")
    changed = updated | {committee for committee, _parent in moved}
    report.add("committees and units", len(created), len(changed), len(nodes) - len(changed))
