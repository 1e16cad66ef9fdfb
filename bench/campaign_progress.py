#!/usr/bin/env python
"""Benchmark of the campaign progress and roll-up pages on PostgreSQL (issue 5's quality bar).

    .venv/bin/python bench/campaign_progress.py --reports 100000

(Re)creates the database `civpost_bench` on the local PostgreSQL, fills it with a province's worth of
collectives and activity reports, then times the pages a provincial committee admin opens, in process
through Django's test client. See bench/README.md.
"""

import argparse
import io
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from benchdb import open_database, percentile, vacuum_analyze  # noqa: E402
DEFAULT_DB_URL = "postgres://postgres@127.0.0.1:5432/civpost_bench"
BATCH = 5_000
MEMBERS_PER_COLLECTIVE = 6
CAMPAIGN_TITLE = "{year}年安徽省青年文明号开放周（性能测试）"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=100_000, help="activity reports to generate (default 100,000)")
    parser.add_argument("--collectives", type=int, default=2_000, help="registered collectives (default 2,000)")
    parser.add_argument("--campaign-share", type=float, default=0.7, help="share of reports linked to the campaign (default 0.7)")
    parser.add_argument(
        "--participation", type=float, default=0.75,
        help="share of collectives that report for the campaign at all; the rest are 'missing' (default 0.75)",
    )
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up requests per page (default 3)")
    parser.add_argument("--seed", type=int, default=5, help="random seed of the generated data")
    parser.add_argument("--keep", action="store_true", help="reuse an existing populated database: skip generation")
    parser.add_argument("--db-url", default=DEFAULT_DB_URL, help=f"the benchmark database (default {DEFAULT_DB_URL})")
    parser.add_argument(
        "--budget-ms", type=float, default=300,
        help="what 'well under a second' means here: the worst page's p95 must stay below this (default 300 ms)",
    )
    parser.add_argument("--show-queries", action="store_true", help="list every query of each page with its time, not only the 3 slowest")
    parser.add_argument("--no-explain", action="store_true", help="skip the EXPLAIN (ANALYZE, BUFFERS) section")
    args = parser.parse_args()
    if args.participation <= 0 or args.campaign_share > args.participation:
        parser.error("--campaign-share must not exceed --participation (only participating collectives report for it)")
    return args


# Database ----------------------------------------------------------------------------------------


# Data --------------------------------------------------------------------------------------------


def campaign_period():
    from django.utils import timezone

    year = timezone.localdate().year
    return date(year, 1, 1), date(year, 12, 31)


def generate(args):
    print(f"Generating {args.collectives:,} collectives and {args.reports:,} reports in {args.db_url}")
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.activities.models import ActivityReport, Campaign, ReportKind
    from apps.collectives.models import Collective, Member, Status
    from apps.organizations.enums import Level, NodeKind, Role
    from apps.organizations.models import Industry, Membership, Node, Region

    rng = random.Random(args.seed)
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_committee_tree", verbosity=0, stdout=io.StringIO())
    print(f"  migrate + load_committee_tree: {time.perf_counter() - started:.1f} s")

    starts_on, ends_on = campaign_period()
    year = starts_on.year
    today = timezone.localdate()
    last_day = min(ends_on, today) if today >= starts_on else ends_on  # reports describe past activities
    days = (last_day - starts_on).days + 1
    now = timezone.now()
    unusable = make_password(None)

    with transaction.atomic():
        step = time.perf_counter()
        province = Node.objects.get(region_id="340000", kind=NodeKind.LEAGUE_COMMITTEE)
        counties = list(
            Node.objects.filter(region__code__startswith="34", level=Level.COUNTY, kind=NodeKind.LEAGUE_COMMITTEE).order_by("path")
        )
        units = list(Node.objects.filter(kind=NodeKind.INDUSTRY_UNIT, path__startswith=province.path).order_by("path"))
        county_regions = list(Region.objects.filter(code__in=[c.region_id for c in counties]).values_list("code", flat=True))
        industries = list(Industry.objects.order_by("sort_order"))

        # A handful of staff accounts; the admin of 共青团安徽省委 is the one the pages are measured as.
        staff = User.objects.bulk_create(
            [
                User(username="bench_ah_admin", real_name="省委管理员", email="ah_admin@bench.invalid", password=unusable),
                User(username="bench_ah_reviewer", real_name="省委审核员", email="ah_reviewer@bench.invalid", password=unusable),
                User(username="bench_ah_viewer", real_name="省委查看员", email="ah_viewer@bench.invalid", password=unusable),
                User(username="bench_aq_admin", real_name="安庆市委管理员", email="aq_admin@bench.invalid", password=unusable),
                User(username="bench_hf_reviewer", real_name="合肥市委审核员", email="hf_reviewer@bench.invalid", password=unusable),
            ]
        )
        admin = staff[0]
        Membership.objects.bulk_create(
            [
                Membership(user=admin, node=province, role=Role.ADMIN),
                Membership(user=staff[1], node=province, role=Role.REVIEWER),
                Membership(user=staff[2], node=province, role=Role.VIEWER),
                Membership(user=staff[3], node=Node.objects.get(region_id="340800", kind=NodeKind.LEAGUE_COMMITTEE), role=Role.ADMIN),
                Membership(user=staff[4], node=Node.objects.get(region_id="340100", kind=NodeKind.LEAGUE_COMMITTEE), role=Role.REVIEWER),
            ]
        )
        # One 号长 account per collective, as in real life (created_by of its reports).
        leaders = User.objects.bulk_create(
            [
                User(username=f"bench_leader_{i:05d}", real_name=f"号长{i:05d}", email=f"leader{i}@bench.invalid", password=unusable)
                for i in range(args.collectives)
            ],
            batch_size=BATCH,
        )

        # Collectives: every Anhui county committee in turn, one in ten with an industry member unit.
        collectives = []
        for i in range(args.collectives):
            if i % 10 == 9 and units:
                node = units[(i // 10) % len(units)]
                prefix = node.region.code_prefix
                region_id = rng.choice([code for code in county_regions if code.startswith(prefix)] or county_regions)
                industry_id = node.industry_id
            else:
                node = counties[i % len(counties)]
                region_id = node.region_id
                industry_id = rng.choice(industries).pk
            honor = rng.choices(["", Level.COUNTY, Level.CITY, Level.PROVINCIAL], weights=[80, 10, 7, 3])[0]
            collectives.append(
                Collective(
                    name=f"青年文明号集体{i:05d}",
                    workplace_unit=f"{node.name}第{i % 97 + 1}单位",
                    industry_id=industry_id,
                    region_id=region_id,
                    address=f"安徽省某地某路{i + 1}号",
                    registering_node=node,
                    leader_account=leaders[i],
                    service_promises="微笑服务，文明用语\n首问负责，一次告知",
                    supervision_phone="0551-65551234",
                    pledge_accepted_at=now,
                    status=Status.REGISTERED,
                    registration_number=f"{region_id}-{year - 1}-{i + 1:05d}",
                    registered_on=date(year - 1, 1, 1) + timedelta(days=rng.randrange(365)),
                    member_count=MEMBERS_PER_COLLECTIVE,
                    honor_level=honor,
                )
            )
        Collective.objects.bulk_create(collectives, batch_size=BATCH)
        births = [date(1995, 5, 1), date(1998, 3, 2), date(1999, 7, 8), date(2000, 1, 1), date(1980, 2, 3), date(1975, 6, 6)]
        Member.objects.bulk_create(
            (
                Member(collective=c, name=f"成员{c.pk}-{n}", birth_date=birth, position="客户经理", is_leader=n == 0)
                for c in collectives
                for n, birth in enumerate(births[:MEMBERS_PER_COLLECTIVE])
            ),
            batch_size=BATCH,
        )
        print(f"  users, collectives, members: {time.perf_counter() - step:.1f} s")

        campaign = Campaign.objects.create(
            node=province,
            title=CAMPAIGN_TITLE.format(year=year),
            theme="青春建功新时代",
            description="全省青年文明号集体开展开放周、志愿服务和便民服务活动。",
            starts_on=starts_on,
            ends_on=ends_on,
            action_starts_on=starts_on + timedelta(days=120),
            action_ends_on=starts_on + timedelta(days=126),
            report_kinds=[ReportKind.OPEN_WEEK, ReportKind.VOLUNTEER, ReportKind.PUBLIC_SERVICE],
            includes_aspiring=True,
            created_by=admin,
        )

        # Reports: spread over the collectives, kinds and the campaign period. Only `participation` of the
        # collectives report for the campaign (the others are the page's "not yet" list); their reports are
        # linked with the probability that makes about `campaign_share` of all reports campaign reports.
        participating = {c.pk for c in rng.sample(collectives, round(len(collectives) * args.participation))}
        link_probability = args.campaign_share / args.participation
        with_hours = set(ReportKind.with_hours())
        kinds = list(ReportKind.values)
        step = time.perf_counter()
        batch = []
        for i in range(args.reports):
            collective = collectives[rng.randrange(len(collectives))]
            linked = collective.pk in participating and rng.random() < link_probability
            kind = rng.choice(campaign.report_kinds if linked else kinds)
            participants = rng.randint(2, 60)
            report = ActivityReport(
                collective=collective,
                campaign=campaign if linked else None,
                kind=kind,
                title=f"活动{i}",
                held_on=starts_on + timedelta(days=rng.randrange(days)),
                place="营业厅",
                participants=participants,
                beneficiaries=rng.randint(0, 800),
                narrative="向群众开放营业厅，讲解办事流程，开展便民服务。",
                is_public=rng.random() < 0.95,
                flagged=rng.random() < 0.005,
                volunteer_hours=(
                    Decimal(rng.randint(1, MEMBERS_PER_COLLECTIVE) * rng.randint(1, 16)) / 2 if kind in with_hours else Decimal(0)
                ),
                created_by_id=collective.leader_account_id,
            )
            report.copy_place_from(collective)
            batch.append(report)
            if len(batch) == BATCH:
                ActivityReport.objects.bulk_create(batch)
                batch = []
        if batch:
            ActivityReport.objects.bulk_create(batch)
        print(f"  {args.reports:,} reports: {time.perf_counter() - step:.1f} s")

    vacuum_analyze(started)


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
    campaign = Campaign.objects.filter(title=CAMPAIGN_TITLE.format(year=starts_on.year)).select_related("node").first()
    if campaign is None:
        sys.exit("The kept database has no benchmark campaign for this year: run without --keep.")
    province = campaign.node
    admin = User.objects.get(username="bench_ah_admin")

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
