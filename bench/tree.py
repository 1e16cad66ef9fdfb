#!/usr/bin/env python
"""Benchmark of loading the national committee tree (every GB/T 2260 division, apps/organizations/tree.py).

    .venv/bin/python bench/tree.py
    .venv/bin/python bench/tree.py --db-url sqlite:////tmp/civpost_bench_tree.sqlite3

(Re)creates the database `civpost_bench_tree` on the local PostgreSQL (or the SQLite file given), migrates it, then
times `load_tree()`: the fresh load, re-runs that change nothing, and a re-run that renames a few divisions and adds
one; then the registration form's region cascade and registering committees through Django's test client. See
bench/README.md.
"""

import argparse
import csv
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from benchdb import recreate_database, setup_django  # noqa: E402
from figures import percentile  # noqa: E402

DEFAULT_DB_URL = "postgres://postgres@127.0.0.1:5432/civpost_bench_tree"
RENAMED = {"340803": "大观新区", "110101": "东城新区", "441900": "东莞新市", "429004": "仙桃新市", "152500": "锡林郭勒新盟"}
ADDED = [("340899", "安庆新区")]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db-url", default=DEFAULT_DB_URL, help=f"the benchmark database (default {DEFAULT_DB_URL}); its name must contain 'bench'")
    parser.add_argument("--reruns", type=int, default=5, help="timed re-runs that change nothing (default 5)")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per form page (default 30)")
    return parser.parse_args()


def fresh_database(db_url):
    if db_url.startswith("sqlite:"):
        path = Path(db_url.removeprefix("sqlite:///"))
        if "bench" not in path.name:
            sys.exit(f"Refusing to remove {path}: the benchmark only (re)creates databases named *bench*.")
        path.unlink(missing_ok=True)
    else:
        recreate_database(db_url)


def timed(label, function):
    started = time.perf_counter()
    result = function()
    elapsed = time.perf_counter() - started
    print(f"  {label}: {elapsed:.2f} s{f'  ({result})' if result is not None else ''}")
    return elapsed


def changed_divisions_file(directory):
    """The shipped divisions with RENAMED renamed and ADDED added, as next year's list might have them."""
    from apps.organizations.tree import REGIONS_FILE

    with REGIONS_FILE.open(encoding="utf-8", newline="") as handle:
        rows = [(row["code"], RENAMED.get(row["code"], row["name"])) for row in csv.DictReader(handle)]
    path = Path(directory) / "regions.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "name"])
        writer.writerows(sorted(rows + ADDED))
    return path


def measure_loads(args):
    from django.core.management import call_command

    from apps.organizations.tree import load_tree

    call_command("migrate", verbosity=0, interactive=False)
    print("Loading the tree:")
    timed("fresh load", load_tree)
    reruns = [timed(f"re-run {n + 1}, nothing to change", load_tree) for n in range(args.reruns)]
    print(f"  re-runs: median {statistics.median(reruns):.2f} s, max {max(reruns):.2f} s")
    with tempfile.TemporaryDirectory() as directory:
        changed = changed_divisions_file(directory)
        timed(f"re-run with {len(RENAMED)} divisions renamed and {len(ADDED)} added", lambda: load_tree(changed))
    timed("back to the shipped list", load_tree)


def measure_form(args):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from apps.accounts.models import User

    leader = User.objects.create(username="bench_tree_leader", real_name="号长", email="leader@bench.invalid")
    client = Client()
    client.force_login(leader)
    url = reverse("collectives:create")
    print(f"The registration form ({args.requests} requests each, after 3 to warm up):")
    cases = {
        "empty form (GET)": {},
        "江苏省 chosen": {"province": "320000"},
        "江苏省 → 南京市 → 玄武区 chosen": {"province": "320000", "city": "320100", "county": "320102"},
        "广东省 → 东莞市 chosen": {"province": "440000", "city": "441900"},
    }
    for label, regions in cases.items():
        def request(regions=regions):
            if not regions:
                return client.get(url)
            return client.post(url, {"action": "refresh", "members-TOTAL_FORMS": "1", "members-INITIAL_FORMS": "0", **regions})

        for _ in range(3):
            response = request()
            assert response.status_code == 200 and b'name="province"' in response.content, response
        with CaptureQueriesContext(connection) as captured:
            request()
        queries = list(captured.captured_queries)  # now: every later request resets connection.queries
        times = []
        for _ in range(args.requests):
            started = time.perf_counter()
            request()
            times.append((time.perf_counter() - started) * 1000)
        print(
            f"  {label}: p50 {percentile(times, 0.5):.1f} ms, p95 {percentile(times, 0.95):.1f} ms, "
            f"max {max(times):.1f} ms, {len(queries)} queries"
        )


def main():
    args = parse_args()
    fresh_database(args.db_url)
    setup_django(args.db_url)
    measure_loads(args)
    measure_form(args)


if __name__ == "__main__":
    main()
