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

How it stays fast
=================

Each block is aggregated in the database, grouped by indexed integer columns (the registering node, the
industry, the level, the year, the day), so that at most one row per committee node and level (or per day) comes
back to Python, which folds them into the chosen node's children (or months). All the posts tables come from one
statement: a CTE of (collective, level) pairs read once and grouped three ways. The subtree filter is a list of
node ids read from the small committee table (a node path prefix for reports, which carry it; `report_rollup_idx`
serves it); the national committee needs no filter. A page makes a constant number of queries: 7–8 when its
blocks are computed, 1–2 (the node and its breadcrumb) when they come from the cache.

Computing the blocks is the expensive part at national size: `bench/stats.py` (500,000 collectives, 2,000,000
reports) measures about 1.5–2.5 s for the national committee, 0.3–0.5 s for a province, while a cached page
answers in 15–30 ms. Hence the cache below, and `refresh_stats` for the widest nodes. Indexes on other apps'
tables that would make the computation cheaper are listed in `bench/stats.py` (`SUGGESTED_INDEXES`).

How it stays fresh
==================

Every block is cached per node in Django's cache (`CACHE_URL`; local memory by default) for
`settings.STATS_CACHE_SECONDS` (default 300 s). A figure is therefore at most five minutes old, and a node's
aggregates run at most once per five minutes and block, whatever the traffic. On top of the TTL:

- the posts and collectives blocks carry a *generation* in their key, which every saved or deleted honour
  (naming, revocation) renews (`new_posts_generation`, connected in `StatsConfig.ready`), so a named list or a
  revoked title shows at once. Registrations (aspiring counts) follow the TTL.
- the activity block is keyed by its first month, so it moves on at the turn of a month. Reports are filed
  all the time; they follow the TTL only (renewing on every report would leave nothing cached at national
  scale).

`manage.py refresh_stats` recomputes the blocks of the national committee and the provinces; with a cache shared by
the web workers (`CACHE_URL=redis://...`), run it from cron more often than the TTL and no visitor ever waits for
the widest aggregates. (With the default per-process local-memory cache it only warms its own process.)
"""

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, DecimalField, Exists, Max, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.activities.models import ActivityReport, ReportKind
from apps.collectives.models import Collective, Status
from apps.evaluations.models import Honor
from apps.organizations.enums import Level
from apps.organizations.models import Industry, Node

# Highest first, as the programme lists them.
LEVELS = [Level.NATIONAL, Level.PROVINCIAL, Level.CITY, Level.COUNTY]
MONTHS = 12
KEY_PREFIX = "stats:1"
GENERATION_KEY = f"{KEY_PREFIX}:posts-generation"
BLOCKS = ("posts", "collectives", "activity")


def cache_seconds():
    return getattr(settings, "STATS_CACHE_SECONDS", 300)


def new_posts_generation(**kwargs):
    """Signal receiver: honours changed, so the posts and collectives blocks of every node are out of date."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)


def last_months(today, count=MONTHS):
    """The first days of the last `count` calendar months, oldest first, the current month last."""
    year, month = today.year, today.month
    months = []
    for _ in range(count):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def figures(node, blocks=BLOCKS, today=None, refresh=False):
    """{block name: figures} for the subtree of `node`, from the cache when there (see the module docstring)."""
    today = today or timezone.localdate()
    months = last_months(today)
    generation = cache.get(GENERATION_KEY, "0")
    keys = {
        "posts": f"{KEY_PREFIX}:posts:{node.pk}:{generation}",
        "collectives": f"{KEY_PREFIX}:collectives:{node.pk}:{generation}",
        "activity": f"{KEY_PREFIX}:activity:{node.pk}:{months[0]:%Y-%m}",
    }
    wanted = {name: keys[name] for name in blocks}
    found = {} if refresh else cache.get_many(wanted.values())
    result, computed, subtree = {}, {}, None
    for name, key in wanted.items():
        if key in found:
            result[name] = found[key]
            continue
        subtree = subtree or Subtree.of(node)
        result[name] = computed[key] = COMPUTE[name](subtree, months, today)
    if computed:
        cache.set_many(computed, cache_seconds())
    return result


@dataclass
class Subtree:
    """The chosen node, what to filter by, and how its nodes roll up into the node's children."""

    node: Node
    node_ids: list | None  # None: the subtree is the whole tree, nothing to filter
    children: list
    owner: dict  # node id -> the child row it rolls up into (the node's own pk for the node itself)

    @classmethod
    def of(cls, node):
        rows = list(
            Node.objects.filter(path__startswith=node.path).order_by("path").values_list("pk", "path", "name", "kind", "region__name")
        )
        everything = not Node.objects.exclude(path__startswith=node.path).exists()
        child_length = len(node.path) + Node.steplen
        children = [
            {"id": pk, "name": name, "kind": kind, "region_name": region_name}
            for pk, path, name, kind, region_name in rows
            if len(path) == child_length
        ]
        child_by_path = {path: pk for pk, path, *_ in rows if len(path) == child_length}
        owner = {pk: child_by_path[path[:child_length]] if len(path) >= child_length else node.pk for pk, path, *_ in rows}
        return cls(
            node=node,
            node_ids=None if everything else [pk for pk, *_ in rows],
            children=children,
            owner=owner,
        )

    def by_child(self, counts, columns):
        """Fold (node id, column, count) triples into one row per child (tree order), then the node's own row
        when collectives are registered with the node itself."""
        values = {child["id"]: dict.fromkeys(columns, 0) for child in self.children}
        own = dict.fromkeys(columns, 0)
        for node_id, column, count in counts:
            target = self.owner.get(node_id)
            if target is None or column not in own:
                continue
            row = own if target == self.node.pk else values[target]
            row[column] += count
        rows = [{**child, "own": False, **_counts(values[child["id"]], columns)} for child in self.children]
        if any(own.values()):
            rows.append(
                {"id": self.node.pk, "name": self.node.name, "kind": self.node.kind, "region_name": "", "own": True, **_counts(own, columns)}
            )
        return rows


def _counts(values, columns):
    """A row's figures in column order, with their sum, ready for a table."""
    counts = [values[column] for column in columns]
    return {"counts": counts, "total": sum(counts)}


def _zero_levels():
    return dict.fromkeys(LEVELS, 0)


def compute_posts(subtree, months, today):
    """Named posts by level and year, by child committee and by industry: one statement (see the docstring)."""
    honors = Honor.objects.valid().filter(collective__status__in=Status.public(), collective__delisted_on__isnull=True)
    if subtree.node_ids is not None:
        honors = honors.filter(collective__registering_node_id__in=subtree.node_ids)
    pairs = (
        honors.values("collective_id", "level", "collective__registering_node_id", "collective__industry_id")
        .annotate(latest=Max("year"))
        .order_by()
    )
    pairs_sql, params = pairs.query.sql_with_params()
    sql = (
        f"WITH pairs (collective_id, level, node_id, industry_id, latest) AS ({pairs_sql}) "
        "SELECT 0, level, latest, COUNT(*) FROM pairs GROUP BY level, latest "
        "UNION ALL SELECT 1, level, node_id, COUNT(*) FROM pairs GROUP BY level, node_id "
        "UNION ALL SELECT 2, level, industry_id, COUNT(*) FROM pairs GROUP BY level, industry_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        grouped = cursor.fetchall()

    by_year, by_node, by_industry, totals = {}, [], {}, _zero_levels()
    for kind, level, key, count in grouped:
        if level not in totals:
            continue
        if kind == 0:
            by_year.setdefault(key, _zero_levels())[level] += count
            totals[level] += count
        elif kind == 1:
            by_node.append((key, level, count))
        else:
            by_industry.setdefault(key, _zero_levels())[level] += count
    industries = Industry.objects.order_by("sort_order", "name").values_list("pk", "name")
    return {
        "totals": _counts(totals, LEVELS),
        "by_year": [{"year": year, **_counts(by_year[year], LEVELS)} for year in sorted(by_year)],
        "by_child": subtree.by_child(by_node, LEVELS),
        "by_industry": [{"id": pk, "name": name, **_counts(by_industry.get(pk, _zero_levels()), LEVELS)} for pk, name in industries],
    }


def compute_collectives(subtree, months, today):
    """Public collectives, aspiring and named (with at least one valid title), by child committee."""
    collectives = Collective.objects.public()
    if subtree.node_ids is not None:
        collectives = collectives.filter(registering_node_id__in=subtree.node_ids)
    grouped = (
        collectives.values("registering_node_id")
        .annotate(aspiring=Count("pk", filter=Q(honor_level="")), named=Count("pk", filter=~Q(honor_level="")))
        .order_by()
    )
    counts = []
    for row in grouped:
        counts += [(row["registering_node_id"], "aspiring", row["aspiring"]), (row["registering_node_id"], "named", row["named"])]
    rows = subtree.by_child(counts, ["aspiring", "named"])
    totals = [sum(row["counts"][index] for row in rows) for index in (0, 1)]
    return {"aspiring": totals[0], "named": totals[1], "total": sum(totals), "by_child": rows}


def compute_activity(subtree, months, today):
    """Reports, volunteer services and volunteer hours by month over the last 12 months (zeros included)."""
    reports = ActivityReport.objects.filter(held_on__gte=months[0], held_on__lte=today)
    if subtree.node_ids is not None:
        reports = reports.filter(node_path__startswith=subtree.node.path)  # report_rollup_idx (pattern ops)
    # Only registered collectives file reports (activities.services.may_file) and a registration is never undone,
    # so the delisted ones are the only collectives off the public lists that have reports. NOT EXISTS (an anti
    # join) rather than NOT IN: PostgreSQL keeps the scan parallel. Grouped by day, not by DATE_TRUNC('month'):
    # no per-row date arithmetic, and at most 366 rows to fold into months here.
    delisted = Collective.objects.filter(pk=OuterRef("collective_id"), delisted_on__isnull=False)
    grouped = (
        reports.filter(~Exists(delisted))
        .values("held_on")
        .annotate(
            activities=Count("pk"),
            volunteer_services=Count("pk", filter=Q(kind__in=ReportKind.with_hours())),
            volunteer_hours=Coalesce(
                Sum("volunteer_hours"), Value(Decimal(0)), output_field=DecimalField(max_digits=14, decimal_places=1)
            ),
        )
        .order_by()
    )
    by_month = {}
    for row in grouped:
        month = by_month.setdefault((row["held_on"].year, row["held_on"].month), dict.fromkeys(ACTIVITY_COLUMNS, 0))
        for column in ACTIVITY_COLUMNS:
            month[column] += row[column]
    rows = []
    for month in months:
        row = by_month.get((month.year, month.month), {})
        rows.append(
            {
                "month": month,
                "activities": row.get("activities", 0),
                "volunteer_services": row.get("volunteer_services", 0),
                "volunteer_hours": Decimal(row.get("volunteer_hours", 0)).quantize(Decimal("0.1")),
            }
        )
    return {
        "by_month": rows,
        "totals": {
            "activities": sum(row["activities"] for row in rows),
            "volunteer_services": sum(row["volunteer_services"] for row in rows),
            "volunteer_hours": sum((row["volunteer_hours"] for row in rows), Decimal("0.0")),
        },
        "starts_on": months[0],
        "ends_on": today,
    }


ACTIVITY_COLUMNS = ("activities", "volunteer_services", "volunteer_hours")

COMPUTE = {"posts": compute_posts, "collectives": compute_collectives, "activity": compute_activity}
