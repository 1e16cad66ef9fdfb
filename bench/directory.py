#!/usr/bin/env python
"""Benchmark of the public directory and the post page at national size on PostgreSQL (issue 7's quality bar:
p95 ≤ 150 ms under 16 concurrent connections, a constant number of queries per page).

    .venv/bin/python bench/directory.py

(Re)creates the database `civpost_bench_dir` on the local PostgreSQL, fills it with `manage.py seed_scale` (500,000
collectives, titles at every level, reports with photos), starts `gunicorn civpost.wsgi` on a free port with the production settings
(DEBUG=false) and times the pages from 16 client threads, each with its own connection. See bench/README.md.
"""

import argparse
import http.client
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from benchdb import open_database, percentile, production_env  # noqa: E402

DEFAULT_DB_URL = "postgres://postgres@127.0.0.1:5432/civpost_bench_dir"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="seed_scale's share of the national size (default 1)")
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
    parser.add_argument("--seed", type=int, default=2026, help="seed_scale's seed (default 2026)")
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
    """The national data of `manage.py seed_scale` (apps/benchmarks/seeding.py), at --scale."""
    from django.core.management import call_command

    call_command("seed_scale", scale=args.scale, seed=args.seed)


# The post-page scenarios open one public post in REPORTING_EVERY (each has its activity reports, some with photos).
REPORTING_EVERY = 50


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
    # Posts with activity reports and photos: 500 visited again and again (a page is cached after
    # its first view), and 2,500 others each opened once (every page rendered: the worst case, as when a crawler walks
    # the sitemap).
    public_ids, first_views = public_ids[:500], public_ids[500:]
    listed = [
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
    return [(label, urls) for label, urls in listed if urls]  # a small --scale may leave no post to open once


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
