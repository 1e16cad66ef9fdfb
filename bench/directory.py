#!/usr/bin/env python
"""Benchmark of the public directory and the post page at national size on PostgreSQL (issue 7's quality bar:
p95 ≤ 150 ms under 16 concurrent connections, a constant number of queries per page).

    .venv/bin/python bench/directory.py

(Re)creates the database `civpost_bench_dir` on the local PostgreSQL, fills it with 500,000 public collectives
(bulk_create; ~30 % named, some twice), starts `gunicorn civpost.wsgi` on a free port with the production settings
(DEBUG=false) and times the pages from 16 client threads, each with its own connection. See bench/README.md.
"""

import argparse
import http.client
import io
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from benchdb import open_database, percentile, production_env, vacuum_analyze  # noqa: E402
DEFAULT_DB_URL = "postgres://postgres@127.0.0.1:5432/civpost_bench_dir"
BATCH = 5_000
YEARS = range(2012, 2027)
# Team names and workplace units by industry; {place} is the county or province name.
TEAMS = {
    "power": (["客户服务中心营业厅", "供电服务班", "配电抢修班", "变电运维班"], "国网{place}供电公司"),
    "taxation": (["办税服务厅", "纳税服务科", "税源管理科"], "国家税务总局{place}税务局"),
    "health": (["急诊科", "儿科护理组", "门诊服务中心"], "{place}人民医院"),
    "public-security": (["户政服务窗口", "交警大队", "出入境接待大厅"], "{place}公安局"),
    "transport": (["公交示范线路车队", "客运站服务台"], "{place}交通运输集团"),
    "finance": (["营业部", "普惠金融服务中心"], "中国工商银行{place}分行"),
    "postal": (["邮政支局", "投递班"], "中国邮政集团{place}分公司"),
    "telecom": (["营业厅", "装维班"], "中国移动{place}分公司"),
    "education": (["青年教师团队", "学生服务中心"], "{place}第一中学"),
    "commerce": (["服务台", "导购组"], "{place}百货大楼"),
    "culture-tourism": (["讲解队", "游客服务中心"], "{place}博物馆"),
    "market-regulation": (["登记注册窗口", "消费者投诉中心"], "{place}市场监督管理局"),
    "water": (["客服中心", "管网抢修队"], "{place}水务集团"),
    "other": (["政务服务窗口", "便民服务中心"], "{place}政务服务中心"),
}
PROMISES = "微笑服务，文明用语\n首问负责，一次告知\n限时办结，不让群众跑第二趟\n接受监督，有诉必应"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--collectives", type=int, default=500_000, help="public collectives (default 500,000)")
    parser.add_argument("--named-share", type=float, default=0.3, help="share of them with a valid title (default 0.3)")
    parser.add_argument("--leaders", type=int, default=50_000, help="号长 accounts, shared by the collectives (default 50,000)")
    parser.add_argument("--requests", type=int, default=800, help="timed requests per scenario (default 800)")
    parser.add_argument("--concurrency", type=int, default=16, help="client connections in flight (default 16)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2: one per core)")
    parser.add_argument(
        "--cache-url", default="",
        help="the served portal's CACHE_URL (default: the settings' default, a local-memory cache in each worker; "
        "production shares one, e.g. redis://127.0.0.1:6379/3)",
    )
    parser.add_argument("--threads", type=int, default=1, help="threads per worker; more than 1 uses gthread workers (default 1: sync)")
    parser.add_argument("--budget-ms", type=float, default=150, help="the p95 to meet (default 150 ms)")
    parser.add_argument("--keep", action="store_true", help="reuse the populated database: no generation (still migrates and analyses)")
    parser.add_argument("--db-url", default=DEFAULT_DB_URL, help=f"the benchmark database (default {DEFAULT_DB_URL}); its name must contain 'bench'")
    parser.add_argument(
        "--no-cache-run", action="store_true",
        help="also run every scenario with CACHE_URL=dummycache:// (nothing cached: every count and page computed), with a quarter of the requests",
    )
    parser.add_argument("--no-export", action="store_true", help="skip the national CSV export (time and worker memory)")
    parser.add_argument("--no-explain", action="store_true", help="skip EXPLAIN (ANALYZE, BUFFERS)")
    parser.add_argument("--only", help="run only the scenarios whose label contains this text")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the generated data")
    return parser.parse_args()


# Database ----------------------------------------------------------------------------------------


def server_env(db_url, cache_url=None):
    """The environment of the served portal (gunicorn): the production settings apart from TLS."""
    env = {**os.environ, **production_env(db_url, allowed_hosts="127.0.0.1")}
    if cache_url:
        env["CACHE_URL"] = cache_url
    return env


# Data --------------------------------------------------------------------------------------------


def generate(args):
    print(f"Generating {args.collectives:,} public collectives in {args.db_url}")
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.collectives.models import Collective, Status
    from apps.evaluations.enums import LEVEL_CODES, AppStatus, RoundStage
    from apps.evaluations.models import Application, Honor, Round
    from apps.organizations.enums import Level, NodeKind
    from apps.organizations.models import Industry, Node

    rng = random.Random(args.seed)
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_committee_tree", verbosity=0, stdout=io.StringIO())
    print(f"  migrate + load_committee_tree: {time.perf_counter() - started:.1f} s")

    today = timezone.localdate()
    now = timezone.now()
    unusable = make_password(None)
    league = Node.objects.filter(kind=NodeKind.LEAGUE_COMMITTEE).select_related("region")
    national = league.get(level=Level.NATIONAL)
    provinces = {node.region_id: node for node in league.filter(level=Level.PROVINCIAL)}
    cities = {node.region_id: node for node in league.filter(level=Level.CITY)}
    counties = list(league.filter(level=Level.COUNTY).order_by("path"))
    anhui = provinces["340000"]
    other_provinces = [node for code, node in sorted(provinces.items()) if code != "340000"]
    industries = list(Industry.objects.order_by("sort_order"))

    with transaction.atomic():
        step = time.perf_counter()
        admin = User.objects.create(username="bench_admin", real_name="性能测试", email="admin@bench.invalid", password=unusable)
        leaders = User.objects.bulk_create(
            (
                User(username=f"bench_leader_{i:06d}", real_name=f"号长{i:06d}", email=f"leader{i}@bench.invalid", password=unusable)
                for i in range(args.leaders)
            ),
            batch_size=BATCH,
        )
        leader_ids = [user.pk for user in leaders]

        # One named round per committee and year: national, 31 provinces, Anhui's 16 cities and 104 counties.
        rounds = Round.objects.bulk_create(
            Round(
                node=node, title=f"{year}年度{node.name}青年文明号认定（性能测试）", year=year, stage=RoundStage.NAMED,
                application_opens=date(year, 3, 1), application_closes=date(year, 4, 30), reference_date=date(year, 4, 30),
                quota=100_000, created_by=admin,
            )
            for node in [national, *provinces.values(), *cities.values(), *counties]
            for year in YEARS
        )  # fmt: skip
        round_of = {(r.node_id, r.year): r for r in rounds}
        print(f"  {args.leaders:,} 号长 accounts, {len(rounds):,} rounds: {time.perf_counter() - step:.1f} s")

        # Collectives: 40 % in Anhui's 104 counties, 60 % at province level in the other 30 provinces (the shipped
        # tree has counties for Anhui only). About `named_share` hold one or two valid titles. 1 % more are
        # delisted (a revoked title) and are not public: they must not slow the public lists down.
        step = time.perf_counter()
        serials, certificates, honors_planned = {}, {}, []
        total = args.collectives + args.collectives // 100
        batch = []

        def plan(index):
            in_anhui = rng.random() < 0.4
            if in_anhui:
                node = counties[rng.randrange(len(counties))]
                place = node.region.name
            else:
                node = other_provinces[rng.randrange(len(other_provinces))]
                place = node.region.name
            industry = industries[rng.randrange(len(industries))]
            teams, unit = TEAMS.get(industry.code, TEAMS["other"])
            registered_on = date(2010, 1, 1) + timedelta(days=rng.randrange((today - date(2010, 1, 1)).days))
            key = (node.region_id, registered_on.year)
            serials[key] = serials.get(key, 0) + 1
            titles = []
            if rng.random() < args.named_share or index >= args.collectives:
                for _ in range(1 if rng.random() < 0.85 else 2):
                    year = rng.choice([y for y in YEARS if y > registered_on.year] or [today.year])
                    if in_anhui:
                        level = rng.choices([Level.COUNTY, Level.CITY, Level.PROVINCIAL, Level.NATIONAL], [40, 35, 20, 5])[0]
                        namer = {Level.COUNTY: node, Level.CITY: cities.get(node.region_id[:4] + "00", anhui), Level.PROVINCIAL: anhui}.get(level, national)
                    else:
                        level = rng.choices([Level.PROVINCIAL, Level.NATIONAL], [80, 20])[0]
                        namer = node if level == Level.PROVINCIAL else national
                    named_on = min(date(year, 11, 1) + timedelta(days=rng.randrange(60)), today)
                    if all((namer, year) != (t[1], t[2]) for t in titles):  # one application per round
                        titles.append((level, namer, year, named_on))
            levels = {level for level, *_ in titles}
            highest = next((level for level in [Level.NATIONAL, Level.PROVINCIAL, Level.CITY, Level.COUNTY] if level in levels), "")
            delisted = index >= args.collectives
            collective = Collective(
                name=f"{place}{rng.choice(teams)}青年班组{index:06d}",
                workplace_unit=unit.format(place=place),
                industry_id=industry.pk,
                region_id=node.region_id,
                address=f"{place}某路{index % 500 + 1}号",
                registering_node=node,
                leader_account_id=leader_ids[index % len(leader_ids)],
                service_promises=PROMISES,
                supervision_phone=f"0551-6{index % 10_000_000:07d}",
                pledge_accepted_at=now,
                status=Status.REGISTERED,
                registration_number=f"{node.region_id}-{registered_on.year}-{serials[key]:05d}",
                registered_on=registered_on,
                member_count=8,
                honor_level="" if delisted else highest,
                latest_named_on=None if delisted else max((t[3] for t in titles), default=None),
                delisted_on=today - timedelta(days=rng.randrange(1, 300)) if delisted else None,
            )
            return collective, titles, delisted

        for index in range(total):
            batch.append(plan(index))
            if len(batch) == BATCH or index == total - 1:
                Collective.objects.bulk_create([c for c, *_ in batch])
                for collective, titles, delisted in batch:
                    for level, namer, year, named_on in titles:
                        honors_planned.append((collective.pk, level, namer, year, named_on, delisted))
                batch = []
        print(f"  {total:,} collectives ({args.collectives:,} public): {time.perf_counter() - step:.1f} s")

        step = time.perf_counter()
        for start in range(0, len(honors_planned), BATCH):
            chunk = honors_planned[start : start + BATCH]
            applications = Application.objects.bulk_create(
                Application(round=round_of[(namer.pk, year)], collective_id=collective_id, status=AppStatus.NAMED)
                for collective_id, level, namer, year, named_on, delisted in chunk
            )
            honors = []
            for application, (collective_id, level, namer, year, named_on, delisted) in zip(applications, chunk, strict=True):
                code = f"{LEVEL_CODES[level]}{namer.region_id}"
                certificates[(code, year)] = certificates.get((code, year), 0) + 1
                honors.append(
                    Honor(
                        collective_id=collective_id, round_id=application.round_id, application=application, level=level, year=year,
                        certificate_number=f"{code}-{year}-{certificates[(code, year)]:05d}", named_on=named_on, named_by=namer,
                        status="revoked" if delisted else "named", revoked_on=today - timedelta(days=1) if delisted else None,
                    )
                )  # fmt: skip
            Honor.objects.bulk_create(honors)
        print(f"  {len(honors_planned):,} applications and honours: {time.perf_counter() - step:.1f} s")

    vacuum_analyze(started)


REPORTING_EVERY = 50  # one public post in 50 has reports: the posts the post-page scenarios open
REPORTS_EACH = 8


def sample_reports():
    """Activity reports for one public post in REPORTING_EVERY: REPORTS_EACH each (the page shows the latest 6),
    every other one with volunteer hours, two photos on each. The post-page scenarios open only these posts, the
    heaviest pages to render. INSERT ... SELECT; kept when the data is reused (--keep)."""
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM activities_activityreport)")
        if cursor.fetchone()[0]:
            return
        cursor.execute(
            """
            INSERT INTO activities_activityreport (kind, title, held_on, place, participants, beneficiaries, narrative,
                video_url, is_public, volunteer_hours, volunteer_points, hours_check, hours_check_reason, flagged, flag_reason,
                node_path, created_at, updated_at, collective_id, created_by_id, industry_id, region_id)
            SELECT (ARRAY['open_week', 'volunteer', 'study', 'public_service'])[1 + g %% 4], '青年文明号开放日暨志愿服务活动' || g,
                CURRENT_DATE - (g * 23 + c.id %% 20)::int, '营业厅', 12, 80, '向群众开放营业厅，讲解办事流程，开展志愿服务。',
                '', true, CASE WHEN g %% 2 = 1 THEN 6.5 ELSE 0 END, 0, '', '', false, '', n.path, now(), now(),
                c.id, c.leader_account_id, c.industry_id, c.region_id
            FROM collectives_collective c JOIN organizations_node n ON n.id = c.registering_node_id
            CROSS JOIN generate_series(0, %s) g
            WHERE c.status = 'registered' AND c.delisted_on IS NULL AND c.id %% %s = 0
            """,
            [REPORTS_EACH - 1, REPORTING_EVERY],
        )
        reports = cursor.rowcount
        cursor.execute(
            """
            INSERT INTO activities_reportphoto (image, thumbnail, report_id)
            SELECT 'reports/bench/' || r.id || '-' || p || '.jpg', 'reports/bench/' || r.id || '-' || p || '-thumb.jpg', r.id
            FROM activities_activityreport r CROSS JOIN generate_series(1, 2) p
            """
        )
        # What the report signals keep (apps/directory/signals.py): the total hours and the page's version.
        cursor.execute(
            """
            UPDATE collectives_collective c SET volunteer_hours = t.hours, updated_at = now()
            FROM (SELECT collective_id, SUM(volunteer_hours) AS hours FROM activities_activityreport GROUP BY collective_id) t
            WHERE t.collective_id = c.id
            """
        )
        cursor.execute("ANALYZE activities_activityreport; ANALYZE activities_reportphoto")
    print(f"  {reports:,} activity reports with two photos each (one public post in {REPORTING_EVERY}): {time.perf_counter() - started:.1f} s")


# The server --------------------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn civpost.wsgi on a free port, with the production settings: sync workers by default (on 2 cores,
    threads only contend for the GIL: 4 workers × 4 threads answered fewer requests per second than 2 sync workers)."""

    def __init__(self, args, cache_url=None, app="civpost.wsgi"):
        self.port = free_port()
        self.log = open(ROOT / "bench" / f".gunicorn-{self.port}.log", "w")  # noqa: SIM115
        command = [
            str(ROOT / ".venv" / "bin" / "gunicorn"), app, "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(args.workers), "--threads", str(args.threads), "--worker-class", "gthread" if args.threads > 1 else "sync",
            "--backlog", "256", "--timeout", "120",
        ]  # fmt: skip
        self.process = subprocess.Popen(command, cwd=ROOT, env=server_env(args.db_url, cache_url), stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if get(self.port, "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        sys.exit(f"gunicorn did not start: see {self.log.name}")

    def worker_pids(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


def get(port, path):
    """One request on its own connection: (status, body bytes, seconds)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.perf_counter()
    try:
        connection.request("GET", path, headers={"Accept-Language": "zh-CN"})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    return response.status, body, time.perf_counter() - started


def run(server, urls, args, requests):
    """Closed loop: `concurrency` threads, each sending its next request as soon as the last one answered."""

    def one(index):
        status, body, seconds = get(server.port, urls[index % len(urls)])
        if status != 200:
            raise RuntimeError(f"HTTP {status} for {urls[index % len(urls)]}")
        return seconds * 1000

    warm_up = args.concurrency * 4
    with ThreadPoolExecutor(args.concurrency) as pool:
        list(pool.map(one, range(warm_up)))  # warm-up: connections, caches, plans
        started = time.perf_counter()
        timings = list(pool.map(one, range(warm_up, warm_up + requests)))  # from where the warm-up stopped
        elapsed = time.perf_counter() - started
    return {
        "p50": statistics.median(timings),
        "p95": percentile(timings, 0.95),
        "p99": percentile(timings, 0.99),
        "max": max(timings),
        "rps": requests / elapsed,
        "load": os.getloadavg()[0],
    }


# Measurement -------------------------------------------------------------------------------------


def scenarios():
    from django.db.models.functions import Mod

    from apps.collectives.models import Collective

    rng = random.Random(1)
    reporting = Collective.objects.public().alias(rest=Mod("pk", REPORTING_EVERY)).filter(rest=0)
    public_ids = list(reporting.order_by("?").values_list("pk", flat=True)[:3000])
    rng.shuffle(public_ids)
    # Posts with activity reports and photos (sample_reports): 500 visited again and again (a page is cached after
    # its first view), and 2,500 others each opened once (every page rendered: the worst case, as when a crawler walks
    # the sitemap).
    public_ids, first_views = public_ids[:500], public_ids[500:]
    return [
        ("directory, no filters", ["/posts/"]),
        ("directory, no filters, pages 2–200", [f"/posts/?page={page}" for page in range(2, 201)]),
        (
            "directory with filters",
            [
                "/posts/?province=340000&city=340800&level=city",
                "/posts/?province=440000&status=named&sort=name",
                "/posts/?industry=power&year=2024",
                "/posts/?province=340000&city=340100&county=340102&status=aspiring",
                "/posts/?level=national&sort=name",
                "/posts/?status=aspiring&industry=health",
            ],
        ),
        ("directory ?q=供电 (two characters)", ["/posts/?q=" + quote("供电")]),
        ("directory ?q=税 (one character)", ["/posts/?q=" + quote("税")]),
        ("directory ?q=供电 + province + sort", ["/posts/?q=" + quote("供电") + "&province=340000&sort=name"]),
        ("post page /posts/<id>/ (500 posts)", [f"/posts/{pk}/" for pk in public_ids]),
        ("post page, each opened once", [f"/posts/{pk}/" for pk in first_views]),
    ]


def count_queries(urls):
    """Queries of the first URL of a scenario, in process: with the count cache cold, then warm."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    cache.clear()
    result = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(urls[0])
            assert response.status_code == 200, (urls[0], response.status_code)
        result.append(list(captured.captured_queries))
    return result


def explain(sql, title):
    from django.db import connection

    print(f"\n--- EXPLAIN (ANALYZE, BUFFERS): {title}")
    print("    " + sql[:400] + (" …" if len(sql) > 400 else ""))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        for (line,) in cursor.fetchall():
            print("    " + line)


def export(server):
    """The national CSV export through gunicorn: time, size, and the workers' peak memory before and after."""

    def peak_kib():
        peaks = []
        for pid in server.worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]))
        return max(peaks)

    before = peak_kib()
    status, body, seconds = get(server.port, "/open-data/posts.csv")
    assert status == 200, status
    rows = body.count(b"/posts/")
    print(
        f"\nNational CSV export: {len(body) / 2**20:.0f} MiB, {rows:,} posts, {seconds:.1f} s; "
        f"largest worker peak RSS {before / 1024:.0f} MiB before, {peak_kib() / 1024:.0f} MiB after"
    )


def main():
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop gunicorn (the finally blocks) when stopped
    # This process also counts the queries of each page with the test client (testserver).
    open_database(args.db_url, args.keep, lambda: generate(args), allowed_hosts="127.0.0.1,testserver")

    sample_reports()
    from django.db import connection
    from django.db.models import Q

    from apps.collectives.models import Collective
    from apps.evaluations.models import Honor

    with connection.cursor() as cursor:
        cursor.execute("SELECT version(), current_setting('shared_buffers'), current_setting('work_mem'), current_setting('jit')")
        version, shared_buffers, work_mem, jit = cursor.fetchone()
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('collectives_collective')), pg_size_pretty(pg_relation_size('directory_grams_idx'))")
        table_size, grams_size = cursor.fetchone()
    public = Collective.objects.public()
    print(f"\n{version.split(' on ')[0]} · shared_buffers {shared_buffers} · work_mem {work_mem} · jit {jit}")
    print(f"collectives table with indexes {table_size}, of which directory_grams_idx {grams_size}")
    print(
        f"Public posts {public.count():,} (named {public.exclude(honor_level='').count():,}); "
        f"valid honours {Honor.objects.valid().count():,}; "
        f"matching 供电 {public.filter(Q(name__contains='供电') | Q(workplace_unit__contains='供电')).count():,}"
    )

    tests = [(label, urls) for label, urls in scenarios() if not args.only or args.only in label]
    queries = {label: count_queries(urls) for label, urls in tests}
    runs = [("", args.cache_url or None)] + ([(" (no cache)", "dummycache://")] if args.no_cache_run else [])
    results = []
    load = os.getloadavg()[0]
    print(f"\nLoad average before measuring: {load:.2f} (on {os.cpu_count()} cores)")
    for suffix, cache_url in runs:
        if cache_url and cache_url.startswith("redis://"):
            import redis

            redis.Redis.from_url(cache_url).flushdb()  # start from an empty shared cache, as the local-memory ones do
        server = Server(args, cache_url)
        try:
            print(
                f"gunicorn {args.workers} workers × {args.threads} threads ({'gthread' if args.threads > 1 else 'sync'}) on port {server.port}{suffix}, "
                f"cache {cache_url or 'local memory per worker'}; "
                f"{args.concurrency} concurrent connections, {args.requests} timed requests per scenario"
            )
            for label, urls in tests:
                result = run(server, urls, args, args.requests // 4 if suffix else args.requests)
                results.append((label + suffix, result, queries[label]))
                print(
                    f"  {label + suffix:<48} p50 {result['p50']:6.1f} ms  p95 {result['p95']:6.1f} ms  {result['rps']:5.0f} req/s"
                    f"  (load {result['load']:.1f})",
                    flush=True,
                )
            if not suffix and not args.no_export:
                export(server)
        finally:
            server.stop()

    print(f"\n{'scenario':<48} {'SQL cold/warm':>13} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7} {'req/s':>6}")
    for label, r, (cold, warm) in results:
        print(f"{label:<48} {len(cold):>6}/{len(warm):<6} {r['p50']:>7.1f} {r['p95']:>7.1f} {r['p99']:>7.1f} {r['max']:>7.1f} {r['rps']:>6.0f}")
    print("(SQL cold/warm: queries per request with the count not yet cached / cached, counted in process)")
    worst = max((r for r in results if "(no cache)" not in r[0]), key=lambda r: r[1]["p95"])
    print(f"Worst p95: {worst[1]['p95']:.1f} ms ({worst[0]}) — {'within' if worst[1]['p95'] <= args.budget_ms else 'OVER'} the {args.budget_ms:.0f} ms budget.")

    if args.no_explain:
        return
    for label, urls in tests:
        cold, _warm = queries[label]
        for query in cold:  # the count(s), the page (ids, then rows), the post page's own queries
            if "collectives_collective" in query["sql"]:
                explain(query["sql"], f"{label}: {urls[0]} ({float(query['time']) * 1000:.1f} ms in process)")


if __name__ == "__main__":
    main()
