#!/usr/bin/env python
"""Benchmark of the campaign progress and roll-up pages on PostgreSQL (issue 5's quality bar).

    .venv/bin/python bench/campaign_progress.py --scale 0.1

(Re)creates the database `civpost_bench` on the local PostgreSQL, fills it with `manage.py seed_scale` (at --scale),
then times the pages a provincial committee admin opens, in process
through Django's test client. See bench/README.md.
"""

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from benchdb import open_database, percentile  # noqa: E402

from apps.benchmarks.accounts import PROVINCIAL_ADMIN  # noqa: E402

DEFAULT_DB_URL = "postgres://postgres@127.0.0.1:5432/civpost_bench"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="seed_scale's share of the national size (default 1)")
    parser.add_argument("--seed", type=int, default=2026, help="seed_scale's seed (default 2026)")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up requests per page (default 3)")
    parser.add_argument("--keep", action="store_true", help="reuse an existing populated database: skip generation")
    parser.add_argument("--db-url", default=DEFAULT_DB_URL, help=f"the benchmark database (default {DEFAULT_DB_URL})")
    parser.add_argument(
        "--budget-ms", type=float, default=300,
        help="what 'well under a second' means here: the worst page's p95 must stay below this (default 300 ms)",
    )
    parser.add_argument("--show-queries", action="store_true", help="list every query of each page with its time, not only the 3 slowest")
    parser.add_argument("--no-explain", action="store_true", help="skip the EXPLAIN (ANALYZE, BUFFERS) section")
    return parser.parse_args()


# Data --------------------------------------------------------------------------------------------


def campaign_period():
    from django.utils import timezone

    year = timezone.localdate().year
    return date(year, 1, 1), date(year, 12, 31)


def generate(args):
    """The national data of `manage.py seed_scale` (apps/benchmarks/seeding.py), at --scale: 安徽's campaign of
    this year is one of the running campaigns it creates, answered by reports of the province's collectives."""
    from django.core.management import call_command

    call_command("seed_scale", scale=args.scale, seed=args.seed)


# Measurement -------------------------------------------------------------------------------------


def measure(client, label, url, args):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(max(args.warmup - 1, 0)):
        check(client.get(url), label)
    with CaptureQueriesContext(connection) as captured:  # the last warm-up: count the queries
        check(client.get(url), label)
    queries = list(captured.captured_queries)  # now: every later request resets connection.queries
    timings = []
    for _ in range(args.requests):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        check(response, label)
    return {
        "label": label,
        "url": url,
        "queries": queries,
        "db_ms": sum(float(q["time"]) for q in queries) * 1000,
        "median": statistics.median(timings),
        "p95": percentile(timings, 0.95),
        "max": max(timings),
        "bytes": len(response.content),
    }


def check(response, label):
    if response.status_code != 200:
        sys.exit(f"{label}: HTTP {response.status_code} (expected 200)")


def explain(sql, title):
    from django.db import connection

    print(f"\n--- EXPLAIN (ANALYZE, BUFFERS): {title}")
    print(sql)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        for (line,) in cursor.fetchall():
            print("    " + line)


def aggregate_sql(run):
    """The SQL of the by-child-node aggregate that `run()` executes (the GROUP BY on the node path prefix)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        run()
    return next(q["sql"] for q in captured.captured_queries if "SUBSTRING" in q["sql"].upper() and "GROUP BY" in q["sql"].upper())


def main():
    args = parse_args()
    open_database(args.db_url, args.keep, lambda: generate(args))

    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from apps.accounts.models import User
    from apps.activities import rollups
    from apps.activities.models import ActivityReport, Campaign
    from apps.collectives.models import Collective, Member
    from apps.organizations.models import Node

    starts_on, ends_on = campaign_period()
    campaign = Campaign.objects.filter(node__region_id="340000", node__kind="league", starts_on=starts_on).select_related("node").first()
    if campaign is None:
        sys.exit("The kept database has no benchmark campaign for this year: run without --keep.")
    province = campaign.node
    admin = User.objects.get(username=PROVINCIAL_ADMIN)

    participation = rollups.campaign_participation(province, campaign)
    counts = {
        "activity reports": ActivityReport.objects.count(),
        "  linked to the campaign": ActivityReport.objects.filter(campaign=campaign).count(),
        "  in the year": ActivityReport.objects.filter(held_on__range=(starts_on, ends_on)).count(),
        "collectives (registered)": Collective.objects.public().count(),
        "  reported for the campaign": participation["reported"].count(),
        "  not yet (missing)": participation["missing"].count(),
        "members": Member.objects.count(),
        "committees and units below the province": Node.objects.filter(path__startswith=province.path).count() - 1,
        "  children of the province (rows of 'by committee')": Node.objects.get_children(province).count(),
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT version(), current_setting('lc_collate'), current_setting('work_mem'), current_setting('jit')")
        version, collate, work_mem, jit = cursor.fetchone()
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('activities_activityreport'))")
        (table_size,) = cursor.fetchone()

    print(f"\n{version.split(' on ')[0]} · lc_collate {collate} · work_mem {work_mem} · jit {jit} · report table {table_size}")
    print(f"Campaign: {campaign.title} (pk {campaign.pk}) of {province.name}, {campaign.starts_on} – {campaign.ends_on}")
    print("Rows:")
    for label, value in counts.items():
        print(f"  {label:<52} {value:>9,}")

    client = Client()
    client.force_login(admin)
    campaign_url = reverse("activities:campaign_detail", args=[campaign.pk])
    rollup_url = reverse("activities:rollup") + "?" + urlencode({"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()})
    pages = [
        ("campaign page", campaign_url),
        ("campaign page ?show=missing", campaign_url + "?show=missing"),
        ("roll-up page, the year", rollup_url),
    ]
    print(f"\nAs {admin.username} (admin of {province.name}): {args.warmup} warm-up + {args.requests} timed requests per page, in process (test client)")
    results = [measure(client, label, url, args) for label, url in pages]
    print(f"\n{'page':<30} {'SQL':>4} {'SQL ms':>7} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'KiB':>6}")
    for r in results:
        print(
            f"{r['label']:<30} {len(r['queries']):>4} {r['db_ms']:>7.1f} {r['median']:>10.1f} {r['p95']:>8.1f} {r['max']:>8.1f} {r['bytes'] / 1024:>6.0f}"
        )
    print("(SQL = queries per request; SQL ms = their total time in one request)")
    for r in results:
        slowest = r["queries"] if args.show_queries else sorted(r["queries"], key=lambda q: float(q["time"]), reverse=True)[:3]
        print(f"\n{'Queries' if args.show_queries else 'Slowest queries'} of the {r['label']} ({r['url']}):")
        for q in slowest:
            print(f"  {float(q['time']) * 1000:7.1f} ms  {q['sql'][:160]}")
    worst = max(results, key=lambda r: r["p95"])
    within = worst["p95"] < args.budget_ms
    print(
        f"\nWorst p95: {worst['p95']:.1f} ms ({worst['label']}) — "
        f"{'within' if within else 'OVER'} the {args.budget_ms:.0f} ms budget for 'well under a second'."
    )

    if args.no_explain:
        return
    explain(
        aggregate_sql(lambda: rollups.by_child_node(province, rollups.reports_for(province, campaign=campaign))),
        f"by-child-node aggregate of the campaign page, {province.name} (the heaviest aggregate)",
    )
    missing_count = next(q["sql"] for q in results[1]["queries"] if "COUNT(*)" in q["sql"] and "NOT" in q["sql"])
    explain(missing_count, "the 'not yet' count of the campaign page (collectives without a campaign report)")
    explain(
        aggregate_sql(lambda: rollups.by_child_node(province, rollups.reports_for(province, starts_on=starts_on, ends_on=ends_on))),
        f"by-child-node aggregate of the roll-up page, {province.name}, the year",
    )
    # A narrow subtree shows whether the indexes on node_path serve the prefix filter (LIKE 'path%').
    city = Node.objects.get(region_id="340800", kind="league")
    explain(
        aggregate_sql(lambda: rollups.by_child_node(city, rollups.reports_for(city, campaign=campaign))),
        f"the same campaign aggregate for {city.name} (a narrow subtree: index use on node_path)",
    )
    county = Node.objects.get(region_id="340803", kind="league")
    explain(
        aggregate_sql(lambda: rollups.by_child_node(county, rollups.reports_for(county, starts_on=starts_on, ends_on=ends_on))),
        f"the roll-up aggregate for {county.name}, the year (report_rollup_idx on node_path, held_on?)",
    )


if __name__ == "__main__":
    main()
