#!/usr/bin/env python
"""Benchmark of the staff workbench at national volume on PostgreSQL (issue 13: every workbench page p95 ≤ 250 ms in
process for a national, a provincial and a county user; saving a 3,000-name proposed list ≤ 2 s).

    .venv/bin/python bench/workbench.py            # generate (manage.py seed_scale), then measure
    .venv/bin/python bench/workbench.py --keep     # measure again on the same data
    .venv/bin/python bench/workbench.py --quick    # 1/50 of the volume in its own database: a smoke run

(Re)creates the database `civpost_bench_workbench` on the local PostgreSQL and fills it with `manage.py seed_scale`
(500,000 collectives, 20,000 of them waiting for their registration review, ~3,600 rounds and 196,000 applications
in every state — among them a national round in review with 8,000 applications scored by three experts each and a
named national round of 8,000 — complaints, campaigns, members and reports). Then times, in process with Django's
test client and the production settings (DEBUG off), every workbench page for a national admin, a provincial admin
(安徽) and a county reviewer (大观区), each beside the framework floor (an empty workbench page, bench/floor_urls.py)
measured in the same run. See bench/README.md.
"""

import argparse
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from benchdb import open_database  # noqa: E402
from figures import percentile  # noqa: E402

from apps.benchmarks import accounts  # noqa: E402
from apps.benchmarks.sql import scalar  # noqa: E402

DEFAULT_DB_URL = "postgres://postgres@127.0.0.1:5432/civpost_bench_workbench"
QUICK_DB_URL = "postgres://postgres@127.0.0.1:5432/civpost_bench_workbench_quick"
QUICK_SCALE = 0.02
FLOOR_URLCONF = "floor_urls"
FLOOR_URL = "/workbench/bench-floor/"
LAST_PAGE = 10**9  # Paginator.get_page answers a page past the end with the last page
# Who the pages are measured as: (username, real name, role, region code of the committee), from seed_scale's accounts.
USERS = {
    "national admin": accounts.STAFF[0],
    "provincial admin (安徽)": accounts.STAFF[1],
    "county reviewer (大观区)": accounts.STAFF[3],
}
NATIONAL_USER = "national admin"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"seed_scale --scale {QUICK_SCALE}, in {QUICK_DB_URL.rsplit('/', 1)[1]} (a smoke run)")
    parser.add_argument("--scale", type=float, default=1.0, help="seed_scale's share of the national size (default 1)")
    parser.add_argument("--seed", type=int, default=2026, help="seed_scale's seed (default 2026)")
    parser.add_argument("--proposed", type=int, default=3_000, help="names of the proposed list saved (default 3,000)")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page at most (default 20)")
    parser.add_argument("--warmup", type=int, default=2, help="warm-up requests per page, the first one counting the queries (default 2)")
    parser.add_argument("--max-seconds", type=float, default=15, help="stop timing a page after this long, once it has 3 requests (default 15)")
    parser.add_argument("--budget-ms", type=float, default=250, help="the p95 to meet (default 250 ms)")
    parser.add_argument("--keep", action="store_true", help="reuse the populated database: no generation (still migrates and analyses)")
    parser.add_argument("--db-url", help=f"the benchmark database (default {DEFAULT_DB_URL}); its name must contain 'bench'")
    parser.add_argument("--show-queries", action="store_true", help="print the three slowest queries of every page over the budget")
    parser.add_argument("--only", help="measure only the pages whose label contains this text (the floor always)")
    args = parser.parse_args()
    if args.quick:
        args.scale = QUICK_SCALE
        args.proposed = max(1, round(args.proposed * QUICK_SCALE))
    args.db_url = args.db_url or (QUICK_DB_URL if args.quick else DEFAULT_DB_URL)
    return args


# Data --------------------------------------------------------------------------------------------


def generate(args):
    """The national data of `manage.py seed_scale` (apps/benchmarks/seeding.py), at --scale."""
    from django.core.management import call_command

    call_command("seed_scale", scale=args.scale, seed=args.seed)


# Measurement -------------------------------------------------------------------------------------


@dataclass
class Scenario:
    label: str
    url: str
    data: dict | None = None  # POST data, or None for a GET

    @property
    def method(self):
        return "POST" if self.data is not None else "GET"


@dataclass
class Result:
    user: str
    scenario: Scenario
    status: int
    queries: int
    size: int
    slowest: list = field(default_factory=list)  # (ms, SQL) of the warm-up request's slowest queries
    timings: list = field(default_factory=list)

    @property
    def median(self):
        return statistics.median(self.timings)

    @property
    def p95(self):
        return percentile(self.timings, 0.95)


def find_subjects():
    """What the pages are measured on: the three users, and the national rounds in review and named that hold
    the most applications and titles, and the national campaign with the most reports."""
    from django.db.models import Count

    from apps.accounts.models import User
    from apps.activities.models import Campaign
    from apps.evaluations.enums import RoundStage
    from apps.evaluations.models import Round

    rounds = Round.objects.filter(node__depth=1)
    return {
        "users": {key: User.objects.get(username=username) for key, (username, *_rest) in USERS.items()},
        "review": rounds.filter(stage=RoundStage.REVIEW).annotate(n=Count("applications")).order_by("-n", "pk").first(),
        "named": rounds.filter(stage=RoundStage.NAMED).annotate(n=Count("honors")).order_by("-n", "pk").first(),
        "campaign": Campaign.objects.filter(node__depth=1).annotate(n=Count("reports")).order_by("-n", "pk").first(),
    }


def scenarios(user_key, subjects, proposed):
    """Every workbench list of the user, first and last page, each tab; the national round's page; for the
    national admin also its later, sorted and filtered pages, the selection's steps (one row, the top `proposed`
    within the quotas, all filtered, clear), and the named list as .xlsx."""
    from django.urls import reverse

    from apps.evaluations.enums import AppStatus

    pages = [Scenario("/workbench/ 待办 (landing)", reverse("workbench:todo"))]
    queue = reverse("collectives:staff_queue")
    for tab, value in (("submitted", "submitted"), ("returned", "returned"), ("registered", "registered"), ("all", "")):
        pages += [Scenario(f"/workbench/ {tab}", f"{queue}?status={value}"), Scenario(f"/workbench/ {tab}, last page", f"{queue}?status={value}&page={LAST_PAGE}")]
    applications = reverse("evaluations:application_queue")
    for tab in ("waiting", "review", "all"):
        pages += [
            Scenario(f"/workbench/applications/ {tab}", f"{applications}?tab={tab}"),
            Scenario(f"/workbench/applications/ {tab}, last page", f"{applications}?tab={tab}&page={LAST_PAGE}"),
        ]
    rounds = reverse("evaluations:round_list")
    pages += [Scenario("/workbench/rounds/", rounds), Scenario("/workbench/rounds/, last page", f"{rounds}?page={LAST_PAGE}")]
    review = subjects["review"]
    if review:
        pages.append(Scenario("national round page", review.get_absolute_url()))
    complaints = reverse("complaints:queue")
    pages += [
        Scenario("/workbench/complaints/", complaints),
        Scenario("/workbench/complaints/, last page", f"{complaints}?page={LAST_PAGE}"),
        Scenario("/workbench/campaigns/", reverse("activities:campaign_list")),
    ]
    # The other lists of the workbench's navigation.
    others = ["evaluations:review_list", "activities:staff_reports", "activities:rollup", "activities:summaries", "stats:workbench", "privacy:queue", "imports:list"]
    if USERS[user_key][2] == "admin":
        others += ["rechecks:list", "organizations:staff_list"]  # a committee admin's lists
    pages += [Scenario(reverse(name), reverse(name)) for name in others]
    campaign = subjects["campaign"]
    if campaign:
        # The national campaign with the most reports, as each user sees their part of it: who reported, who has not,
        # and the last page of those who have not.
        progress = reverse("activities:campaign_detail", args=[campaign.pk])
        pages += [
            Scenario("campaign progress (national campaign)", progress),
            Scenario("campaign progress, not yet reported", f"{progress}?show=missing"),
            Scenario("campaign progress, not yet reported, last page", f"{progress}?show=missing&page={LAST_PAGE}"),
        ]
    if user_key != NATIONAL_USER:
        return pages
    if review:
        # The round page as the admin works through it: a later page, sorted and filtered; then the selection's
        # steps: one row, the top N within the quotas, all filtered, clear (each rolled back after the request).
        round_page = review.get_absolute_url()
        pages += [
            Scenario("national round page, page 40 by committee", f"{round_page}?sort=committee&page=40"),
            Scenario("national round page, not proposed, by spread", f"{round_page}?proposed=no&sort=-spread"),
            Scenario("national round page, name search", f"{round_page}?q=1"),
        ]
        first = review.applications.filter(status=AppStatus.REVIEW).order_by("pk").values_list("pk", flat=True).first()
        step = lambda name: reverse("evaluations:round_transition", args=[review.pk, name])  # noqa: E731
        pages += [
            Scenario("round: propose one row", step("propose"), {"application": first, "proposed": "on"}),
            Scenario(f"round: propose top {proposed:,} within quotas", step("propose_top"), {"count": proposed}),
            Scenario("round: propose all filtered (no filter)", step("propose_filtered"), {"committee": "", "proposed": "", "q": ""}),
            Scenario("round: clear the proposed list", step("clear_selection"), {}),
        ]
    if subjects["named"]:
        pages.append(Scenario(f"named list .xlsx ({subjects['named'].honors.count():,} names)", reverse("evaluations:named_list_xlsx", args=[subjects["named"].pk])))
    return pages


def send(client, scenario):
    """One request; a POST changes data, so it runs in a transaction rolled back afterwards (every run measures
    the same list)."""
    from django.db import transaction

    if scenario.data is None:
        return client.get(scenario.url)
    with transaction.atomic():
        response = client.post(scenario.url, scenario.data)
        transaction.set_rollback(True)
    return response


def body_size(response):
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def measure(client, user_key, scenario, args):
    """Warm-up requests (the first one counts the queries), then up to `requests` timed ones; a page slower than
    `max_seconds` in all stops after 3 timed requests."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        response = send(client, scenario)
    queries = captured.captured_queries
    slowest = sorted(((float(q["time"]) * 1000, q["sql"]) for q in queries), key=lambda pair: pair[0], reverse=True)[:3]
    result = Result(user_key, scenario, response.status_code, len(queries), body_size(response), slowest)
    if time.perf_counter() - started < 1:
        for _ in range(args.warmup - 1):
            body_size(send(client, scenario))
    started = time.perf_counter()
    for _ in range(args.requests):
        request_started = time.perf_counter()
        body_size(send(client, scenario))
        result.timings.append((time.perf_counter() - request_started) * 1000)
        if time.perf_counter() - started > args.max_seconds and len(result.timings) >= 3:
            break
    return result


def measure_all(subjects, args):
    """Every user's pages, each user's framework floor measured before and after them; returns {user: (floor,
    [results])}."""
    from django.test import Client, override_settings

    floor = Scenario("framework floor (empty workbench page)", FLOOR_URL)
    measured = {}
    with override_settings(ROOT_URLCONF=FLOOR_URLCONF):
        for user_key, user in subjects["users"].items():
            client = Client()
            client.force_login(user)
            pages = [s for s in scenarios(user_key, subjects, args.proposed) if not args.only or args.only in s.label]
            before = measure(client, user_key, floor, args)
            results = []
            for scenario in pages:
                results.append(measure(client, user_key, scenario, args))
                print(f"  {user_key}: {scenario.label}: HTTP {results[-1].status}, p50 {results[-1].median:,.1f} ms", flush=True)
            after = measure(client, user_key, floor, args)
            before.timings += after.timings
            measured[user_key] = (before, results)
    return measured


def print_table(measured, budget_ms):
    header = f"| {'page':<44} | HTTP | SQL | {'KiB':>7} | {'n':>3} | {'p50 ms':>8} | {'p95 ms':>8} | {'p50 ×floor':>10} | {'p95 ×floor':>10} |"
    # Markdown: the page column left-aligned, the figures right-aligned.
    rule = "|" + "|".join("-" * len(cell) if i == 0 else "-" * (len(cell) - 1) + ":" for i, cell in enumerate(header.strip("|").split("|"))) + "|"
    over = []
    for user_key, (floor, results) in measured.items():
        print(f"\n**{user_key}** — framework floor: p50 {floor.median:.1f} ms, p95 {floor.p95:.1f} ms, {floor.queries} queries, {floor.size / 1024:.1f} KiB\n")
        print(header)
        print(rule)
        for r in results:
            mark = ""
            if r.status >= 400 or r.p95 > budget_ms:
                mark = " ✗"
                over.append(r)
            print(
                f"| {r.scenario.label + mark:<44} | {r.status:>4} | {r.queries:>3} | {r.size / 1024:>7.1f} | {len(r.timings):>3} | "
                f"{r.median:>8,.1f} | {r.p95:>8,.1f} | {r.median / floor.median:>10.1f} | {r.p95 / floor.p95:>10.1f} |"
            )
    print(f"\n✗: p95 over {budget_ms:.0f} ms or an error status — {len(over)} of {sum(len(results) for _f, results in measured.values())}.")
    return over


def print_slowest_queries(results):
    """Where the time of the pages over the budget goes: their slowest queries (the warm-up request's)."""
    for r in results:
        print(f"\n{r.user}: {r.scenario.label} — {r.queries} queries")
        for ms, sql in r.slowest:
            print(f"  {ms:9,.1f} ms  {sql[:400]}")


def print_volume():
    from django.db import connection

    from apps.collectives.models import Collective
    from apps.evaluations.models import Application, Honor, ReviewAssignment, Round
    from apps.organizations.models import Node

    counts = {
        "committee nodes": Node.objects.count(),
        "collectives": Collective.objects.count(),
        "  waiting for registration review": Collective.objects.filter(status="submitted").count(),
        "rounds": Round.objects.count(),
        "applications": Application.objects.count(),
        "expert assignments": ReviewAssignment.objects.count(),
        "honours": Honor.objects.count(),
        "complaints": scalar("SELECT count(*) FROM complaints_complaint"),
        "campaigns": scalar("SELECT count(*) FROM activities_campaign"),
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT version(), current_setting('work_mem'), current_setting('shared_buffers')")
        version, work_mem, shared_buffers = cursor.fetchone()
    print(f"\n{version.split(' on ')[0]} · shared_buffers {shared_buffers} · work_mem {work_mem}")
    for label, value in counts.items():
        print(f"  {label:<36} {value:>10,}")


def main():
    args = parse_args()
    with open("/proc/loadavg") as loadavg:
        print(f"Load average at the start: {' '.join(loadavg.read().split()[:3])}")
    open_database(args.db_url, args.keep, lambda: generate(args))
    print_volume()
    subjects = find_subjects()
    print(
        f"\nIn process (test client, DEBUG off): up to {args.requests} timed requests per page after {args.warmup} warm-up "
        f"(at least 3 when a page takes longer than {args.max_seconds:.0f} s in all)."
    )
    measured = measure_all(subjects, args)
    over = print_table(measured, args.budget_ms)
    if args.show_queries:
        print_slowest_queries(over)


if __name__ == "__main__":
    main()
