#!/usr/bin/env python
"""Benchmark of the statistics pages at national size on PostgreSQL (issue 7: statistics ≤ 200 ms).

    .venv/bin/python bench/stats.py

(Re)creates the database `civpost_bench_stats` on the local PostgreSQL, fills it with the shipped national committee tree
(3,226 nodes), 500,000 collectives (~30 % named, some twice, some revoked and delisted) and
2,000,000 activity reports over two years, with INSERT ... SELECT generate_series, then times /stats/ (national),
/stats/?node=<Anhui> and /workbench/stats/ (Anhui's admin) in process through Django's test client, reading a fresh
snapshot and recomputing a missing one, and times `manage.py refresh_stats` (every committee's snapshot). See
bench/README.md.
"""

import argparse
import io
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from benchdb import (  # noqa: E402
    create_leaders,
    insert_collectives,
    insert_select,
    open_database,
    percentile,
    refresh_honor_levels,
    run,
    scalar,
    vacuum_analyze,
)
DEFAULT_DB_URL = "postgres://postgres@127.0.0.1:5432/civpost_bench_stats"
LEADERS = 10_000
YEARS = range(2016, 2027)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--collectives", type=int, default=500_000, help="collectives (default 500,000)")
    parser.add_argument("--reports", type=int, default=2_000_000, help="activity reports (default 2,000,000)")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page reading a snapshot (default 30)")
    parser.add_argument("--stale-requests", type=int, default=5, help="timed requests per page recomputing its subtree (default 5)")
    parser.add_argument("--keep", action="store_true", help="reuse the populated database: no generation (still migrates and analyses)")
    parser.add_argument("--db-url", default=DEFAULT_DB_URL, help=f"the benchmark database (default {DEFAULT_DB_URL}); its name must contain 'bench'")
    parser.add_argument("--budget-ms", type=float, default=200, help="the p95 to meet (default 200 ms)")
    parser.add_argument("--no-explain", action="store_true", help="skip EXPLAIN (ANALYZE, BUFFERS) of the heaviest statements")
    parser.add_argument(
        "--suggested-indexes", action="store_true",
        help="create the indexes apps/stats suggests on other apps' tables (SUGGESTED_INDEXES) before measuring; "
        "without it they are dropped, so that runs compare",
    )
    return parser.parse_args()


# Indexes on other apps' tables that would make computing the statistics cheaper. apps/stats may not add them
# (they belong to apps/collectives, apps/evaluations and apps/activities); the bench creates them on request to
# measure what they bring. The Django declaration for each owner's Meta.indexes is in the comment.
SUGGESTED_INDEXES = {
    # collectives.Collective: models.Index(fields=["id"], condition=Q(delisted_on__isnull=False), name="collective_delisted_idx")
    # The activity block leaves out the reports of delisted collectives (NOT EXISTS): with this partial index the
    # inner side is an index-only scan of the ~1,300 delisted rows instead of a pass over all collectives.
    "collective_delisted_idx": "CREATE INDEX collective_delisted_idx ON collectives_collective (id) WHERE delisted_on IS NOT NULL",
}
# Tried and left out, because PostgreSQL 15 did not use them for these statements at this size (EXPLAIN): a partial
# covering index on valid honours (collective_id, level) INCLUDE (year); covering indexes on reports (held_on) and
# (node_path, held_on) INCLUDE (kind, volunteer_hours, collective_id); (registering_node_id, honor_level) on public
# collectives.


TRIED_INDEXES = ["honor_valid_idx", "report_month_idx", "report_subtree_month_idx", "collective_public_node_idx"]


def apply_suggested_indexes(create):
    from django.db import connection

    with connection.cursor() as cursor:
        for name in TRIED_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
        for name, sql in SUGGESTED_INDEXES.items():
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
            if create:
                started = time.perf_counter()
                cursor.execute(sql)
                print(f"  suggested index {name}: {time.perf_counter() - started:.1f} s")
        cursor.execute("VACUUM (ANALYZE)")


# Data --------------------------------------------------------------------------------------------


def generate(args):
    print(f"Generating {args.collectives:,} collectives and {args.reports:,} reports in {args.db_url}")
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.activities.models import ActivityReport, ReportKind
    from apps.evaluations.models import Application, Honor, Round
    from apps.organizations.enums import Level, NodeKind, Role
    from apps.organizations.models import Membership, Node

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_committee_tree", verbosity=0)
    print(f"  migrate + load_committee_tree: {time.perf_counter() - started:.1f} s")
    today = timezone.localdate()
    unusable = make_password(None)

    with transaction.atomic():
        anhui = Node.objects.get(region_id="340000", kind=NodeKind.LEAGUE_COMMITTEE)
        admin = User.objects.create(username="bench_ah_admin", real_name="省委管理员", email="ah_admin@bench.invalid", password=unusable)
        Membership.objects.create(user=admin, node=anhui, role=Role.ADMIN)
        leader_ids = create_leaders(LEADERS)
        # Collectives: spread over every county committee and industry member unit; 2 % still under review (not public).
        step = time.perf_counter()
        insert_collectives(args.collectives, "kind = %s OR level = %s", leader_ids, where_params=[NodeKind.INDUSTRY_UNIT, Level.COUNTY])

        # Rounds: one per level and year, at a committee of that level (the statistics never look at them).
        level_nodes = {
            Level.NATIONAL: Node.objects.get(depth=1),
            Level.PROVINCIAL: anhui,
            Level.CITY: Node.objects.get(region_id="340800", kind=NodeKind.LEAGUE_COMMITTEE),
            Level.COUNTY: Node.objects.get(region_id="340803", kind=NodeKind.LEAGUE_COMMITTEE),
        }
        rounds = Round.objects.bulk_create(
            [
                Round(
                    node=node, title=f"{year}年度{node.name}青年文明号认定（性能测试）", year=year, stage="named",
                    application_opens=date(year, 3, 1), application_closes=date(year, 4, 30), quota=1_000_000, created_by=admin,
                )
                for level, node in level_nodes.items()
                for year in YEARS
            ]
        )
        run("DROP TABLE IF EXISTS bench_rounds")
        run("CREATE TEMP TABLE bench_rounds (level varchar(12), year int, round_id bigint)")
        run(
            "INSERT INTO bench_rounds VALUES " + ", ".join(["(%s, %s, %s)"] * len(rounds)),
            [value for r in rounds for value in (r.node.level, r.year, r.pk)],
        )

        # Honours: 30 % of the registered collectives, levels 5 % national, 20 % provincial, 35 % city, 40 % county,
        # years 2018-2026. One in 50 also holds the same level from two years earlier (counted once), one in 50 a
        # county title a year earlier; one in 97 has its title revoked (and is delisted when that was its only one).
        run("DROP TABLE IF EXISTS bench_honors")
        run(
            """
            CREATE TEMP TABLE bench_honors AS
            WITH named AS (
                SELECT id AS collective_id,
                       CASE WHEN id / 10 % 20 = 0 THEN 'national' WHEN id / 10 % 20 < 5 THEN 'provincial'
                            WHEN id / 10 % 20 < 12 THEN 'city' ELSE 'county' END AS level,
                       2018 + id % 9 AS year
                FROM collectives_collective WHERE status = 'registered' AND id % 10 < 3
            )
            SELECT collective_id, level, year, collective_id % 97 = 0 AS revoked FROM named
            UNION ALL SELECT collective_id, level, year - 2, false FROM named WHERE collective_id % 50 = 1
            UNION ALL SELECT collective_id, 'county', year - 1, false FROM named WHERE collective_id % 50 = 2
            """
        )
        insert_select(
            Application,
            {"round_id": "r.round_id", "collective_id": "h.collective_id", "status": "'named'", "deeds": "'服务群众，创先争优。'"},
            "FROM bench_honors h JOIN bench_rounds r ON r.level = h.level AND r.year = h.year",
            label="applications (named)",
        )
        insert_select(
            Honor,
            {
                "collective_id": "a.collective_id", "round_id": "a.round_id", "application_id": "a.id", "level": "h.level",
                "year": "h.year", "certificate_number": "'B' || a.id", "named_on": "make_date(h.year::int, 6, 1)",
                "named_by_id": "n.id", "status": "CASE WHEN h.revoked THEN 'revoked' ELSE 'named' END",
                "revoked_on": "CASE WHEN h.revoked THEN make_date(h.year::int + 1, 6, 1) END",
                "revocation_reason": "CASE WHEN h.revoked THEN '复核不合格' ELSE '' END",
                "revocation_reference": "CASE WHEN h.revoked THEN '团发〔2026〕1号' ELSE '' END",
            },
            "FROM bench_honors h JOIN bench_rounds r ON r.level = h.level AND r.year = h.year "
            "JOIN evaluations_application a ON a.round_id = r.round_id AND a.collective_id = h.collective_id "
            "JOIN evaluations_round ro ON ro.id = r.round_id JOIN organizations_node n ON n.id = ro.node_id",
            label="honours",
        )
        refresh_honor_levels()
        run(
            "UPDATE collectives_collective c SET delisted_on = %s WHERE honor_level = '' AND EXISTS "
            "(SELECT 1 FROM evaluations_honor h WHERE h.collective_id = c.id AND h.status = 'revoked')",
            [today - timedelta(days=30)],
            label="delisted after a revocation",
        )
        print(f"  collectives and honours: {time.perf_counter() - step:.1f} s")

        # Reports: over the last two years, spread over the registered collectives (delisted ones included).
        step = time.perf_counter()
        run("DROP TABLE IF EXISTS bench_collectives")
        run(
            "CREATE TEMP TABLE bench_collectives AS SELECT row_number() OVER (ORDER BY c.id) AS idx, c.id, n.path, c.region_id, "
            "c.industry_id, c.leader_account_id FROM collectives_collective c JOIN organizations_node n ON n.id = c.registering_node_id "
            "WHERE c.status = 'registered'"
        )
        run("CREATE INDEX ON bench_collectives (idx)")
        run("ANALYZE bench_collectives")
        reporting = scalar("SELECT count(*) FROM bench_collectives")
        kinds = list(ReportKind.values)
        insert_select(
            ActivityReport,
            {
                "collective_id": "c.id", "kind": "s.kind", "title": "'活动' || s.g", "held_on": "CURRENT_DATE - (s.g * 7 %% 730)::int",
                "place": "'营业厅'", "participants": "2 + s.g %% 50", "beneficiaries": "s.g %% 500", "narrative": "'开展便民服务。'",
                "is_public": "s.g %% 20 <> 0", "flagged": "s.g %% 200 = 0",
                "volunteer_hours": "CASE WHEN s.kind = ANY(%(hour_kinds)s) THEN (1 + s.g %% 16) * 1.5 ELSE 0 END",
                "node_path": "c.path", "region_id": "c.region_id", "industry_id": "c.industry_id", "created_by_id": "c.leader_account_id",
            },
            "FROM (SELECT g, (%(kinds)s::varchar[])[1 + g %% %(kind_count)s] AS kind FROM generate_series(1::bigint, %(count)s) AS g) s "
            "JOIN bench_collectives c ON c.idx = 1 + (s.g * 7907) %% %(reporting)s",
            {
                "kinds": kinds, "kind_count": len(kinds), "hour_kinds": list(ReportKind.with_hours()), "count": args.reports,
                "reporting": reporting,
            },
            label=f"{args.reports:,} activity reports",
        )
        print(f"  reports: {time.perf_counter() - step:.1f} s")

    vacuum_analyze(started)


# Measurement -------------------------------------------------------------------------------------


def measure(client, label, url, args):
    """Timed requests of one page in two modes. snapshot: every committee's snapshot is fresh (cron ran
    refresh_stats), the page reads one row. stale: no snapshot at all (cron stopped for longer than STATS_MAX_AGE,
    or a fresh installation), the request recomputes and saves the snapshots of the node's subtree."""
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.stats.models import Snapshot

    results = []
    for mode in ("stale", "snapshot"):
        check(client.get(url), label)  # warms the connection and the templates
        if mode == "stale":
            Snapshot.objects.all().delete()
        else:
            call_command("refresh_stats", stdout=io.StringIO())
        with CaptureQueriesContext(connection) as captured:
            check(client.get(url), label)
        queries = list(captured.captured_queries)
        timings = []
        for _ in range(args.requests if mode == "snapshot" else args.stale_requests):
            if mode == "stale":
                Snapshot.objects.all().delete()
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            check(response, label)
        results.append(
            {
                "label": label, "mode": mode, "url": url, "queries": queries, "db_ms": sum(float(q["time"]) for q in queries) * 1000,
                "median": statistics.median(timings), "p95": percentile(timings, 0.95), "max": max(timings),
            }
        )
    return results


def time_refresh(runs=3):
    """The sweep cron runs: every committee's snapshot, computed in one pass and saved."""
    from django.core.management import call_command

    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        call_command("refresh_stats", stdout=io.StringIO())
        timings.append(time.perf_counter() - started)
    return timings


def check(response, label):
    if response.status_code != 200:
        sys.exit(f"{label}: HTTP {response.status_code} (expected 200)")


def explain(sql, params, title):
    from django.db import connection

    print(f"\n--- EXPLAIN (ANALYZE, BUFFERS): {title}")
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        for (line,) in cursor.fetchall():
            print("    " + line)


def main():
    args = parse_args()
    open_database(args.db_url, args.keep, lambda: generate(args))

    apply_suggested_indexes(args.suggested_indexes)
    print(f"Suggested indexes on other apps' tables: {'created' if args.suggested_indexes else 'absent'} ({', '.join(SUGGESTED_INDEXES)})")

    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from apps.accounts.models import User
    from apps.activities.models import ActivityReport
    from apps.collectives.models import Collective
    from apps.evaluations.models import Honor
    from apps.organizations.models import Node
    from apps.stats import figures

    anhui = Node.objects.get(region_id="340000", kind="league")
    counts = {
        "committee nodes": Node.objects.count(),
        "collectives": Collective.objects.count(),
        "  public (registered, not delisted)": Collective.objects.public().count(),
        "  named (at least one valid title)": Collective.objects.named().count(),
        "  delisted": Collective.objects.filter(delisted_on__isnull=False).count(),
        "honours": Honor.objects.count(),
        "  valid": Honor.objects.valid().count(),
        "activity reports": ActivityReport.objects.count(),
        f"  held since {figures.last_months(date.today())[0]}": ActivityReport.objects.filter(held_on__gte=figures.last_months(date.today())[0]).count(),
        "  of Anhui's subtree": ActivityReport.objects.filter(node_path__startswith=anhui.path).count(),
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT version(), current_setting('work_mem'), current_setting('jit'), current_setting('max_parallel_workers_per_gather')")
        version, work_mem, jit, workers = cursor.fetchone()
    print(f"\n{version.split(' on ')[0]} · work_mem {work_mem} · jit {jit} · parallel workers per gather {workers}")
    from django.conf import settings

    print(f"STATS_MAX_AGE {settings.STATS_MAX_AGE} s")
    print("Rows:")
    for label, value in counts.items():
        print(f"  {label:<44} {value:>10,}")

    public = Client()
    staff = Client()
    staff.force_login(User.objects.get(username="bench_ah_admin"))
    url = reverse("stats:public")
    pages = [
        ("/stats/ (national)", public, url),
        ("/stats/?node=<Anhui>", public, f"{url}?node={anhui.pk}"),
        ("/workbench/stats/ (Anhui admin)", staff, reverse("stats:workbench")),
    ]
    sweeps = time_refresh()
    print(f"\nmanage.py refresh_stats (every committee, {Node.objects.count():,} snapshots): " + ", ".join(f"{t:.1f} s" for t in sweeps))
    print(
        f"\nIn process (test client): {args.requests} requests per page reading a fresh snapshot (snapshot), "
        f"{args.stale_requests} finding none (stale: the request recomputes the subtree's snapshots)."
    )
    results = [row for label, client, page_url in pages for row in measure(client, label, page_url, args)]
    print(f"\n{'page':<34} {'mode':<8} {'SQL':>4} {'SQL ms':>8} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}")
    for r in results:
        print(f"{r['label']:<34} {r['mode']:<8} {len(r['queries']):>4} {r['db_ms']:>8.1f} {r['median']:>10.1f} {r['p95']:>8.1f} {r['max']:>8.1f}")
    print("(SQL = queries per request; SQL ms = their total time in that request)")
    for r in results:
        if r["mode"] == "stale":
            print(f"\nQueries of a stale {r['label']}:")
            for q in r["queries"]:
                print(f"  {float(q['time']) * 1000:8.1f} ms  {q['sql'][:150]}")
    worst = max((r for r in results if r["mode"] == "snapshot"), key=lambda r: r["p95"])
    print(
        f"\nWorst p95 reading a snapshot: {worst['p95']:.1f} ms ({worst['label']}) — "
        f"{'within' if worst['p95'] <= args.budget_ms else 'OVER'} the {args.budget_ms:.0f} ms budget. "
        f"Worst p95 recomputing: {max(r['p95'] for r in results if r['mode'] == 'stale'):.1f} ms "
        f"(only when cron has not run refresh_stats for {settings.STATS_MAX_AGE} s)."
    )

    if args.no_explain:
        return
    from django.test.utils import CaptureQueriesContext

    for node in (Node.objects.get(depth=1), anhui):
        with CaptureQueriesContext(connection) as captured:
            figures.refresh(node)
        for q in captured.captured_queries:
            if "WITH pairs" in q["sql"] or "volunteer_hours" in q["sql"]:
                explain(q["sql"], None, f"{node.name}: {q['sql'][:60]}…")


if __name__ == "__main__":
    main()
