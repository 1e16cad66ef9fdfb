#!/usr/bin/env python
"""Benchmark of the staff workbench at national volume on PostgreSQL (issue 13: every workbench page p95 ≤ 250 ms in
process for a national, a provincial and a county user; saving a 3,000-name proposed list ≤ 2 s).

    .venv/bin/python bench/workbench.py            # generate (a few minutes), then measure
    .venv/bin/python bench/workbench.py --keep     # measure again on the same data
    .venv/bin/python bench/workbench.py --quick    # 1/50 of the volume in its own database: a smoke run

(Re)creates the database `civpost_bench_workbench` on the local PostgreSQL and fills it, with INSERT ... SELECT, with
500,000 collectives (20,000 waiting for their registration review) spread over whatever committee tree
`load_committee_tree` loads, ~2,300 rounds at every committee and 196,000 applications in every state — among them
a national round in review with 8,000 applications scored by three experts each and a named national round of
8,000 — complaints and campaigns. Then times, in process with Django's test client and the production settings
(DEBUG off), every workbench page for a national admin, a provincial admin (安徽) and a county reviewer (大观区),
each beside the framework floor (an empty workbench page, bench/floor_urls.py) measured in the same run. See
bench/README.md.
"""

import argparse
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from math import ceil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from benchdb import (  # noqa: E402
    create_leaders,
    insert_collectives,
    insert_select,
    open_database,
    refresh_honor_levels,
    run,
    scalar,
    vacuum_analyze,
)
from figures import percentile  # noqa: E402

DEFAULT_DB_URL = "postgres://postgres@127.0.0.1:5432/civpost_bench_workbench"
QUICK_DB_URL = "postgres://postgres@127.0.0.1:5432/civpost_bench_workbench_quick"
QUICK_DIVISOR = 50
FLOOR_URLCONF = "floor_urls"
FLOOR_URL = "/workbench/bench-floor/"
LAST_PAGE = 10**9  # Paginator.get_page answers a page past the end with the last page
LEADERS = 10_000
EXPERTS = 6
EXPERTS_PER_APPLICATION = 3
# Who the pages are measured as: (username, real name, role, region code of the committee).
USERS = {
    "national admin": ("bench_cn_admin", "团中央管理员", "admin", "100000"),
    "provincial admin (安徽)": ("bench_ah_admin", "省委管理员", "admin", "340000"),
    "county reviewer (大观区)": ("bench_dg_reviewer", "区委审核员", "reviewer", "340803"),
}
NATIONAL_USER = "national admin"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"1/{QUICK_DIVISOR} of every volume, in {QUICK_DB_URL.rsplit('/', 1)[1]} (a smoke run)")
    parser.add_argument("--collectives", type=int, default=500_000, help="collectives (default 500,000)")
    parser.add_argument("--submitted", type=int, default=20_000, help="of them waiting for their registration review (default 20,000)")
    parser.add_argument("--rounds", type=int, default=2_285, help="rounds, at every committee from the top down (default 2,285)")
    parser.add_argument("--applications", type=int, default=196_000, help="applications in all (default 196,000)")
    parser.add_argument("--national-applications", type=int, default=8_000, help="applications of the national round in review, and names of the named one (default 8,000)")
    parser.add_argument("--complaints", type=int, default=20_000, help="complaints (default 20,000)")
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
        for name in ("collectives", "submitted", "rounds", "applications", "national_applications", "complaints", "proposed"):
            setattr(args, name, max(1, getattr(args, name) // QUICK_DIVISOR))
    args.db_url = args.db_url or (QUICK_DB_URL if args.quick else DEFAULT_DB_URL)
    return args


# Data --------------------------------------------------------------------------------------------


def generate(args):
    print(
        f"Generating {args.collectives:,} collectives, {args.rounds:,} rounds and {args.applications:,} applications "
        f"in {args.db_url}"
    )
    from django.core.management import call_command
    from django.db import transaction

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_committee_tree", verbosity=0)
    print(f"  migrate + load_committee_tree: {time.perf_counter() - started:.1f} s")
    with transaction.atomic():
        people = create_people()
        leader_ids = create_leaders(LEADERS)
        # Collectives register with the leaves of the tree: county committees, industry units, and committees
        # that have no committee below them yet (e.g. provinces of a partial tree).
        step = time.perf_counter()
        insert_collectives(
            args.collectives, "numchild = 0 AND is_active", leader_ids,
            submitted_every=max(2, round(args.collectives / args.submitted)), returned_every=250,
        )  # fmt: skip
        rounds = create_rounds(args.rounds, people)
        national_round_applications(args, rounds, people)
        other_applications(args.applications - 2 * args.national_applications, rounds)
        name_applications()
        refresh_honor_levels()
        print(f"  applications and honours: {time.perf_counter() - step:.1f} s")
        create_complaints(args.complaints)
        create_campaigns(people)
    vacuum_analyze(started)


def create_people():
    """The three users the pages are measured as, and the national committee's expert reviewers."""
    from django.contrib.auth.hashers import make_password

    from apps.accounts.models import User
    from apps.organizations.enums import Role
    from apps.organizations.models import Membership, Node

    unusable = make_password(None)
    people = {}
    for key, (username, real_name, role, region) in USERS.items():
        user = User.objects.create(username=username, real_name=real_name, email=f"{username}@bench.invalid", password=unusable)
        Membership.objects.create(user=user, node=Node.objects.get(region_id=region, kind="league"), role=role)
        people[key] = user
    national = Node.objects.get(depth=1)
    people["experts"] = [
        User.objects.create(username=f"bench_expert_{i}", real_name=f"评审专家{i}", email=f"expert{i}@bench.invalid", password=unusable)
        for i in range(1, EXPERTS + 1)
    ]
    Membership.objects.bulk_create(Membership(user=expert, node=national, role=Role.EXPERT) for expert in people["experts"])
    return people


def round_for(node, year, stage, admin, quota=100):
    from apps.evaluations.models import Round

    return Round(
        node=node, title=f"{year}年度{node.name}青年文明号认定", year=year, stage=stage, application_opens=date(year, 3, 1),
        application_closes=date(year, 4, 30), reference_date=date(year, 4, 30), quota=quota, created_by=admin,
    )  # fmt: skip


def create_rounds(count, people):
    """`count` rounds: first the national round of this year, in review, and last year's, named; then, committee
    by committee from the top of the tree down, one round a year going back as far as the count allows (the
    deepest committees get fewer years when the tree is large). Past years' rounds are named; this year's are
    open, in review, on notice or being prepared. Every round has the default rubric."""
    from apps.evaluations.enums import RoundStage
    from apps.evaluations.forms import DEFAULT_RUBRIC
    from apps.evaluations.models import Round, RubricItem
    from apps.organizations.models import Node

    admin = people[NATIONAL_USER]
    this_year = date.today().year
    national = Node.objects.get(depth=1)
    committees = list(Node.objects.filter(kind="league", is_active=True).order_by("depth", "path"))
    years = max(2, ceil(count / len(committees)))
    this_years_stages = [RoundStage.OPEN] * 4 + [RoundStage.REVIEW] * 4 + [RoundStage.NOTICE, RoundStage.DRAFT]
    planned = [
        round_for(national, this_year, RoundStage.REVIEW, admin, quota=3_000),
        round_for(national, this_year - 1, RoundStage.NAMED, admin, quota=10_000),
    ]
    for node in committees:
        for year in range(this_year, this_year - years, -1):
            if len(planned) >= count:
                break
            if node.pk == national.pk and year >= this_year - 1:
                continue
            stage = this_years_stages[len(planned) % len(this_years_stages)] if year == this_year else RoundStage.NAMED
            planned.append(round_for(node, year, stage, admin))
    rounds = Round.objects.bulk_create(planned, batch_size=5_000)
    RubricItem.objects.bulk_create(
        (
            RubricItem(round=r, name=name, max_points=points, position=position)
            for r in rounds
            for position, (name, points) in enumerate(DEFAULT_RUBRIC)
        ),
        batch_size=5_000,
    )
    print(f"  {len(rounds):,} rounds at {len({r.node_id for r in rounds}):,} committees, years {this_year - years + 1}–{this_year}")
    return {"review": rounds[0], "named": rounds[1], "all": rounds}


def national_round_applications(args, rounds, people):
    """The national round in review: `national_applications` registered collectives, each recommended by its
    province (with a rank) and scored by three of the experts (one score in twenty not yet submitted). Last year's
    named national round: as many others, named."""
    from apps.evaluations.models import Application, Recommendation, ReviewAssignment

    review, named = rounds["review"], rounds["named"]
    for round, status, order in ((review, "review", 7919), (named, "named", 104729)):
        insert_select(
            Application,
            {
                "round_id": "%(round)s", "collective_id": "c.id", "status": "%(status)s", "deeds": "'服务群众，创先争优。'",
                "submitted_at": "now() - interval '60 days'",
                "updated_at": "now() - make_interval(secs => (c.id * 7907 %% 2592000)::int)",
            },
            "FROM (SELECT id FROM collectives_collective WHERE status = 'registered' ORDER BY (id * %(order)s) %% 1000003 LIMIT %(count)s) c",
            {"round": round.pk, "status": status, "order": order, "count": args.national_applications},
            label=f"applications of {round.title} ({status})",
        )
    experts = [expert.pk for expert in people["experts"]]
    insert_select(
        ReviewAssignment,
        {
            "application_id": "a.id",
            "expert_id": "(%(experts)s::bigint[])[1 + (a.id + k) %% %(expert_count)s]",
            "scores": "CASE WHEN (a.id + k) %% 20 = 0 THEN '{}'::jsonb ELSE (SELECT jsonb_object_agg(ri.id::text, "
            "greatest(0, ri.max_points - (a.id + k + ri.position) %% 7)) FROM evaluations_rubricitem ri WHERE ri.round_id = a.round_id) END",
            "submitted_at": "CASE WHEN (a.id + k) %% 20 = 0 THEN NULL ELSE now() - interval '10 days' END",
            "score_total": "CASE WHEN (a.id + k) %% 20 = 0 THEN NULL ELSE (SELECT sum(greatest(0, ri.max_points - (a.id + k + ri.position) %% 7)) "
            "FROM evaluations_rubricitem ri WHERE ri.round_id = a.round_id) END",
            "round_id": "a.round_id",
            "assigned_by_id": "%(admin)s",
        },
        "FROM evaluations_application a CROSS JOIN generate_series(0, %(per)s - 1) k WHERE a.round_id = %(round)s",
        {"experts": experts, "expert_count": len(experts), "per": EXPERTS_PER_APPLICATION, "admin": people[NATIONAL_USER].pk, "round": review.pk},
        label="expert assignments of the national round",
    )
    from apps.evaluations.selection import refresh_scores

    refresh_scores(Application.objects.filter(round=review))  # the figures the review steps keep on each application
    insert_select(
        Recommendation,
        {
            "application_id": "a.id", "node_id": "p.id", "decision": "'recommend'", "actor_id": "%(admin)s",
            "rank": "row_number() OVER (PARTITION BY p.id ORDER BY a.id)", "comment": "'同意推荐'",
        },
        "FROM evaluations_application a JOIN collectives_collective c ON c.id = a.collective_id "
        "JOIN organizations_node n ON n.id = c.registering_node_id JOIN organizations_node p ON p.path = substr(n.path, 1, %(province)s) "
        "WHERE a.round_id = %(round)s",
        {"admin": people["provincial admin (安徽)"].pk, "round": review.pk, "province": 2 * steplen()},
        label="provinces' recommendations of the national round",
    )  # fmt: skip


def steplen():
    from apps.organizations.models import Node

    return Node.steplen


def other_applications(count, rounds):
    """`count` applications of registered collectives to the other rounds, each to a round of its own committee or
    one above it, their states as the round's stage allows: named or not in past rounds; pending at a committee of
    the chain, returned, declined, in review or still drafts in open ones; in review or declined in rounds in
    review; on notice or not selected in rounds on notice."""
    from apps.evaluations.models import Application

    if count <= 0:
        return
    step = steplen()
    excluded = [rounds["review"].pk, rounds["named"].pk]
    # The rounds every leaf's collectives may apply to: those of the leaf and of every committee above it.
    run("DROP TABLE IF EXISTS bench_leaf_rounds")
    run(
        """
        CREATE TEMP TABLE bench_leaf_rounds AS
        SELECT l.node_id AS leaf_id, r.id AS round_id, r.stage, rn.depth AS round_depth,
               row_number() OVER (PARTITION BY l.node_id ORDER BY r.id) AS idx
        FROM bench_nodes l
        JOIN generate_series(1, 64) d ON d * %(step)s <= length(l.path)
        JOIN organizations_node rn ON rn.path = substr(l.path, 1, d * %(step)s)
        JOIN evaluations_round r ON r.node_id = rn.id
        WHERE r.stage <> 'draft' AND NOT r.id = ANY(%(excluded)s)
        """,
        {"step": step, "excluded": excluded},
    )
    run("CREATE INDEX ON bench_leaf_rounds (leaf_id, idx)")
    run("CREATE TEMP TABLE bench_leaf_round_count AS SELECT leaf_id, count(*) AS n FROM bench_leaf_rounds GROUP BY leaf_id")
    run("ANALYZE bench_leaf_rounds")
    # Which collective applies to which round, in which state, waiting on which committee (a pending one).
    run("DROP TABLE IF EXISTS bench_apps")
    run(
        """
        CREATE TEMP TABLE bench_apps AS
        SELECT p.id AS collective_id, lr.round_id, p.h,
               CASE WHEN lr.stage = 'named' THEN CASE WHEN p.h < 50 THEN 'named' WHEN p.h < 80 THEN 'not_selected' ELSE 'declined' END
                    WHEN lr.stage = 'notice' THEN CASE WHEN p.h < 80 THEN 'notice' ELSE 'not_selected' END
                    WHEN lr.stage = 'review' THEN CASE WHEN p.h < 70 THEN 'review' WHEN p.h < 90 THEN 'declined' ELSE 'returned' END
                    WHEN p.h < 10 THEN 'draft'
                    WHEN p.h < 65 THEN CASE WHEN length(l.path) > lr.round_depth * %(step)s THEN 'pending' ELSE 'review' END
                    WHEN p.h < 80 THEN 'returned' WHEN p.h < 90 THEN 'declined' ELSE 'review' END AS status,
               -- A pending application waits on a committee of its chain, between the leaf and the round's committee.
               CASE WHEN l.industry_id IS NOT NULL THEN l.path
                    ELSE substr(l.path, 1, (lr.round_depth + 1 + p.h %% greatest(1, length(l.path) / %(step)s - lr.round_depth)) * %(step)s)
               END AS waiting_path
        FROM (SELECT c.id, c.registering_node_id, abs(hashtext(c.id::text || 's')) %% 100 AS h, abs(hashtext(c.id::text || 'r')) AS pick
              FROM collectives_collective c WHERE c.status = 'registered'
              ORDER BY (c.id * 15485863) %% 1000003 LIMIT %(count)s) p
        JOIN bench_nodes l ON l.node_id = p.registering_node_id
        JOIN bench_leaf_round_count lc ON lc.leaf_id = p.registering_node_id
        JOIN bench_leaf_rounds lr ON lr.leaf_id = p.registering_node_id AND lr.idx = 1 + p.pick %% lc.n
        """,
        {"step": step, "count": count},
    )
    insert_select(
        Application,
        {
            "round_id": "b.round_id", "collective_id": "b.collective_id", "status": "b.status", "deeds": "'服务群众，创先争优。'",
            "current_node_id": "CASE WHEN b.status = 'pending' THEN w.id END",
            "submitted_at": "CASE WHEN b.status <> 'draft' THEN now() - make_interval(days => 30 + b.h) END",
            "updated_at": "now() - make_interval(secs => (b.collective_id * 7907 %% 31536000)::int)",
        },
        "FROM bench_apps b LEFT JOIN organizations_node w ON w.path = b.waiting_path",
        label="applications to the other rounds",
    )  # fmt: skip
    print(
        "    by state: "
        + ", ".join(f"{status} {n:,}" for status, n in query_rows("SELECT status, count(*) FROM bench_apps GROUP BY status ORDER BY 2 DESC"))
    )


def query_rows(sql, params=None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def name_applications():
    """A title for every named application: certificate numbers as the naming step gives them (level letter,
    committee's region, year, serial), named on 1 November of the round's year by the round's committee."""
    from apps.evaluations.enums import LEVEL_CODES
    from apps.evaluations.models import Honor

    codes = " ".join(f"WHEN '{level}' THEN '{code}'" for level, code in LEVEL_CODES.items())
    insert_select(
        Honor,
        {
            "collective_id": "a.collective_id", "round_id": "a.round_id", "application_id": "a.id", "level": "n.level", "year": "r.year",
            "certificate_number": f"(CASE n.level {codes} END) || n.region_id || '-' || r.year || '-' "
            "|| lpad((row_number() OVER (PARTITION BY r.id ORDER BY a.id))::text, 5, '0')",
            "named_on": "make_date(r.year::int, 11, 1)", "named_by_id": "n.id",
        },
        "FROM evaluations_application a JOIN evaluations_round r ON r.id = a.round_id JOIN organizations_node n ON n.id = r.node_id "
        "WHERE a.status = 'named'",
        label="honours of the named applications",
    )  # fmt: skip


def create_complaints(count):
    """`count` complaints about registered collectives, each with its registering committee, in every state."""
    from apps.complaints.models import Complaint

    insert_select(
        Complaint,
        {
            "collective_id": "c.id", "node_id": "c.registering_node_id", "tracking_code": "'BENCH' || lpad(c.g::text, 7, '0')",
            "what_happened": "'服务态度差，窗口无人。'", "happened_on": "CURRENT_DATE - (c.g %% 300)::int", "contact": "'13900000000'",
            "status": "(ARRAY['received', 'received', 'investigating', 'awaiting_statement', 'upheld', 'not_upheld', 'not_upheld'])[1 + c.g %% 7]",
            "created_at": "now() - make_interval(days => (c.g %% 300)::int)",
            "closed_at": "CASE WHEN c.g %% 7 >= 4 THEN now() - make_interval(days => (c.g %% 30)::int) END",
        },
        "FROM (SELECT id, registering_node_id, row_number() OVER (ORDER BY id) AS g FROM collectives_collective "
        "WHERE status = 'registered' ORDER BY (id * 31) %% 1000003 LIMIT %(count)s) c",
        {"count": count},
        label="complaints",
    )  # fmt: skip


def create_campaigns(people):
    """A campaign a year, over the last three years, at every league committee."""
    from apps.activities.models import Campaign
    from apps.organizations.models import Node

    this_year = date.today().year
    campaigns = Campaign.objects.bulk_create(
        (
            Campaign(
                node=node, title=f"{year}年{node.name}青年文明号开放周", starts_on=date(year, 1, 1), ends_on=date(year, 12, 31),
                created_by=people[NATIONAL_USER],
            )
            for node in Node.objects.filter(kind="league", is_active=True)
            for year in range(this_year - 2, this_year + 1)
        ),
        batch_size=5_000,
    )  # fmt: skip
    print(f"  campaigns: {len(campaigns):,}")


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
    the most applications and titles."""
    from django.db.models import Count

    from apps.accounts.models import User
    from apps.evaluations.enums import RoundStage
    from apps.evaluations.models import Round

    rounds = Round.objects.filter(node__depth=1)
    return {
        "users": {key: User.objects.get(username=username) for key, (username, *_rest) in USERS.items()},
        "review": rounds.filter(stage=RoundStage.REVIEW).annotate(n=Count("applications")).order_by("-n", "pk").first(),
        "named": rounds.filter(stage=RoundStage.NAMED).annotate(n=Count("honors")).order_by("-n", "pk").first(),
    }


def scenarios(user_key, subjects, proposed):
    """Every workbench list of the user, first and last page, each tab; the national round's page; for the
    national admin also its later, sorted and filtered pages, the selection's steps (one row, the top `proposed`
    within the quotas, all filtered, clear), and the named list as .xlsx."""
    from django.urls import reverse

    from apps.evaluations.enums import AppStatus

    pages = []
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
    pages += [Scenario("/workbench/complaints/", reverse("complaints:queue")), Scenario("/workbench/campaigns/", reverse("activities:campaign_list"))]
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
