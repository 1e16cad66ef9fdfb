#!/usr/bin/env python
"""Every public page beside the public framework floor (an empty page of the same base layout, no query: bench/
floor_urls.py), through gunicorn with 16 connections, on the database of bench/directory.py (issue 16's budget:
each page ≥ 50 % of the floor's throughput with p95 ≤ 150 ms, and a constant number of queries).

    .venv/bin/python bench/directory.py --keep --only "no filters" --no-export --no-explain   # the data, once
    .venv/bin/python bench/public.py [--only TEXT] [--requests 400] [--cache-url redis://127.0.0.1:6379/3]

It adds, once, what the public pages need and the directory's data lacks: public notices (the 40 largest named
rounds of the last year, closed, and one open national notice of 500 entries taking objections). The statistics
snapshots are refreshed before the statistics pages, as the scheduler does every 5 minutes. Each page runs between
two runs of the floor; its share is its requests per second over the mean of theirs.
"""

import argparse
import os
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchdb import open_database  # noqa: E402
from directory import DEFAULT_DB_URL, Server, count_queries, run, sample_reports  # noqa: E402

FLOOR = "/bench-floor/"
OPEN_NOTICE_ENTRIES = 500


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db-url", default=DEFAULT_DB_URL, help=f"bench/directory.py's database (default {DEFAULT_DB_URL})")
    parser.add_argument("--requests", type=int, default=400, help="timed requests per page and per floor run (default 400)")
    parser.add_argument("--concurrency", type=int, default=16, help="client connections in flight (default 16)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2: one per core)")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (default 1: sync)")
    parser.add_argument("--cache-url", default="", help="the served portal's CACHE_URL (default: local memory in each worker)")
    parser.add_argument("--only", help="measure only the pages whose label contains this text")
    return parser.parse_args()


def add_notices():
    """The notices the directory's data lacks: closed ones for the largest named rounds, and one open round."""
    from django.db import transaction
    from django.db.models import Count
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.collectives.models import Collective
    from apps.evaluations.enums import AppStatus, RoundStage
    from apps.evaluations.models import Application, Notice, Round

    if Notice.objects.exists():
        return
    today = timezone.localdate()
    admin = User.objects.get(username="bench_admin")
    with transaction.atomic():
        largest = Round.objects.filter(year=today.year - 1).annotate(n=Count("applications")).order_by("-n")[:40]
        Notice.objects.bulk_create(
            Notice(round=round, opens_on=round.application_closes + timedelta(days=30), closes_on=round.application_closes + timedelta(days=37), published_by=admin)
            for round in largest
        )
        national = Round.objects.filter(node__depth=1, year=today.year).first()
        current = Round.objects.create(
            node=national.node, title=f"{today.year}年度全国青年文明号认定（公示中·性能测试）", year=today.year, stage=RoundStage.NOTICE,
            application_opens=today - timedelta(days=90), application_closes=today - timedelta(days=30), reference_date=today - timedelta(days=30),
            quota=OPEN_NOTICE_ENTRIES, created_by=admin,
        )  # fmt: skip
        aspiring = Collective.objects.public().filter(honor_level="").order_by("pk")[:OPEN_NOTICE_ENTRIES]
        Application.objects.bulk_create(Application(round=current, collective=collective, status=AppStatus.NOTICE) for collective in aspiring)
        Notice.objects.create(round=current, opens_on=today - timedelta(days=1), closes_on=today + timedelta(days=6), published_by=admin)
    print(f"  added {len(largest) + 1} public notices")


def pages():
    from django.db.models.functions import Mod

    from apps.activities.models import ActivityReport
    from apps.collectives.models import Collective
    from apps.evaluations.models import Honor, Notice
    from apps.organizations.models import Node

    from directory import REPORTING_EVERY

    reporting = list(Collective.objects.public().alias(rest=Mod("pk", REPORTING_EVERY)).filter(rest=0).order_by("pk").values_list("pk", flat=True)[:3000])
    reports = list(ActivityReport.objects.filter(collective__in=reporting[:300]).values_list("collective_id", "pk")[:300])
    numbers = list(Honor.objects.valid().order_by("pk").values_list("certificate_number", flat=True)[:300])
    closed, current = Notice.objects.order_by("closes_on")[0], Notice.objects.order_by("-closes_on")[0]
    anhui = Node.objects.get(kind="league", region_id="340000")
    return [
        ("home", ["/"]),
        ("directory /posts/", ["/posts/"]),
        ("directory ?q=供电", ["/posts/?q=" + quote("供电")]),
        ("directory pages not yet cached", [f"/posts/?page={page}" for page in range(2, 1000)]),
        ("post page (500 posts, again and again)", [f"/posts/{pk}/" for pk in reporting[:500]]),
        ("post page, each opened once (QR landing, crawler)", [f"/posts/{pk}/" for pk in reporting[500:]]),
        ("public activity report", [f"/posts/{pk}/reports/{report}/" for pk, report in reports]),
        ("notices", ["/notices/"]),
        ("notice, closed (national round)", [closed.get_absolute_url()]),
        (f"notice, open ({OPEN_NOTICE_ENTRIES} entries, objection form)", [current.get_absolute_url()]),
        ("certificate verification form", ["/verify/"]),
        ("certificate verification of a number", [f"/verify/{number}/" for number in numbers]),
        ("statistics, national", ["/stats/"]),
        ("statistics, a province", [f"/stats/?node={anhui.pk}"]),
        ("complaint tracking form", ["/complaints/"]),
        ("open data page", ["/open-data/"]),
    ]


def main():
    args = parse_args()
    open_database(args.db_url, True, lambda: sys.exit("Generate the data first: bench/directory.py --db-url <the same>"), allowed_hosts="127.0.0.1,testserver")
    from django.conf import settings
    from django.core.management import call_command

    settings.ROOT_URLCONF = "floor_urls"  # the test client counts the queries of the floor too
    sample_reports()  # the post pages with reports and photos, when bench/directory.py has not added them yet
    add_notices()
    tests = [(label, urls) for label, urls in pages() if not args.only or args.only in label]
    call_command("refresh_stats", verbosity=0)
    queries = {label: count_queries(urls) for label, urls in [("floor", [FLOOR]), *tests]}
    server = Server(args, args.cache_url or None, app="bench.floor_wsgi")
    results = []
    try:
        print(f"Load average before measuring: {os.getloadavg()[0]:.2f} (on {os.cpu_count()} cores)")
        before = run(server, [FLOOR], args, args.requests)
        for label, urls in tests:
            if label.startswith("statistics"):
                call_command("refresh_stats", verbosity=0)  # the scheduler's sweep: snapshots never older than 5 minutes
            page = run(server, urls, args, args.requests)
            after = run(server, [FLOOR], args, args.requests)
            share = page["rps"] / ((before["rps"] + after["rps"]) / 2)
            results.append((label, page, share, before))
            print(f"  {label:<52} {share:5.0%} of the floor  p95 {page['p95']:6.1f} ms  (floor {before['rps']:.0f}/{after['rps']:.0f} req/s, load {page['load']:.1f})", flush=True)
            before = after
    finally:
        server.stop()

    cold, warm = queries["floor"]
    print("\n| page | share of the floor | p50 ms | p95 ms | p99 ms | req/s | queries cold / warm |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, page, share, _ in results:
        cold, warm = queries[label]
        verdict = "" if share >= 0.5 and page["p95"] <= 150 else " **over budget**"
        print(f"| {label} | {share:.0%}{verdict} | {page['p50']:.1f} | {page['p95']:.1f} | {page['p99']:.1f} | {page['rps']:.0f} | {len(cold)} / {len(warm)} |")
    print(f"(floor: {FLOOR}, {len(queries['floor'][0])} queries; gunicorn {args.workers} workers, {args.concurrency} connections, {args.requests} requests a run)")


if __name__ == "__main__":
    main()
