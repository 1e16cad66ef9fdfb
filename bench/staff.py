#!/usr/bin/env python
"""Benchmark of the staff list at /workbench/staff/ for the national admin on PostgreSQL.

    .venv/bin/python bench/staff.py [--memberships 40000] [--keep]

(Re)creates `civpost_bench_staff`, loads the committee tree, creates `--memberships` roles for as many accounts
(every tenth person holds a second role, one in twenty has ended), then times the list as the national admin
(everything, a name search, a phone search, a city's subtree, a deep page) through Django's test client in process,
with the number of queries of each page. See bench/README.md.
"""

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from benchdb import open_database, percentile, vacuum_analyze  # noqa: E402

DEFAULT_DB_URL = "postgres://postgres@127.0.0.1:5432/civpost_bench_staff"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--memberships", type=int, default=40_000, help="staff roles (default 40,000)")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page (default 20)")
    parser.add_argument("--keep", action="store_true", help="reuse the populated database")
    parser.add_argument("--db-url", default=DEFAULT_DB_URL, help=f"the benchmark database (default {DEFAULT_DB_URL})")
    return parser.parse_args()


def generate(count):
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.organizations.enums import Role
    from apps.organizations.models import Membership, Node

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_committee_tree", verbosity=0)
    nodes = list(Node.objects.order_by("path"))
    roles = [Role.VIEWER, Role.REVIEWER, Role.REVIEWER, Role.EXPERT, Role.ADMIN]
    password = make_password("bench-only")
    with transaction.atomic():
        national = Node.objects.get(region_id="100000", kind="league")
        admin = User.objects.create(username="bench_national_admin", real_name="全国管理员", phone="13000000000", password=password)
        Membership.objects.create(user=admin, node=national, role=Role.ADMIN)
        users = User.objects.bulk_create(
            (
                User(username=f"staff{n}", real_name=f"{SURNAMES[n % len(SURNAMES)]}工作人员{n}", phone=f"15{n:09d}", password=password)
                for n in range(count)
            ),
            batch_size=5000,
        )
        now = timezone.now()
        memberships = []
        for n, user in enumerate(users):
            memberships.append(Membership(user=user, node=nodes[n % len(nodes)], role=roles[n % len(roles)], granted_by=admin))
            if n % 10 == 0:
                memberships.append(Membership(user=user, node=nodes[(n + 7) % len(nodes)], role=Role.VIEWER, granted_by=admin))
            if n % 20 == 0:
                memberships[-1].ended_at, memberships[-1].ended_by, memberships[-1].end_reason = now, admin, "换届"
        Membership.objects.bulk_create(memberships, batch_size=5000)
    print(f"  {len(memberships)} memberships of {count} accounts over {len(nodes)} committees")
    vacuum_analyze(started)


def measure(requests):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from apps.accounts.models import User
    from apps.organizations.models import Node

    client = Client()
    client.force_login(User.objects.get(username="bench_national_admin"))
    url = reverse("organizations:staff_list")
    anqing = Node.objects.get(region_id="340800", kind="league")
    pages = {
        "all current roles": {},
        "search a name (王)": {"q": "王"},
        "search a phone (…000123)": {"q": "000123"},
        "a city's subtree (安庆)": {"node": anqing.pk},
        "page 400": {"page": 400},
        "ended roles": {"status": "ended"},
    }
    print(f"{'page':32} {'rows':>7} {'queries':>7} {'median ms':>10} {'p95 ms':>8}")
    for label, params in pages.items():
        for _warmup in range(2):
            client.get(url, params)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
        assert response.status_code == 200, response.status_code
        query_count = len(queries)  # now: later requests reset connection.queries
        timings = []
        for _request in range(requests):
            started = time.perf_counter()
            client.get(url, params)
            timings.append((time.perf_counter() - started) * 1000)
        rows = int(re.search(r"(\d+) 个角色", response.content.decode()).group(1))
        print(f"{label:32} {rows:>7} {query_count:>7} {statistics.median(timings):>10.1f} {percentile(timings, 0.95):>8.1f}")


def main():
    args = parse_args()
    open_database(args.db_url, args.keep, lambda: generate(args.memberships))
    measure(args.requests)


if __name__ == "__main__":
    main()
