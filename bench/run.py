#!/usr/bin/env python
"""`make bench`: the portal under gunicorn with the production settings, on a database seeded by seed_scale, each key
page measured under 16 concurrent connections taking turns with the framework floor every 2 s, the national registration
export (queued, written by a task worker beside gunicorn, downloaded), then the deadline peak (bench/peak.py). Writes bench/results.md.

    .venv/bin/python bench/run.py                 # what `make bench` runs
    .venv/bin/python bench/run.py --quick         # 2 s per page, a 15 s peak: a smoke run
    .venv/bin/python bench/run.py --only queue    # only the pages whose label contains "queue"
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
from benchdb import database_exists, on_server, production_env  # noqa: E402
from client import Browser, Server, Urls, closed_loop  # noqa: E402
from figures import PageResult, render_results  # noqa: E402
from pages import NATIONAL, count_queries, key_pages  # noqa: E402

from apps.benchmarks.accounts import PASSWORD  # noqa: E402

DEFAULT_DB_URL = "postgres://postgres@127.0.0.1:5432/civpost_bench"
# The bench's own Redis database: emptied before the queries are counted and before the pages are served, so that
# "not yet cached" means it.
DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/14"
EXPORT_URL = "/workbench/registrations/export.xlsx?status=registered"
EXPORT_TIMEOUT = 900  # seconds the export job may take before the bench gives up on it
# The served portal's uploads, and the export's file (written by the task worker, served by gunicorn, then deleted).
MEDIA_ROOT = ROOT / "bench" / ".media"
SLICE = 2  # seconds of a page between two half slices of its floor (alternated)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB_URL), help=f"the seeded database (default $BENCH_DATABASE_URL or {DEFAULT_DB_URL}); its name must contain 'bench'")
    parser.add_argument("--cache-url", default=os.environ.get("BENCH_CACHE_URL", DEFAULT_CACHE_URL), help=f"the served portal's cache, emptied by the bench (default {DEFAULT_CACHE_URL})")
    parser.add_argument("--scale", default="1", help="seed_scale --scale when the database has to be seeded (default 1: national size)")
    parser.add_argument("--seconds", type=float, default=12, help="seconds of load per page, and as many on its floor (default 12)")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent keep-alive connections (default 16)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: deploy/gunicorn.conf.py's, 2 per core + 1)")
    parser.add_argument("--only", help="measure only what contains this text: part of a page's label, \"export\" or \"deadline peak\"")
    parser.add_argument("--quick", action="store_true", help="2 s per page and a 15 s peak: a smoke run")
    parser.add_argument("--no-export", action="store_true", help="skip the export")
    parser.add_argument("--no-peak", action="store_true", help="skip the deadline peak")
    parser.add_argument("--peak-seconds", type=float, default=60, help="length of the deadline peak (default 60)")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results.md"), help="where to write the results (default bench/results.md)")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.peak_seconds = 2, 15
    if "bench" not in args.db_url.rsplit("/", 1)[-1]:
        parser.error("the benchmark only runs on a database whose name contains 'bench'")
    return args


def selected(args, label):
    """Whether --only (if given) selects this page, "export" or "deadline peak"."""
    return not args.only or args.only in label


def served_env(args):
    """The environment of the portal measured: the production settings (apart from TLS) with the production cache and
    sessions (deploy/civpost.env.example), and the floors' URLs."""
    return {
        **production_env(args.db_url, allowed_hosts="127.0.0.1,testserver"),
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "CACHE_URL": args.cache_url,
        "SESSION_ENGINE": "django.contrib.sessions.backends.cached_db",
        "MEDIA_ROOT": str(MEDIA_ROOT),
    }


def ensure_seeded(args):
    """Migrate the database; seed it with seed_scale when it has no bench accounts yet (seed_scale refuses a database
    that already holds other data)."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    if not get_user_model().objects.filter(username=NATIONAL).exists():
        print(f"Seeding {args.db_url} with seed_scale --scale {args.scale}", flush=True)
        call_command("seed_scale", "--scale", str(args.scale))


def setup_django(args):
    os.environ.update(served_env(args))
    import warnings

    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)  # no collectstatic output
    import django

    django.setup()


def data_sizes():
    from django.db import connection

    tables = {
        "committees": "organizations_node", "collectives": "collectives_collective", "members": "collectives_member",
        "activity reports": "activities_activityreport", "applications": "evaluations_application", "accounts": "accounts_user",
    }  # fmt: skip
    with connection.cursor() as cursor:
        counts = []
        for label, table in tables.items():
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
            row = cursor.fetchone()
            counts.append(f"{label} ≈{max(row[0], 0) if row else 0:,}")
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        counts.append(f"database {cursor.fetchone()[0]}")
    return ", ".join(counts)


def flush_cache():
    from django.core.cache import cache

    cache.clear()


def sessions(server, users):
    """One signed-in browser per user (over HTTP: the sign-in form, as a person signs in)."""
    browsers = {None: Browser(server.port)}
    for username in users:
        browser = Browser(server.port)
        browser.login(username, PASSWORD)
        browsers[username] = browser
    return browsers


def slice_count(seconds):
    return max(1, round(seconds / SLICE))


def alternated(browsers, urls, floor, seconds):
    """(page, floor): `seconds` of each, in slices of SLICE seconds of the page, each between two half slices of the
    floor. The machine is shared and its speed drifts from one second to the next (the floor alone measured 1,268,
    673, 1,182 and 648 requests per second in four 6-second stretches in a row, 4 December): page and floor must
    take turns often for the share to cancel it."""
    slices = slice_count(seconds)
    page_block = floor_block = None
    for _ in range(slices):
        for target, length in ((floor, seconds / slices / 2), (urls, seconds / slices), (floor, seconds / slices / 2)):
            block = closed_loop(browsers, target, length)
            if target is urls:
                page_block = block if page_block is None else page_block.merged(block)
            else:
                floor_block = block if floor_block is None else floor_block.merged(block)
    return page_block, floor_block


def measure(args, server, pages, queries):
    from floor_urls import PUBLIC_FLOOR_URL, STAFF_FLOOR_URL

    signed_in = sessions(server, {page.user for page in pages if page.user})
    results = []
    for page in pages:
        session = signed_in[page.user]
        browsers = [session.clone() for _ in range(args.concurrency)]
        floor = Urls([STAFF_FLOOR_URL if page.user else PUBLIC_FLOOR_URL])
        urls = Urls(page.urls)
        closed_loop(browsers, floor, min(1, args.seconds / 2))  # warm-up: connections, templates, the floor's caches
        measured, floor_measured = alternated(browsers, urls, floor, args.seconds)
        label = page.label + (" (URLs ran out: some cached)" if page.once and urls.wrapped else "")
        result = PageResult(label, page.urls[0], measured, floor_measured, queries[page.label], "staff" if page.user else "public")
        results.append(result)
        print(
            f"  {label:<52} {measured.throughput:6.1f} req/s  {result.share * 100:4.0f} % of floor  "
            f"p95 {measured.p(0.95):6.0f} ms  queries {result.queries[0]}/{result.queries[1]}  errors {measured.errors} {measured.failures or ''}",
            flush=True,
        )
    return results


def export(server, env):
    """The registration queue's export of every registered collective, as the national admin, as production runs
    it: the request queues a job (more than EXPORT_SYNC_LIMIT rows), a task worker (`manage.py db_worker`, started
    here beside gunicorn) writes the file, the requester downloads it. Times the request, the job (from the request
    to the file ready, as the staffer waits for it) and the download; the file's size and rows; the worker's memory."""
    from apps.collectives.models import Collective
    from apps.exports.models import ExportJob, ExportStatus

    browser = Browser(server.port)
    browser.login(NATIONAL, PASSWORD)
    log = open(ROOT / "bench" / f".db_worker-{server.port}.log", "w")  # noqa: SIM115
    worker = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"],
        cwd=ROOT, env={**os.environ, **env, "PYTHONPATH": str(ROOT / "bench")}, stdout=log, stderr=log,
    )  # fmt: skip
    try:
        started = time.perf_counter()
        status, _body, headers = browser.get(EXPORT_URL)
        enqueue_seconds = time.perf_counter() - started
        location = headers.get("location", "")
        if status != 302 or "/workbench/exports/" not in location:
            print(f"  export: HTTP {status} {location}: no job", flush=True)
            return {"label": f"`{EXPORT_URL}` as the national admin", "status": status, "job": "none"}
        job = ExportJob.objects.get(pk=int(location.rstrip("/").rsplit("/", 1)[-1]))
        while job.is_pending and time.perf_counter() - started < EXPORT_TIMEOUT and worker.poll() is None:
            time.sleep(0.2)
            job.refresh_from_db()
        job_seconds = time.perf_counter() - started
        # The worker's CPU seconds say what the job costs whatever the machine's load; 0: it died (see its log).
        worker_mib, worker_cpu = (peak_mib(worker.pid), cpu_seconds(worker.pid)) if worker.poll() is None else (0, 0)
        page_status = browser.get(location)[0]
        downloaded = time.perf_counter()
        download_status, body, _headers = browser.get(f"{location}download/") if job.status == ExportStatus.READY else (0, b"", {})
        download_seconds = time.perf_counter() - downloaded
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
        log.close()
    if job.status == ExportStatus.READY:
        Path(log.name).unlink()
    print(
        f"  export: HTTP {status} in {enqueue_seconds:.2f} s; job {job.status} after {job_seconds:.1f} s, {job.rows_done:,} rows; "
        f"page HTTP {page_status}; download HTTP {download_status}, {len(body) / 2**20:.1f} MiB in {download_seconds:.1f} s",
        flush=True,
    )
    if job.status == ExportStatus.READY:
        job.file.delete(save=False)  # the bench's media directory is removed anyway; the file is tens of MiB
    else:
        print(f"  export job error: {job.error or 'timed out'} (worker log {log.name})", flush=True)
    return {
        "label": f"`{EXPORT_URL}` as the national admin", "status": status, "enqueue_seconds": enqueue_seconds,
        "job": job.get_status_display(), "job_seconds": job_seconds, "rows": job.rows_done,
        "expected_rows": Collective.objects.filter(status="registered").count(), "page_status": page_status,
        "download_status": download_status, "mib": len(body) / 2**20, "download_seconds": download_seconds,
        "worker_mib": worker_mib, "worker_cpu": worker_cpu,
    }  # fmt: skip


def cpu_seconds(pid):
    """The user and system CPU time a process has used (/proc/<pid>/stat, fields 14 and 15, in clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_mib(pid):
    """The peak resident memory (VmHWM) of a process."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0


def run_info(args, load_before, seconds):
    revision = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    load_after = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    return {
        "command": " ".join(["bench/run.py", *sys.argv[1:]]),
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "revision": revision + (" (with uncommitted changes)" if dirty else ""),
        "cpus": os.cpu_count(), "load_before": load_before, "load_after": load_after + " (1 / 5 / 15 min)",
        "server": f"gunicorn -c deploy/gunicorn.conf.py ({args.workers or 'its'} workers), DEBUG=false, cache {args.cache_url}, sessions cached_db",
        "concurrency": args.concurrency, "seconds": args.seconds, "slice": args.seconds / slice_count(args.seconds), "data": f"{args.db_url.rsplit('/', 1)[-1]}: {data_sizes()}",
        "duration": seconds,
    }  # fmt: skip


def main(argv=None):
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop gunicorn (the finally blocks) when stopped
    started = time.perf_counter()
    if not database_exists(args.db_url):
        on_server(args.db_url, 'CREATE DATABASE "{name}"')
    setup_django(args)
    ensure_seeded(args)
    load_before = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    pages = [page for page in key_pages() if selected(args, page.label)]
    print(f"Counting the queries of {len(pages)} pages in process", flush=True)
    queries = {page.label: count_queries(page) for page in pages}
    flush_cache()
    server = Server(served_env(args), args.workers)
    try:
        print(f"gunicorn on port {server.port}; {args.concurrency} connections, {args.seconds:g} s per page and as much floor", flush=True)
        results = measure(args, server, pages, queries)
        export_result = None if args.no_export or not selected(args, "export") else export(server, served_env(args))
    finally:
        server.stop()
    peak_result = None
    if not args.no_peak and selected(args, "deadline peak"):
        from peak import run_peak

        peak_result = run_peak(args, served_env)
    info = run_info(args, load_before, time.perf_counter() - started)
    Path(args.output).write_text(render_results(info, results, export_result, peak_result))
    print(f"Wrote {args.output} in {time.perf_counter() - started:.0f} s")
    if peak_result and not peak_result["ok"]:
        sys.exit(f"Deadline peak: {peak_result['verdict']}")


if __name__ == "__main__":
    main()
