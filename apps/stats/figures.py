"""The figures behind `/stats/` (public) and `/workbench/stats/` (committees), for one committee's subtree.

What is counted
===============

**Named posts.** Valid honours (`Honor.objects.valid()`: a revoked honour is not valid) of public collectives
(registered and not delisted). A collective is counted **once per level at which it holds a valid title**: one
with a city and a county title counts once under "city" and once under "county"; one named twice at the same
level (two national editions, say) counts once at that level, in the year of its most recent valid title there,
the title in force. So the tables by year, by committee and by industry all add up, level by level, to the same
totals. The headline "named posts" counts collectives with at least one valid title (`Collective.honor_level`),
each once.

**The subtree** is the committee tree's: a collective belongs to its registering node (a county committee or an
industry member unit) and every committee above it. The "by committee" table has one row per child of the chosen
node (the provinces under the national committee, the cities under a province, the counties under a city, and the
industry member units attached at that level), plus the node's own row for collectives registered with the node
itself.

**Activities.** Activity reports of the subtree held in the last 12 calendar months (the current month up to
today included), by month: reports, volunteer-service reports (`ReportKind.with_hours()`) and their volunteer
hours. Internal reports (not shown on the post's page) and reports staff hid as inappropriate are counted: hiding
concerns what a report shows, the activity and its hours still happened, a total discloses nothing of the hidden
text or photos, and the public figures then agree with the committees' roll-ups (`apps.activities.rollups`), which
count them too. Reports of collectives delisted after a revocation are left out, as those collectives are left
out of every public list.

How it stays fast: snapshots
============================

A page reads its figures from one row, the node's `Snapshot`: one query, whatever the size of the country
(`make bench`). The snapshots are computed for a whole subtree at once (`refresh`): three grouped statements
bring one row per registering node and level and year and industry (posts), per registering node (collectives),
per node and month (activities); Python then adds each node's figures into its parent's, deepest nodes first, so
that every committee of the subtree gets its figures from the same single pass over the data: the national sweep
(3,467 committees, 500,000 collectives, 2,000,000 reports) takes about 6 s, a province's about 0.5 s.

How it stays fresh
==================

- `manage.py refresh_stats` recomputes every committee's snapshot. Run it from cron every few minutes (every 5 is
  the suggestion): visitors then always read a snapshot, and the figures are at most that old. Each page says when
  its figures were computed.
- A snapshot older than `settings.STATS_MAX_AGE` (10 minutes by default), or missing (a new committee, a fresh
  installation, cron not set up), is recomputed for the requested node's subtree by the request that finds it,
  and saved: the figures are never older than that, with or without cron, and only the first visitor waits.
- A revocation shows at once: `outdated` drops the snapshots of the collective's committee and of every committee
  above it in the revocation's transaction (the next page computes them afresh), and a task recomputes them once it
  commits, so visitors seldom wait. Naming shows within minutes, at the next refresh.
- The public page's content is cached (views.py) under the version `VERSION_KEY` (civpost/versions.py), which the
  refresh and `outdated` bump, as does a change to a committee or a region (their names, whether a committee is
  active: StatsConfig.ready). A cached page whose figures are older than STATS_MAX_AGE is rendered afresh, from
  its snapshot recomputed by that request: not a bump, so the other pages of the subtree stay cached until their
  own figures are too old, as they would have been without a cache.
"""

import operator
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache, partial

from django.conf import settings
from django.db import connection
from django.db.models import Count, DecimalField, Exists, Max, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from apps.activities.models import ActivityReport, ReportKind
from apps.collectives.models import Collective, Status
from apps.evaluations.models import Honor
from apps.organizations.enums import Level
from apps.organizations.models import Industry, Node

from civpost import versions
from civpost.tasks import enqueue_on_commit

from .models import Snapshot

# Highest first, as the programme lists them.
LEVELS = [Level.NATIONAL, Level.PROVINCIAL, Level.CITY, Level.COUNTY]
LEVEL_INDEX = {level: index for index, level in enumerate(LEVELS)}
MONTHS = 12
HOURS = DecimalField(max_digits=14, decimal_places=1)
VERSION_KEY = "stats:version"


def max_age():
    return timedelta(seconds=settings.STATS_MAX_AGE)


def last_months(today, count=MONTHS):
    """The first days of the last `count` calendar months, oldest first, the current month last."""
    year, month = today.year, today.month
    months = []
    for _ in range(count):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


BLOCKS = ("posts", "collectives", "activity")


def figures(node):
    """{"posts", "collectives", "activity", "computed_at"} for the subtree of `node`: its snapshot when it is recent
    enough, else computed now for the node's subtree and saved (see the module docstring).

    A recent snapshot's figures are read only when a block is first used: the pages cache their rendered figures
    under `computed_at` (stats/includes/figures.html), so a page served from that cache reads the time alone, not
    the snapshot's JSON (about 100 kB for the national committee)."""
    computed_at = (
        Snapshot.objects.filter(node=node, computed_at__gte=timezone.now() - max_age()).values_list("computed_at", flat=True).first()
    )
    if computed_at is None:
        # Not a change for the pages cached (no bump): they are re-rendered once their own figures are too old.
        snapshot = _computed(node)[node.pk]
        return {**_revived(snapshot.figures), "computed_at": snapshot.computed_at}
    stored = SimpleLazyObject(lambda: _revived(Snapshot.objects.values_list("figures", flat=True).get(node=node)))
    return {**{block: SimpleLazyObject(partial(operator.getitem, stored, block)) for block in BLOCKS}, "computed_at": computed_at}


def outdated(node):
    """The figures of `node` and of every committee above it no longer hold (a title revoked in its subtree): drop
    their snapshots in the caller's transaction and recompute them in a task once it commits."""
    from .tasks import refresh_committee

    chain = list(Node.objects.get_ancestors(node)) + [node]
    Snapshot.objects.filter(node__in=chain).delete()
    versions.bump(VERSION_KEY)
    enqueue_on_commit(refresh_committee, chain[0].pk)


def _revived(stored):
    """The stored figures with their dates and hours as dates and decimals again, for the templates."""
    activity = stored["activity"]
    return {
        **stored,
        "activity": {
            "by_month": [
                {**row, "month": date.fromisoformat(row["month"]), "volunteer_hours": Decimal(row["volunteer_hours"])} for row in activity["by_month"]
            ],
            "totals": {**activity["totals"], "volunteer_hours": Decimal(activity["totals"]["volunteer_hours"])},
            "starts_on": date.fromisoformat(activity["starts_on"]),
            "ends_on": date.fromisoformat(activity["ends_on"]),
        },
    }


def refresh(root, today=None):
    """Compute and save the snapshots of `root` and every node below it; {node id: Snapshot}. The public pages
    show them at once."""
    snapshots = _computed(root, today)
    versions.bump(VERSION_KEY)
    return snapshots


def _computed(root, today=None):
    today = today or timezone.localdate()
    months = last_months(today)
    tree = Tree.of(root)
    _add_posts(tree)
    _add_collectives(tree)
    _add_activity(tree, months, today)
    tree.roll_up()
    industries = list(Industry.objects.order_by("sort_order", "name").values_list("pk", "name"))
    computed_at = timezone.now()
    snapshots = {
        node.pk: Snapshot(node_id=node.pk, computed_at=computed_at, figures=tree.blocks(node, industries, months, today))
        for node in tree.nodes
    }
    Snapshot.objects.bulk_create(
        snapshots.values(), batch_size=500, update_conflicts=True, unique_fields=["node"], update_fields=["computed_at", "figures"]
    )
    return snapshots


def _levels():
    return [0] * len(LEVELS)


@dataclass
class Tally:
    """What one node's collectives add up to: its own (registered with the node itself) or its whole subtree's."""

    by_year: dict = field(default_factory=lambda: defaultdict(_levels))  # year -> count per level
    by_industry: dict = field(default_factory=lambda: defaultdict(_levels))  # industry id -> count per level
    levels: list = field(default_factory=_levels)
    aspiring: int = 0
    named: int = 0
    by_month: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0, Decimal(0)]))  # "YYYY-MM" -> columns

    def add(self, other):
        for target, source in ((self.by_year, other.by_year), (self.by_industry, other.by_industry), (self.by_month, other.by_month)):
            for key, values in source.items():
                row = target[key]
                for index, value in enumerate(values):
                    row[index] += value
        for index, value in enumerate(other.levels):
            self.levels[index] += value
        self.aspiring += other.aspiring
        self.named += other.named


@dataclass
class TreeNode:
    pk: int
    path: str
    name: str
    kind: str
    region_name: str
    own: Tally = field(default_factory=Tally)
    total: Tally = field(default_factory=Tally)
    children: list = field(default_factory=list)


class Tree:
    """The nodes of a subtree in tree order, with their tallies, and what to filter the data by."""

    def __init__(self, nodes, everything):
        self.nodes = nodes
        self.root = nodes[0]
        self.by_pk = {node.pk: node for node in nodes}
        self.by_path = {node.path: node for node in nodes}
        # None: the subtree is the whole tree, nothing to filter.
        self.node_ids = None if everything else list(self.by_pk)
        for node in nodes[1:]:
            self.by_path[node.path[: -Node.steplen]].children.append(node)

    @classmethod
    def of(cls, root):
        rows = Node.objects.filter(path__startswith=root.path).order_by("path").values_list("pk", "path", "name", "kind", "region__name")
        everything = not Node.objects.exclude(path__startswith=root.path).exists()
        return cls([TreeNode(pk, path, name, kind, region_name or "") for pk, path, name, kind, region_name in rows], everything)

    def own(self, node_id):
        """The own tally of a node of the subtree (None for a node outside it, as for a collective moved since)."""
        node = self.by_pk.get(node_id)
        return node.own if node else None

    def roll_up(self):
        """Every node's total: its own figures plus its children's totals, deepest nodes first."""
        for node in self.nodes:
            node.total.add(node.own)
        for node in sorted(self.nodes[1:], key=lambda node: len(node.path), reverse=True):
            self.by_path[node.path[: -Node.steplen]].total.add(node.total)

    def blocks(self, node, industries, months, today):
        """The figures of one node as the pages show them (plain JSON values: they are stored as they are)."""
        total = node.total
        return {
            "posts": {
                "totals": _row(total.levels),
                "by_year": [{"year": year, **_row(total.by_year[year])} for year in sorted(total.by_year)],
                "by_child": _by_child(node, lambda tally: tally.levels),
                "by_industry": [{"id": pk, "name": name, **_row(total.by_industry.get(pk, _levels()))} for pk, name in industries],
            },
            "collectives": {
                "aspiring": total.aspiring,
                "named": total.named,
                "total": total.aspiring + total.named,
                "by_child": _by_child(node, lambda tally: [tally.aspiring, tally.named]),
            },
            "activity": _activity(total, months, today),
        }


def _row(counts):
    """A row's figures in column order, with their sum, ready for a table."""
    return {"counts": list(counts), "total": sum(counts)}


def _child(node, own=False):
    return {"id": node.pk, "name": node.name, "kind": node.kind, "region_name": "" if own else node.region_name, "own": own}


def _by_child(node, columns):
    """One row per child (tree order), then the node's own row when collectives are registered with it."""
    rows = [{**_child(child), **_row(columns(child.total))} for child in node.children]
    if any(columns(node.own)):
        rows.append({**_child(node, own=True), **_row(columns(node.own))})
    return rows


def _activity(tally, months, today):
    if not tally.by_month:
        return _no_activity(tuple(months), today)
    return _activity_block(tally.by_month, months, today)


@lru_cache(maxsize=2)
def _no_activity(months, today):
    """The block of a subtree without reports, most committees' in a national sweep: computed once, only read."""
    return _activity_block({}, months, today)


def _activity_block(by_month, months, today):
    rows, totals = [], [0, 0, Decimal("0.0")]
    for month in months:
        values = by_month.get(f"{month:%Y-%m}", (0, 0, Decimal(0)))
        rows.append({"month": month.isoformat(), **_activity_columns(values)})
        totals = [total + value for total, value in zip(totals, values)]
    return {"by_month": rows, "totals": _activity_columns(totals), "starts_on": months[0].isoformat(), "ends_on": today.isoformat()}


def _activity_columns(values):
    activities, services, hours = values
    return {"activities": activities, "volunteer_services": services, "volunteer_hours": str(Decimal(hours).quantize(Decimal("0.1")))}


def _add_posts(tree):
    """Valid titles by registering node, industry, level and year: one statement over (collective, level) pairs."""
    honors = Honor.objects.valid().filter(collective__status__in=Status.public(), collective__delisted_on__isnull=True)
    if tree.node_ids is not None:
        honors = honors.filter(collective__registering_node_id__in=tree.node_ids)
    pairs = honors.values("collective_id", "level", "collective__registering_node_id", "collective__industry_id").annotate(latest=Max("year")).order_by()
    pairs_sql, params = pairs.query.sql_with_params()
    sql = (
        f"WITH pairs (collective_id, level, node_id, industry_id, latest) AS ({pairs_sql}) "
        "SELECT node_id, industry_id, level, latest, COUNT(*) FROM pairs GROUP BY node_id, industry_id, level, latest"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for node_id, industry_id, level, year, count in cursor.fetchall():
            own, index = tree.own(node_id), LEVEL_INDEX.get(level)
            if own is None or index is None:
                continue
            own.by_year[year][index] += count
            own.by_industry[industry_id][index] += count
            own.levels[index] += count


def _add_collectives(tree):
    """Public collectives, aspiring and named (with at least one valid title), by registering node."""
    collectives = Collective.objects.public()
    if tree.node_ids is not None:
        collectives = collectives.filter(registering_node_id__in=tree.node_ids)
    grouped = (
        collectives.values("registering_node_id")
        .annotate(aspiring=Count("pk", filter=Q(honor_level="")), named=Count("pk", filter=~Q(honor_level="")))
        .order_by()
    )
    for row in grouped:
        own = tree.own(row["registering_node_id"])
        if own is not None:
            own.aspiring += row["aspiring"]
            own.named += row["named"]


def _add_activity(tree, months, today):
    """Reports, volunteer services and volunteer hours by node and month over the last 12 months."""
    reports = ActivityReport.objects.filter(held_on__gte=months[0], held_on__lte=today)
    if tree.node_ids is not None:
        reports = reports.filter(node_path__startswith=tree.root.path)  # report_rollup_idx (pattern ops)
    # Only registered collectives file reports (activities.services.may_file) and a registration is never undone,
    # so the delisted ones are the only collectives off the public lists that have reports. NOT EXISTS (an anti
    # join) rather than NOT IN: PostgreSQL keeps the scan parallel.
    delisted = Collective.objects.filter(pk=OuterRef("collective_id"), delisted_on__isnull=False)
    grouped = (
        reports.filter(~Exists(delisted))
        .values("node_path", month=TruncMonth("held_on"))
        .annotate(
            activities=Count("pk"),
            volunteer_services=Count("pk", filter=Q(kind__in=ReportKind.with_hours())),
            volunteer_hours=Coalesce(Sum("volunteer_hours"), Value(Decimal(0)), output_field=HOURS),
        )
        .order_by()
    )
    for row in grouped:
        node = tree.by_path.get(row["node_path"])
        if node is None:
            continue
        month = node.own.by_month[f"{row['month']:%Y-%m}"]
        month[0] += row["activities"]
        month[1] += row["volunteer_services"]
        month[2] += row["volunteer_hours"]


def committees_changed(sender, instance, raw=False, **kwargs):
    """Signal receiver: a committee or a region saved or deleted."""
    if not raw:
        versions.bump(VERSION_KEY)
