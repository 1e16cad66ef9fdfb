#!/usr/bin/env python
"""Benchmark of the streaming Excel exports on PostgreSQL (issue 12: a 100,000-row export with flat worker memory).

    .venv/bin/python bench/exports.py                  # generate 100,000 collectives, then measure
    .venv/bin/python bench/exports.py --keep           # measure again on the same data

(Re)creates the database `civpost_exports_bench` on the local PostgreSQL, fills it with `--rows` registered
collectives in Anhui's counties (8 members each), serves the portal with gunicorn (one sync worker), and downloads the
registration queue's export (`/workbench/registrations/export.xlsx?status=registered`, every row) as the admin of
共青团安徽省委: time, size, rows, and the worker's resident memory before and its peak after. See bench/README.md.
"""

import argparse
import http.client
import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from benchdb import open_database, vacuum_analyze  # noqa: E402
from directory import Server  # noqa: E402

from apps.benchmarks.sql import insert_select, run  # noqa: E402

DEFAULT_DB_URL = "postgres://postgres@127.0.0.1:5432/civpost_exports_bench"
MEMBERS_EACH = 8
EXPORT_URL = "/workbench/registrations/export.xlsx?status=registered"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="registered collectives to generate and export (default 100,000)")
    parser.add_argument("--keep", action="store_true", help="reuse an existing populated database: skip generation")
    parser.add_argument("--db-url", default=DEFAULT_DB_URL, help=f"the benchmark database (default {DEFAULT_DB_URL})")
    parser.add_argument("--runs", type=int, default=2, help="downloads of the whole export (default 2)")
    parser.add_argument("--in-memory", action="store_true", help="also build the same workbook in memory, as exports did before, for comparison")
    args = parser.parse_args()
    # What bench/directory.py's Server reads: one worker, so its memory is the export's; gthread, whose main thread
    # keeps telling gunicorn it is alive while a long export runs (a sync worker is killed after --timeout).
    args.workers, args.threads = 1, 2
    return args


def generate(args):
    print(f"Generating {args.rows:,} collectives with {MEMBERS_EACH} members each in {args.db_url}")
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction

    from apps.accounts.models import User
    from apps.collectives.models import Collective, Member
    from apps.organizations.enums import Level, NodeKind, Role
    from apps.organizations.models import Industry, Membership, Node

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_committee_tree", verbosity=0, stdout=io.StringIO())
    unusable = make_password(None)
    with transaction.atomic():
        anhui = Node.objects.get(region_id="340000", kind=NodeKind.LEAGUE_COMMITTEE)
        admin = User.objects.create(username="bench_ah_admin", real_name="省委管理员", email="ah_admin@bench.invalid", password=unusable)
        Membership.objects.create(user=admin, node=anhui, role=Role.ADMIN)
        leader = User.objects.create(username="bench_leader", real_name="号长", email="leader@bench.invalid", password=unusable)
        counties = list(Node.objects.filter(kind=NodeKind.LEAGUE_COMMITTEE, level=Level.COUNTY, path__startswith=anhui.path).values_list("pk", "region_id"))
        industries = list(Industry.objects.order_by("pk").values_list("pk", flat=True))
        run("CREATE TEMP TABLE bench_counties (idx int, node_id bigint, region_id varchar(6))")
        run(
            "INSERT INTO bench_counties VALUES " + ", ".join(["(%s, %s, %s)"] * len(counties)),
            [value for index, (pk, region) in enumerate(counties, start=1) for value in (index, pk, region)],
        )
        insert_select(
            Collective,
            {
                "name": "'青年文明号集体' || g",
                "workplace_unit": "'工作单位' || (g %% 997)",
                "industry_id": "(%(industries)s::bigint[])[1 + g %% %(industry_count)s]",
                "region_id": "t.region_id",
                "address": "'某市某路' || g || '号'",
                "registering_node_id": "t.node_id",
                "leader_account_id": "%(leader)s",
                "has_league_branch": "g %% 2 = 0",
                "service_promises": "'微笑服务，文明用语' || chr(10) || '首问负责，一次告知'",
                "supervision_phone": "'0556-65551234'",
                "pledge_accepted_at": "now()",
                "status": "'registered'",
                "registration_number": "t.region_id || '-' || (2016 + g %% 10) || '-' || lpad(g::text, 7, '0')",
                "registered_on": "DATE '2016-01-01' + (g * 37 %% 3600)::int",
                "member_count": str(MEMBERS_EACH),
                "honor_level": "CASE WHEN g %% 5 = 0 THEN 'city' ELSE '' END",
            },
            "FROM generate_series(1::bigint, %(count)s) AS g JOIN bench_counties t ON t.idx = 1 + g %% %(counties)s",
            {"count": args.rows, "counties": len(counties), "industries": industries, "industry_count": len(industries), "leader": leader.pk},
            label=f"{args.rows:,} collectives",
        )
        # Birth dates from 1970 to 2003: about half of each collective is 35 or under.
        insert_select(
            Member,
            {
                "collective_id": "c.id",
                "name": "'成员' || c.id || '-' || m",
                "birth_date": "DATE '1970-01-01' + ((c.id * 131 + m * 1543) %% 12400)::int",
                "position": "'岗位'",
                "is_leader": "m = 1",
            },
            f"FROM collectives_collective c CROSS JOIN generate_series(1, {MEMBERS_EACH}) AS m",
            label=f"{args.rows * MEMBERS_EACH:,} members",
        )
    vacuum_analyze(started)


def session_cookie():
    """A logged-in session of the Anhui admin, saved in the database the server reads."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from apps.accounts.models import User

    admin = User.objects.get(username="bench_ah_admin")
    session = SessionStore()
    session[SESSION_KEY] = str(admin.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = admin.get_session_auth_hash()
    session.save()
    return f"sessionid={session.session_key}"


def download(port, path, headers):
    """(status, body, seconds) of one GET, read to the end as a browser saves it."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    return response.status, body, time.perf_counter() - started


def memory_kib(pid):
    """(VmRSS, VmHWM) of a process: its resident memory now and its peak so far."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def in_memory_baseline(queue):
    """What the named list did before the streaming helper: every row in a tablib Dataset, exported to .xlsx by
    openpyxl's ordinary (in-memory) workbook. Run in a child process, so its peak is its own."""
    import resource

    import tablib
    from django.db import connection
    from django.utils import timezone

    from apps.collectives import exports
    from apps.collectives.models import Collective
    from civpost.exports import cell_value

    connection.close()  # the parent's connection is not the child's to use
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    columns = exports.registration_columns()
    collectives = Collective.objects.filter(status="registered").with_places().with_young_members(timezone.localdate())
    dataset = tablib.Dataset(headers=[str(c.header) for c in columns])
    for collective in collectives:
        dataset.append([cell_value(c.value(collective)) for c in columns])
    size = len(dataset.export("xlsx"))
    queue.put((time.perf_counter() - started, size, before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


def compare_in_memory():
    import multiprocessing

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=in_memory_baseline, args=(queue,))
    child.start()
    child.join()
    if child.exitcode:
        sys.exit("The in-memory baseline failed (its traceback is above).")
    seconds, size, before, peak = queue.get()
    print(
        f"In memory (tablib + openpyxl, as before): {size / 2**20:.1f} MiB in {seconds:.1f} s; "
        f"process peak RSS {before / 1024:.0f} MiB before, {peak / 1024:.0f} MiB after"
    )


def main():
    args = parse_args()
    open_database(args.db_url, args.keep, lambda: generate(args), allowed_hosts="127.0.0.1,testserver")
    from apps.collectives.models import Collective

    print(f"Registered collectives: {Collective.objects.filter(status='registered').count():,}")
    headers = {"Cookie": session_cookie()}
    server = Server(args)
    try:
        (worker,) = server.worker_pids()
        # Warm-up: an export with no rows loads every module the export needs.
        status, _body, _seconds = download(server.port, EXPORT_URL + "&q=no-such-collective", headers)
        assert status == 200, status
        for attempt in range(1, args.runs + 1):
            rss_before, _peak = memory_kib(worker)
            status, body, seconds = download(server.port, EXPORT_URL, headers)
            assert status == 200, status
            rss_after, peak = memory_kib(worker)
            print(
                f"Run {attempt}: {len(body) / 2**20:.1f} MiB in {seconds:.1f} s; worker RSS {rss_before / 1024:.0f} MiB before, "
                f"{rss_after / 1024:.0f} MiB after, peak {peak / 1024:.0f} MiB"
            )
        import openpyxl

        rows = openpyxl.load_workbook(io.BytesIO(body), read_only=True).active.max_row - 1
        print(f"The workbook holds {rows:,} rows.")
    finally:
        server.stop()
    if args.in_memory:
        compare_in_memory()


if __name__ == "__main__":
    main()
