#!/usr/bin/env python
"""Benchmark of the staff import on PostgreSQL (issue 12's quality bar: 10,000 collectives with their 号长 and
60,000 members in at most 30 s, dry run included).

    .venv/bin/python bench/imports.py

(Re)creates the database `civpost_bench_imports`, writes the workbooks a provincial committee would upload
(collectives with a new 号长 each; members in two files, as one file holds at most 50,000 rows), then times the
dry run and the import of each through apps/imports/services.run — what the workbench's background worker and
`manage.py import_collectives` run — and a re-import of the same files (nothing changes). See bench/README.md.
"""

import argparse
import io
import json
import os
import random
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from benchdb import open_database  # noqa: E402

DEFAULT_DB_URL = "postgres://postgres@127.0.0.1:5432/civpost_bench_imports"
MEMBERS_PER_COLLECTIVE = 6
MEMBERS_PER_FILE = 30_000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--collectives", type=int, default=10_000, help="rows of the collectives file (default 10,000)")
    parser.add_argument("--budget-s", type=float, default=30, help="the bar for dry runs and imports together (default 30 s)")
    parser.add_argument("--db-url", default=DEFAULT_DB_URL, help=f"the benchmark database (default {DEFAULT_DB_URL})")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--profile", metavar="FILE", help="cProfile the first import's steps into FILE and print where the time goes")
    return parser.parse_args()


def prepare():
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_committee_tree", verbosity=0)


def workbook(headers, rows):
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("导入数据")
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def files(count, seed):
    """The collectives file and the member files: every collective in one of Anhui's counties, registered with the
    county committee (the importer, the province, does not register collectives itself)."""
    from apps.imports import registry
    from apps.organizations.models import Node

    rng = random.Random(seed)
    counties = list(Node.objects.filter(kind="league", level="county", region__code__startswith="34").values_list("region_id", flat=True))
    industries = ["电力", "税务", "公安", "卫生健康", "交通运输", "金融", "邮政"]
    collective_headers = [c.column_name for c in registry.get("collectives").columns()]
    member_headers = [c.column_name for c in registry.get("members").columns()]
    collectives, members = [], []
    for n in range(1, count + 1):
        county = counties[n % len(counties)]
        number = f"{county}-2024-{n:05d}"
        leader_phone = f"15{n:09d}"
        values = {
            "集体名称": f"青年班组{n}", "所在单位": f"安徽单位{n // 10}", "所在地区": county, "地址": f"安徽省某路{n}号",
            "行业": rng.choice(industries), "状态": "争创集体", "备案编号": number, "备案日期": date(2024, 5, 1),
            "是否建有团支部": "是", "服务承诺": "微笑服务，文明用语\n首问负责，一次告知", "监督电话": "0551-5551234",
            "号长姓名": f"号长{n}", "号长手机": leader_phone,
        }
        collectives.append([values.get(h) for h in collective_headers])
        for m in range(MEMBERS_PER_COLLECTIVE):
            member = {
                "备案编号": number, "姓名": f"成员{n}-{m}", "出生日期": date(1985 + rng.randrange(20), 1 + m, 1 + rng.randrange(28)),
                "岗位": "客户经理", "是否号长": "是" if m == 0 else "否", "手机": leader_phone if m == 0 else None,
            }
            members.append([member.get(h) for h in member_headers])
    member_files = [
        workbook(member_headers, members[start:start + MEMBERS_PER_FILE]) for start in range(0, len(members), MEMBERS_PER_FILE)
    ]
    return workbook(collective_headers, collectives), member_files, len(members)


def timed(kind_slug, content, node, actor, dry_run, checked=None):
    """One step as the workbench runs it: the dry run reads the file and keeps the rows it read with the values it
    cleaned (as JSON, on the job), the import takes them. Returns the time, the outcome and what the dry run kept."""
    from django.core.serializers.json import DjangoJSONEncoder

    from apps.imports import registry, services
    from apps.imports.resources import ImportContext
    from apps.imports.workbook import Table

    kind = registry.get(kind_slug)
    context = ImportContext(node=node, actor=actor, label="bench.xlsx")
    started = time.perf_counter()
    table = Table.from_json(json.loads(checked), kind.columns()) if checked else None
    outcome = services.run(kind, io.BytesIO(content), context, dry_run=dry_run, table=table)
    kept = json.dumps(outcome.table.as_json(), cls=DjangoJSONEncoder) if dry_run else None
    elapsed = time.perf_counter() - started
    assert not outcome.failure and not outcome.refused_rows, (outcome.failure, outcome.errors[:5])
    return elapsed, outcome, kept


def cpu_calibration():
    """Microseconds for sum(range(1000)), best of five: about 8-10 on an idle core of a current machine. On a shared
    machine the import figures scale with it."""
    import timeit

    return min(timeit.repeat("sum(range(1000))", number=2000, repeat=5)) / 2000 * 1e6


def main():
    args = parse_args()
    print(f"CPU calibration before: sum(range(1000)) {cpu_calibration():.1f} µs; load average {os.getloadavg()[0]:.1f}")
    open_database(args.db_url, keep=False, generate=prepare)
    from django.db import connection

    from apps.accounts.models import User
    from apps.collectives.models import Collective, Member
    from apps.organizations.models import Membership, Node

    province = Node.objects.get(region_id="340000", kind="league")
    admin = User.objects.create(username="bench_ah_admin", real_name="安徽管理员", phone="13999999999")
    Membership.objects.create(user=admin, node=province, role="admin")

    started = time.perf_counter()
    collectives_file, member_files, member_count = files(args.collectives, args.seed)
    print(f"Files: {args.collectives:,} collectives ({len(collectives_file) / 1e6:.1f} MB), {member_count:,} members in "
          f"{len(member_files)} files ({sum(len(f) for f in member_files) / 1e6:.1f} MB), written in {time.perf_counter() - started:.1f} s")

    steps = [("collectives", collectives_file)] + [("members", f) for f in member_files]
    rows = []
    total = cpu_total = 0.0
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    for rerun in (False, True):
        for kind_slug, content in steps:
            checked = None
            for dry_run in (True, False):
                if profiler and not rerun:
                    profiler.enable()
                cpu_started = time.process_time()
                elapsed, outcome, kept = timed(kind_slug, content, province, admin, dry_run, checked=checked)
                cpu = time.process_time() - cpu_started
                if profiler:
                    profiler.disable()
                checked = kept
                if not rerun:
                    total += elapsed
                    cpu_total += cpu
                label = f"{'re-import' if rerun else 'first import'} · {kind_slug} · {'dry run' if dry_run else 'import'}"
                rows.append((label, outcome.rows, outcome.new, outcome.updated, outcome.unchanged, elapsed))
    print()
    print("| step | rows | new | updated | unchanged | s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for label, count, new, updated, unchanged, elapsed in rows:
        print(f"| {label} | {count:,} | {new:,} | {updated:,} | {unchanged:,} | {elapsed:.1f} |")
    print()
    print(f"In the database: {Collective.objects.count():,} collectives, {Member.objects.count():,} members, "
          f"{User.objects.count() - 1:,} accounts; PostgreSQL {connection.pg_version // 10000}")
    print(f"CPU calibration after: sum(range(1000)) {cpu_calibration():.1f} µs; load average {os.getloadavg()[0]:.1f}")
    print(f"CPU time of the benchmark's own process (Django, not PostgreSQL) in the first import: {cpu_total:.1f} s")
    if profiler:
        import pstats

        profiler.dump_stats(args.profile)
        stats = pstats.Stats(args.profile)
        print(f"\nProfile of the first import (saved in {args.profile}; the profiler slows it down):")
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats(40)
    verdict = "within" if total <= args.budget_s else "OVER"
    print(f"First import, dry runs and imports of every file: {total:.1f} s — {verdict} the {args.budget_s:.0f} s bar")
    return 0 if total <= args.budget_s else 1


if __name__ == "__main__":
    sys.exit(main())
