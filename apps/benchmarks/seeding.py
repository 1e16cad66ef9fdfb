"""The data of a national-size portal, generated inside PostgreSQL (`manage.py seed_scale`).

Shape (domain.md §10; at --scale 1): the committee tree `load_committee_tree` loads; 500,000 collectives over the
leaves of the tree (county committees and industry units), named after their industry and place, 20,000 waiting
for their registration review; 8,000,000 members (6 to 26 a collective, two in three aged 35 or under); ~3,700
rounds (last year's at every committee, this year's down to the cities) with 196,000 applications in every state —
among them a national round in review with 8,000 applications scored by three experts each and last year's named
national round of 8,000 — and the titles of the named ones, more at each lower level (a pyramid); 20,000
complaints; a campaign a year over three years at every league committee (this year's running); 5,000,000
activity reports over five years (two photos on one public report in ten); an admin and a reviewer at every league
committee. Then the accounts of accounts.py and what each needs to find waiting (the benchmark scenario), and the
figures the workflow keeps (status counts, report totals, directory totals, statistics snapshots) and the post
pages the task worker stores.

The big tables are filled with INSERT ... SELECT over generate_series: rows never travel through Python (but the
stored post pages, which the portal's own templates render). The
distributions are arithmetic on the row number shifted by the seed, so one seed on a fresh database always gives
the same data.
"""

import io
import os
import random
import time
from dataclasses import dataclass, fields
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Max, Sum
from django.utils import timezone

from . import accounts
from .sql import build_indexes, drop_secondary_indexes, indexes_built_after, insert_select, query_rows, run, scalar, temp_table

# Team names and the workplace unit of each industry ({place}: the county or province), for names people search.
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
# How many collectives of each industry for one of "other" (the service industries dominate the programme).
INDUSTRY_WEIGHTS = {"power": 4, "health": 4, "public-security": 3, "taxation": 3, "finance": 3, "transport": 3, "postal": 2, "telecom": 2}
PROMISES = "微笑服务，文明用语\n首问负责，一次告知\n限时办结，不让群众跑第二趟\n接受监督，有诉必应"
REPORT_TITLES = {
    "study": "青年理论学习小组集中学习", "volunteer": "学雷锋志愿服务活动", "public_service": "为民服务示范行动",
    "skills": "岗位技能比武", "innovation": "金点子创新创效活动", "open_week": "青年文明号开放周开放日",
    "culture": "职业文化作品征集", "other": "青年文明号主题活动",
}  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN_NAMES = "伟芳娜敏静磊洋艳勇军杰娟涛明超秀霞平刚桂"
POSITIONS = ["客户经理", "业务骨干", "窗口服务员", "技术员", "班组长", "团支部书记"]

MEMBERS_MIN, MEMBERS_SPREAD = 6, 21  # 6 to 26 members, 16 on average: 8,000,000 for 500,000 collectives
REPORT_DAYS = 5 * 365 + 1  # reports over the last five years
EXPERTS_PER_APPLICATION = 3
# The benchmark scenario (accounts.py), the same at every scale: what each reviewer finds waiting at their node.
WAITING_REGISTRATIONS = 60
WAITING_APPLICATIONS = 25
LEADER_REPORTS = 3  # recent reports of each bench_leader collective (eligibility asks for 2 in the last 12 months)


@dataclass(frozen=True)
class Volumes:
    """How many rows of each kind; `at(scale)` multiplies the national size, keeping a few of each."""

    collectives: int = 500_000
    submitted: int = 20_000
    leader_accounts: int = 100_000
    applications: int = 196_000
    national_applications: int = 8_000
    complaints: int = 20_000
    reports: int = 5_000_000

    @classmethod
    def at(cls, scale):
        full = cls()
        return cls(**{f.name: max(20, round(getattr(full, f.name) * scale)) for f in fields(cls)})


class Seeder:
    """Runs the phases in order, each timed; `timings` is [(phase, rows, seconds)]."""

    def __init__(self, volumes, seed, write=print):
        self.volumes = volumes
        self.seed = seed
        self.rng = random.Random(seed)
        self.write = write
        self.timings = []
        self.today = timezone.localdate()
        self.password = make_password(accounts.PASSWORD)
        self.people = {}

    def seed_all(self):
        # One transaction for the data: a failure leaves the database as it was. Inside it, triggers and foreign
        # key checks are off (session_replication_role): every reference is joined from rows that exist, and the
        # counting triggers (NodeStatusCount, the reports' totals) are replaced by the recounts below.
        with transaction.atomic():
            run("SET LOCAL session_replication_role = replica")
            run("SET LOCAL maintenance_work_mem = '512MB'")  # the index builds after the big loads sort in memory
            run("SET LOCAL work_mem = '128MB'")
            for label, phase in [
                ("committee tree", self.tree),
                ("staff accounts", self.staff),
                ("leader accounts", self.leader_accounts),
                ("collectives", self.collectives),
                ("rounds", self.rounds),
                ("national rounds", self.national_rounds),
                ("other applications", self.applications),
                ("titles", self.titles),
                ("complaints", self.complaints),
                ("benchmark scenario", self.scenario),
                ("members", self.members),
                ("campaigns", self.campaigns),
                ("activity reports", self.reports),
                ("report photos", self.photos),
                ("status counts", self.status_counts),
                ("report totals", self.report_totals),
                ("directory figures", self.directory_figures),
                ("collective indexes", lambda: build_indexes(self.collective_indexes)),
            ]:
                self.timed(label, phase)
        self.timed("statistics snapshots", self.statistics)
        self.timed("VACUUM ANALYZE", vacuum_analyze)
        self.timed("stored post pages", self.post_pages)

    def timed(self, label, phase):
        started = time.perf_counter()
        rows = phase()
        seconds = time.perf_counter() - started
        self.timings.append((label, rows, seconds))
        self.write(f"  {label}: {rows:,} rows, {seconds:.1f} s")

    # Committees and staff ------------------------------------------------------------------------------------

    def tree(self):
        from apps.organizations.models import Node

        call_command("load_committee_tree", verbosity=0, stdout=io.StringIO())
        return Node.objects.count()

    def staff(self):
        """The named accounts of accounts.py, and an admin and a reviewer at every league committee."""
        from apps.accounts.models import User
        from apps.organizations.enums import Level, NodeKind, Role
        from apps.organizations.models import Membership, Node

        league = Node.objects.filter(kind=NodeKind.LEAGUE_COMMITTEE, is_active=True)
        for username, real_name, role, region in accounts.STAFF:
            self.people[username] = self.account(username, real_name)
            Membership.objects.create(user=self.people[username], node=league.get(region_id=region), role=role)
        county = league.get(region_id=accounts.STAFF[-1][3])
        anhui = league.get(region_id="340000")
        counties = list(league.filter(level=Level.COUNTY, path__startswith=anhui.path).exclude(pk=county.pk).order_by("path"))
        self.reviewer_nodes = sorted(self.rng.sample(counties, accounts.REVIEWERS), key=lambda node: node.path)
        for username, node in zip(accounts.REVIEWER_NAMES, self.reviewer_nodes, strict=True):
            Membership.objects.create(user=self.account(username, f"{node.name}审核员"), node=node, role=Role.REVIEWER)
        national = league.get(depth=1)
        self.experts = [self.account(username, f"评审专家{username[-2:]}") for username in accounts.EXPERT_NAMES]
        Membership.objects.bulk_create(Membership(user=expert, node=national, role=Role.EXPERT) for expert in self.experts)
        roles = "(VALUES ('admin', '管理员'), ('reviewer', '审核员')) AS r (role, label)"
        insert_select(
            User,
            {"username": "'staff_' || n.id || '_' || r.role", "real_name": "left(n.name, 40) || r.label", "password": "%(password)s"},
            f"FROM organizations_node n CROSS JOIN {roles} WHERE n.kind = 'league' AND n.is_active",
            {"password": self.password},
        )
        insert_select(
            Membership,
            {"user_id": "u.id", "node_id": "n.id", "role": "r.role"},
            f"FROM organizations_node n CROSS JOIN {roles} JOIN accounts_user u ON u.username = 'staff_' || n.id || '_' || r.role "
            "WHERE n.kind = 'league' AND n.is_active",
        )
        self.node_admins = dict(Membership.objects.filter(role=Role.ADMIN, user__username__startswith="staff_").values_list("node_id", "user_id"))
        return User.objects.count()

    def account(self, username, real_name):
        from apps.accounts.models import User

        return User.objects.create(username=username, real_name=real_name, email=f"{username}@bench.invalid", password=self.password)

    def leader_accounts(self):
        """The 号长 of the generated collectives, each leading five (the bench_leader accounts come later)."""
        from apps.accounts.models import User

        count = insert_select(
            User,
            {"username": "'seed_leader_' || lpad(g::text, 6, '0')", "real_name": "'号长' || g", "password": "%(password)s"},
            "FROM generate_series(1, %(count)s) AS g",
            {"count": self.volumes.leader_accounts, "password": self.password},
        )
        temp_table(
            "seed_leaders", "SELECT row_number() OVER (ORDER BY id) AS idx, id FROM accounts_user WHERE username LIKE 'seed\\_leader\\_%%'",
            index="idx",
        )  # fmt: skip
        return count

    # Collectives ---------------------------------------------------------------------------------------------

    def collectives(self):
        """Spread evenly over the leaves of the tree (county committees, industry units), industries weighted; one
        in `collectives / submitted` waits for its registration review, one in 250 was returned; the others were
        registered over the last ten years."""
        from apps.collectives.models import Collective
        from apps.organizations.models import Industry

        registering = temp_table(
            "seed_nodes",
            "SELECT row_number() OVER (ORDER BY n.path) AS idx, n.id AS node_id, n.path, n.depth, n.region_id, n.industry_id, "
            "r.name AS place FROM organizations_node n JOIN organizations_region r ON r.code = n.region_id WHERE n.numchild = 0 AND n.is_active",
            index="idx",
        )
        run("CREATE INDEX ON seed_nodes (node_id)")
        industries = list(Industry.objects.order_by("pk"))
        weighted = [i for i in industries for _ in range(INDUSTRY_WEIGHTS.get(i.code, 1))]
        run("DROP TABLE IF EXISTS seed_industries")
        run("CREATE TEMP TABLE seed_industries (idx int, industry_id bigint, teams text[], unit text)")
        run(
            "INSERT INTO seed_industries VALUES " + ", ".join(["(%s, %s, %s, %s)"] * len(weighted)),
            [value for idx, i in enumerate(weighted, 1) for value in (idx, i.pk, *TEAMS.get(i.code, TEAMS["other"]))],
        )
        temp_table("seed_industry_of", "SELECT DISTINCT industry_id, teams, unit FROM seed_industries", index="industry_id")
        waiting = "g %% %(submitted_every)s = %(submitted_every)s - 1"
        returned = "g %% 250 = 0"
        # The collectives' indexes are built after the last phase that updates them all (directory figures).
        self.collective_indexes = drop_secondary_indexes(Collective._meta.db_table)
        return insert_select(
            Collective,
            {
                "name": "t.place || (coalesce(j.teams, i.teams))[1 + g / 7 %% cardinality(coalesce(j.teams, i.teams))] || '青年班组' || g",
                "workplace_unit": "replace(coalesce(j.unit, i.unit), '{place}', t.place)",
                "industry_id": "coalesce(t.industry_id, i.industry_id)",
                "region_id": "t.region_id",
                "address": "t.place || '人民路' || (1 + g %% 899) || '号'",
                "registering_node_id": "t.node_id",
                "leader_account_id": "l.id",
                "has_league_branch": "g %% 3 <> 0",
                "service_promises": "%(promises)s",
                "supervision_phone": "'0556-5' || lpad((g %% 1000000)::text, 6, '0')",
                "pledge_accepted_at": "now()",
                "status": f"CASE WHEN {waiting} THEN 'submitted' WHEN {returned} THEN 'returned' ELSE 'registered' END",
                "registration_number": f"CASE WHEN {waiting} OR {returned} THEN NULL ELSE t.region_id || '-' || g END",
                "registered_on": f"CASE WHEN {waiting} OR {returned} THEN NULL ELSE CURRENT_DATE - (30 + (g * 37 + %(seed)s) %% 3620)::int END",
                "member_count": f"{MEMBERS_MIN} + (g * 13 + %(seed)s) %% {MEMBERS_SPREAD}",
                "updated_at": "now() - make_interval(secs => (g * 7919 %% 31536000)::int)",
            },
            "FROM generate_series(1::bigint, %(count)s) AS g "
            "JOIN seed_nodes t ON t.idx = 1 + (g * 7919 + %(seed)s) %% %(registering)s "
            "JOIN seed_industries i ON i.idx = 1 + (g * 31 + %(seed)s) %% %(industry_count)s "
            "LEFT JOIN seed_industry_of j ON j.industry_id = t.industry_id "
            "JOIN seed_leaders l ON l.idx = 1 + g %% %(leaders)s",
            {
                "count": self.volumes.collectives, "registering": registering, "industry_count": len(weighted),
                "leaders": self.volumes.leader_accounts, "seed": self.seed, "promises": PROMISES,
                "submitted_every": max(2, round(self.volumes.collectives / self.volumes.submitted)),
            },
        )  # fmt: skip

    def members(self):
        """Every collective's `member_count` members: the first is the 号长, two in three are aged 35 or under (the
        youth share of domain.md §4), the others 36 to 60."""
        from apps.collectives.models import Member

        young = "CURRENT_DATE - (20 * 365 + (c.id * 17 + n * 89) %% (13 * 365))::int"
        older = "CURRENT_DATE - (37 * 365 + (c.id * 31 + n * 97) %% (23 * 365))::int"
        with indexes_built_after(Member._meta.db_table):
            return insert_select(
                Member,
                {
                    "collective_id": "c.id",
                    "name": "substr(%(surnames)s::text, (1 + (c.id + n) %% 20)::int, 1) || substr(%(given)s::text, (1 + (c.id * 7 + n * 3) %% 20)::int, 1) "
                    "|| substr(%(given)s::text, (1 + (c.id + n * 11) %% 20)::int, 1)",
                    "birth_date": f"CASE WHEN n %% 3 = 2 THEN {older} ELSE {young} END",
                    "position": "(%(positions)s::text[])[1 + (c.id + n) %% %(position_count)s]",
                    "is_leader": "n = 0",
                },
                "FROM collectives_collective c CROSS JOIN LATERAL generate_series(0, c.member_count - 1) AS n",
                {"surnames": SURNAMES, "given": GIVEN_NAMES, "positions": POSITIONS, "position_count": len(POSITIONS)},
            )

    # Rounds, applications, titles ----------------------------------------------------------------------------

    def rounds(self):
        """The national round of this year, in review, and last year's, named; last year's round of every other
        league committee, named; this year's of every provincial and city committee, open, in review, on notice
        (with its notice) or being prepared. Not scaled: rounds belong to committees, as the tree does."""
        from apps.evaluations.enums import RoundStage
        from apps.evaluations.models import Notice, Round
        from apps.organizations.models import Node

        this_year = self.today.year
        national = Node.objects.get(depth=1)
        committees = list(Node.objects.filter(kind="league", is_active=True, depth__gt=1).order_by("depth", "path"))
        this_years_stages = [RoundStage.OPEN] * 4 + [RoundStage.REVIEW] * 4 + [RoundStage.NOTICE, RoundStage.DRAFT]
        planned = [
            self.round_for(national, this_year, RoundStage.REVIEW, quota=3_000),
            self.round_for(national, this_year - 1, RoundStage.NAMED, quota=10_000),
            *(self.round_for(node, this_year - 1, RoundStage.NAMED) for node in committees),
            *(self.round_for(node, this_year, this_years_stages[i % len(this_years_stages)]) for i, node in enumerate(n for n in committees if n.depth <= 3)),
        ]
        rounds = Round.objects.bulk_create(planned, batch_size=5_000)
        self.add_rubrics(rounds)
        Notice.objects.bulk_create(
            Notice(round=r, opens_on=self.today - timedelta(days=2), closes_on=self.today + timedelta(days=5), published_by_id=r.created_by_id)
            for r in rounds
            if r.stage == RoundStage.NOTICE
        )
        self.review_round, self.named_round = rounds[0], rounds[1]
        return len(rounds)

    def round_for(self, node, year, stage, quota=100, opens=None, closes=None):
        from apps.evaluations.models import Round

        opens, closes = opens or self.today.replace(year=year, month=3, day=1), closes or self.today.replace(year=year, month=4, day=30)
        return Round(
            node=node, title=f"{year}年度{node.name}青年文明号认定", year=year, stage=stage, application_opens=opens,
            application_closes=closes, reference_date=closes, quota=quota,
            created_by_id=self.node_admins.get(node.pk, self.people[accounts.NATIONAL_ADMIN].pk),
        )  # fmt: skip

    def add_rubrics(self, rounds):
        from apps.evaluations.forms import DEFAULT_RUBRIC
        from apps.evaluations.models import RubricItem

        RubricItem.objects.bulk_create(
            (RubricItem(round=r, name=name, max_points=points, position=position) for r in rounds for position, (name, points) in enumerate(DEFAULT_RUBRIC)),
            batch_size=5_000,
        )  # fmt: skip

    def national_rounds(self):
        """The national round in review: `national_applications` registered collectives, each recommended by its
        province (with a rank) and scored by three experts (one score in twenty not yet submitted). Last year's
        named national round: as many others, named."""
        from apps.evaluations.models import Application, Recommendation, ReviewAssignment
        from apps.evaluations.selection import refresh_scores

        count = 0
        for round, status, order in ((self.review_round, "review", 7919), (self.named_round, "named", 104729)):
            count += insert_select(
                Application,
                {
                    "round_id": "%(round)s", "collective_id": "c.id", "registering_node_id": "c.registering_node_id",
                    "status": "%(status)s", "deeds": "'服务群众，创先争优。'",
                    "submitted_at": "now() - interval '60 days'",
                    "updated_at": "now() - make_interval(secs => (c.id * 7907 %% 2592000)::int)",
                },
                "FROM (SELECT id, registering_node_id FROM collectives_collective WHERE status = 'registered' "
                "ORDER BY (id * %(order)s + %(seed)s) %% 1000003 LIMIT %(count)s) c",
                {"round": round.pk, "status": status, "order": order, "count": self.volumes.national_applications, "seed": self.seed},
            )  # fmt: skip
        experts = [expert.pk for expert in self.experts]
        points = "greatest(0, ri.max_points - (a.id + k + ri.position) %% 7)"
        insert_select(
            ReviewAssignment,
            {
                "application_id": "a.id",
                "expert_id": "(%(experts)s::bigint[])[1 + (a.id * 7 + k) %% %(expert_count)s]",
                "scores": f"CASE WHEN (a.id + k) %% 20 = 0 THEN '{{}}'::jsonb ELSE (SELECT jsonb_object_agg(ri.id::text, {points}) "
                "FROM evaluations_rubricitem ri WHERE ri.round_id = a.round_id) END",
                "submitted_at": "CASE WHEN (a.id + k) %% 20 = 0 THEN NULL ELSE now() - interval '10 days' END",
                "score_total": f"CASE WHEN (a.id + k) %% 20 = 0 THEN NULL ELSE (SELECT sum({points}) "
                "FROM evaluations_rubricitem ri WHERE ri.round_id = a.round_id) END",
                "round_id": "a.round_id",
                "assigned_by_id": "%(admin)s",
            },
            "FROM evaluations_application a CROSS JOIN generate_series(0, %(per)s - 1) k WHERE a.round_id = %(round)s",
            {
                "experts": experts, "expert_count": len(experts), "per": EXPERTS_PER_APPLICATION,
                "admin": self.people[accounts.NATIONAL_ADMIN].pk, "round": self.review_round.pk,
            },
        )  # fmt: skip
        refresh_scores(Application.objects.filter(round=self.review_round))  # the figures the review steps keep
        insert_select(
            Recommendation,
            {
                "application_id": "a.id", "node_id": "p.id", "decision": "'recommend'", "comment": "'同意推荐'",
                "actor_id": "coalesce(m.user_id, %(admin)s)", "rank": "row_number() OVER (PARTITION BY p.id ORDER BY a.id)",
            },
            "FROM evaluations_application a JOIN collectives_collective c ON c.id = a.collective_id "
            "JOIN organizations_node n ON n.id = c.registering_node_id JOIN organizations_node p ON p.path = substr(n.path, 1, %(province)s) "
            "LEFT JOIN organizations_membership m ON m.node_id = p.id AND m.role = 'admin' "
            "AND m.user_id IN (SELECT id FROM accounts_user WHERE username LIKE 'staff\\_%%') WHERE a.round_id = %(round)s",
            {"admin": self.people[accounts.NATIONAL_ADMIN].pk, "round": self.review_round.pk, "province": 2 * steplen()},
        )  # fmt: skip
        return count

    def applications(self):
        """Applications of registered collectives to the other rounds, each to a round of its own committee or one
        above it (the lower the level, the more applications: 6 county, 3 city, 2 provincial), their
        states as the round's stage allows: named, not selected or declined in past rounds; pending at a committee
        of the chain, returned, declined, in review or still drafts in open ones; in review, declined or returned
        in rounds in review; on notice, withdrawn or not selected in rounds on notice."""
        from apps.evaluations.models import Application

        count = self.volumes.applications - 2 * self.volumes.national_applications
        step = steplen()
        excluded = [self.review_round.pk, self.named_round.pk]
        temp_table(
            "seed_leaf_rounds",
            """
            SELECT l.node_id AS leaf_id, r.id AS round_id, r.stage, rn.depth AS round_depth,
                   row_number() OVER (PARTITION BY l.node_id ORDER BY r.id, w) AS idx
            FROM seed_nodes l
            JOIN generate_series(1, 64) d ON d * %(step)s <= length(l.path)
            JOIN organizations_node rn ON rn.path = substr(l.path, 1, d * %(step)s)
            JOIN evaluations_round r ON r.node_id = rn.id
            CROSS JOIN generate_series(1, CASE rn.depth WHEN 4 THEN 6 WHEN 3 THEN 3 ELSE 2 END) w
            WHERE r.stage <> 'draft' AND NOT r.id = ANY(%(excluded)s)
            """,
            {"step": step, "excluded": excluded},
            index="leaf_id, idx",
        )
        temp_table("seed_leaf_round_count", "SELECT leaf_id, count(*) AS n FROM seed_leaf_rounds GROUP BY leaf_id", index="leaf_id")
        temp_table(
            "seed_apps",
            """
            SELECT p.id AS collective_id, lr.round_id, p.h,
                   CASE WHEN lr.stage = 'named' THEN CASE WHEN p.h < 50 THEN 'named' WHEN p.h < 80 THEN 'not_selected' ELSE 'declined' END
                        WHEN lr.stage = 'notice' THEN CASE WHEN p.h < 65 THEN 'notice' WHEN p.h < 85 THEN 'withdrawn' ELSE 'not_selected' END
                        WHEN lr.stage = 'review' THEN CASE WHEN p.h < 70 THEN 'review' WHEN p.h < 90 THEN 'declined' ELSE 'returned' END
                        WHEN p.h < 10 THEN 'draft'
                        WHEN p.h < 65 THEN CASE WHEN length(l.path) > lr.round_depth * %(step)s THEN 'pending' ELSE 'review' END
                        WHEN p.h < 80 THEN 'returned' WHEN p.h < 90 THEN 'declined' ELSE 'review' END AS status,
                   -- A pending application waits on a committee of its chain, between the leaf and the round's committee.
                   CASE WHEN l.industry_id IS NOT NULL THEN l.path
                        ELSE substr(l.path, 1, (lr.round_depth + 1 + p.h %% greatest(1, length(l.path) / %(step)s - lr.round_depth)) * %(step)s)
                   END AS waiting_path
            FROM (SELECT c.id, c.registering_node_id, abs(hashtext(c.id::text || %(seed)s || 's')) %% 100 AS h,
                         abs(hashtext(c.id::text || %(seed)s || 'r')) AS pick
                  FROM collectives_collective c WHERE c.status = 'registered'
                  ORDER BY (c.id * 15485863 + %(seed)s) %% 1000003 LIMIT %(count)s) p
            JOIN seed_nodes l ON l.node_id = p.registering_node_id
            JOIN seed_leaf_round_count lc ON lc.leaf_id = p.registering_node_id
            JOIN seed_leaf_rounds lr ON lr.leaf_id = p.registering_node_id AND lr.idx = 1 + p.pick %% lc.n
            """,
            {"step": step, "count": count, "seed": str(self.seed)},
        )
        inserted = insert_select(
            Application,
            {
                "round_id": "b.round_id", "collective_id": "b.collective_id", "status": "b.status", "deeds": "'服务群众，创先争优。'",
                "registering_node_id": "(SELECT registering_node_id FROM collectives_collective WHERE id = b.collective_id)",
                "current_node_id": "CASE WHEN b.status = 'pending' THEN w.id END",
                "submitted_at": "CASE WHEN b.status <> 'draft' THEN now() - make_interval(days => 30 + b.h) END",
                "updated_at": "now() - make_interval(secs => (b.collective_id * 7907 %% 31536000)::int)",
            },
            "FROM seed_apps b LEFT JOIN organizations_node w ON w.path = b.waiting_path",
        )  # fmt: skip
        states = query_rows("SELECT status, count(*) FROM seed_apps GROUP BY status ORDER BY 2 DESC")
        self.write("    by state: " + ", ".join(f"{status} {n:,}" for status, n in states))
        return inserted

    def titles(self):
        """A title for every named application, with certificate numbers as the naming step gives them (level
        letter, committee's region, year, serial), named on 1 November of the round's year; one in 97 revoked
        since (a collective left with no valid title is delisted). Then each collective's highest level."""
        from apps.evaluations.enums import LEVEL_CODES
        from apps.evaluations.models import Honor

        codes = " ".join(f"WHEN '{level}' THEN '{code}'" for level, code in LEVEL_CODES.items())
        count = insert_select(
            Honor,
            {
                "collective_id": "a.collective_id", "round_id": "a.round_id", "application_id": "a.id", "level": "n.level", "year": "r.year",
                "certificate_number": f"(CASE n.level {codes} END) || n.region_id || '-' || r.year || '-' "
                "|| lpad((row_number() OVER (PARTITION BY r.id ORDER BY a.id))::text, 5, '0')",
                "named_on": "make_date(r.year::int, 11, 1)", "named_by_id": "n.id",
            },
            "FROM evaluations_application a JOIN evaluations_round r ON r.id = a.round_id JOIN organizations_node n ON n.id = r.node_id "
            "WHERE a.status = 'named'",
        )  # fmt: skip
        run(
            "UPDATE evaluations_honor SET status = 'revoked', revoked_on = named_on + 400, revocation_reason = '复核不合格', "
            "revocation_reference = '团发〔' || (year + 1) || '〕1号' WHERE (id + %(seed)s) %% 97 = 0",
            {"seed": self.seed},
        )
        refresh_honor_levels()
        run(
            "UPDATE collectives_collective c SET delisted_on = CURRENT_DATE - 30 WHERE honor_level = '' AND EXISTS "
            "(SELECT 1 FROM evaluations_honor h WHERE h.collective_id = c.id AND h.status = 'revoked')"
        )
        return count

    def complaints(self):
        """Complaints about registered collectives, each with its registering committee, in every state."""
        from apps.complaints.models import Complaint

        return insert_select(
            Complaint,
            {
                "collective_id": "c.id", "node_id": "c.registering_node_id", "tracking_code": "'BENCH' || lpad(c.g::text, 7, '0')",
                "what_happened": "'服务态度差，窗口无人。'", "happened_on": "CURRENT_DATE - (c.g %% 300)::int", "contact": "'13900000000'",
                "status": "(ARRAY['received', 'received', 'investigating', 'awaiting_statement', 'upheld', 'not_upheld', 'not_upheld'])[1 + c.g %% 7]",
                "created_at": "now() - make_interval(days => (c.g %% 300)::int)",
                "closed_at": "CASE WHEN c.g %% 7 >= 4 THEN now() - make_interval(days => (c.g %% 30)::int) END",
            },
            "FROM (SELECT id, registering_node_id, row_number() OVER (ORDER BY id) AS g FROM collectives_collective "
            "WHERE status = 'registered' ORDER BY (id * 31 + %(seed)s) %% 1000003 LIMIT %(count)s) c",
            {"count": self.volumes.complaints, "seed": self.seed},
        )  # fmt: skip

    # The benchmark scenario (accounts.py) --------------------------------------------------------------------

    def scenario(self):
        """What the named accounts find, whatever the scale: an open round of 安庆 (city) and one of 安徽 (province)
        whose application windows are open today; the 200 bench_leader collectives in 安庆's counties, eligible
        for the 安庆 round (registered three years ago, young members, recent reports, no title, no complaint),
        every other one with a draft application; and at 大观区 and each bench_reviewer's county, registrations
        waiting for review and applications waiting for a recommendation. Created after the bulk phases, so that
        none of them draws a title or a complaint; the members phase gives them their members."""
        from apps.evaluations.enums import RoundStage
        from apps.evaluations.models import Application
        from apps.organizations.models import Node

        league = Node.objects.filter(kind="league", is_active=True).select_related("region")
        anqing, anhui = league.get(region_id="340800"), league.get(region_id="340000")
        opens, closes = self.today - timedelta(days=30), self.today + timedelta(days=60)
        anqing_round = self.round_for(anqing, self.today.year, RoundStage.OPEN, quota=300, opens=opens, closes=closes)
        anhui_round = self.round_for(anhui, self.today.year, RoundStage.OPEN, quota=1_000, opens=opens, closes=closes)
        anqing_round.title, anhui_round.title = f"{anqing_round.title}（开放申报）", f"{anhui_round.title}（开放申报）"
        anqing_round.save()
        anhui_round.save()
        self.add_rubrics([anqing_round, anhui_round])

        counties = list(league.filter(path__startswith=anqing.path, depth=anqing.depth + 1).order_by("path"))
        leaders = [self.account(username, f"号长{username[-4:]}") for username in accounts.LEADER_NAMES]
        eligible = self.new_collectives(
            [(counties[i % len(counties)], leader.pk, "registered") for i, leader in enumerate(leaders)], "号长"
        )
        self.recent_reports(eligible)
        drafts = [
            Application(round=anqing_round, collective=c, registering_node_id=c.registering_node_id, status="draft", deeds="服务群众，创先争优。")
            for c in eligible[::2]
        ]

        spare_leaders = [row[0] for row in query_rows("SELECT id FROM seed_leaders ORDER BY idx LIMIT 100")]
        county_node = league.get(region_id=accounts.STAFF[-1][3])
        pending = []
        for node in [county_node, *self.reviewer_nodes]:
            plan = [(node, spare_leaders[i % len(spare_leaders)], "submitted") for i in range(WAITING_REGISTRATIONS)]
            plan += [(node, spare_leaders[i % len(spare_leaders)], "registered") for i in range(WAITING_APPLICATIONS)]
            applying = self.new_collectives(plan, f"待审{node.region_id}")[WAITING_REGISTRATIONS:]
            round = anqing_round if node.path.startswith(anqing.path) else anhui_round
            pending += [
                Application(
                    round=round, collective=c, registering_node=node, status="pending", current_node=node, deeds="服务群众，创先争优。",
                    submitted_at=timezone.now(),
                )
                for c in applying
            ]
        Application.objects.bulk_create(drafts + pending)
        return len(eligible) + len(pending) + len(drafts)

    def new_collectives(self, plan, tag):
        """Collectives of (registering node, 号长 id, status), registered three years ago when registered."""
        from apps.collectives.models import Collective

        registered_on = self.today - timedelta(days=3 * 365)
        from apps.organizations.models import Industry

        industry = Industry.objects.get(code="power").pk
        teams, unit = TEAMS["power"]
        collectives = []
        for i, (node, leader_id, status) in enumerate(plan, 1):
            registered = status == "registered"
            place = node.region.name
            collectives.append(
                Collective(
                    name=f"{place}{teams[i % len(teams)]}{tag}青年班组{i:04d}", workplace_unit=unit.format(place=place),
                    industry_id=industry, region_id=node.region_id, address=f"{place}人民路{i}号", registering_node=node,
                    leader_account_id=leader_id, has_league_branch=True, service_promises=PROMISES,
                    supervision_phone="0556-5550000", pledge_accepted_at=timezone.now(), status=status,
                    registration_number=f"{node.region_id}-B{tag[-4:]}{i:04d}" if registered else None,
                    registered_on=registered_on if registered else None, member_count=12,
                )
            )  # fmt: skip
        return Collective.objects.bulk_create(collectives)

    def recent_reports(self, collectives):
        from apps.activities.models import ActivityReport

        reports = []
        for collective in collectives:
            for n in range(LEADER_REPORTS):
                report = ActivityReport(
                    collective=collective, kind="open_week", title=REPORT_TITLES["open_week"], held_on=self.today - timedelta(days=20 + 40 * n),
                    place="营业厅", participants=12, beneficiaries=200, narrative="向群众开放营业厅，讲解办事流程，开展便民服务。",
                    created_by_id=collective.leader_account_id,
                )  # fmt: skip
                report.copy_place_from(collective)
                reports.append(report)
        ActivityReport.objects.bulk_create(reports)

    # Campaigns and reports -----------------------------------------------------------------------------------

    def campaigns(self):
        """A campaign a year over the last three years at every league committee: this year's are running."""
        from apps.activities.models import Campaign
        from apps.organizations.models import Node

        this_year = self.today.year
        campaigns = Campaign.objects.bulk_create(
            (
                Campaign(
                    node=node, title=f"{year}年{node.name}青年文明号开放周", theme="青春建功新时代",
                    starts_on=self.today.replace(year=year, month=1, day=1), ends_on=self.today.replace(year=year, month=12, day=31),
                    created_by_id=self.node_admins.get(node.pk, self.people[accounts.NATIONAL_ADMIN].pk),
                )
                for node in Node.objects.filter(kind="league", is_active=True)
                for year in range(this_year - 2, this_year + 1)
            ),
            batch_size=5_000,
        )  # fmt: skip
        return len(campaigns)

    def reports(self):
        """Activity reports of registered collectives over the last five years, kinds in turn; those of the last
        three years answer, one in three, the campaign of the national, provincial or city committee above."""
        from apps.activities.models import DEFAULT_POINTS_PER_HOUR, ActivityReport, ReportKind

        reporting = temp_table(
            "seed_reporters",
            "SELECT row_number() OVER (ORDER BY c.id) AS idx, c.id, n.path, c.region_id, c.industry_id, c.leader_account_id "
            "FROM collectives_collective c JOIN organizations_node n ON n.id = c.registering_node_id WHERE c.status = 'registered'",
            index="idx",
        )
        temp_table(
            "seed_campaigns",
            "SELECT n.path, extract(year FROM c.starts_on)::int AS year, c.id FROM activities_campaign c "
            "JOIN organizations_node n ON n.id = c.node_id",
            index="path, year",
        )
        kinds = list(ReportKind.values)
        hours = "CASE WHEN s.kind = ANY(%(hour_kinds)s) THEN (1 + s.g %% 16) * 1.5 ELSE 0 END"
        with indexes_built_after(ActivityReport._meta.db_table):
            return insert_select(
                ActivityReport,
                {
                    "collective_id": "c.id", "campaign_id": "cp.id", "kind": "s.kind", "title": "(%(titles)s::text[])[s.k]",
                    "held_on": "s.held_on", "place": "'营业厅'", "participants": "2 + s.g %% 50", "beneficiaries": "s.g %% 500",
                    "narrative": "'组织青年职工开展活动，服务群众。'", "is_public": "s.g %% 20 <> 0", "flagged": "s.g %% 500 = 0",
                    "volunteer_hours": hours, "volunteer_points": f"{hours} * {DEFAULT_POINTS_PER_HOUR}",
                    "node_path": "c.path", "region_id": "c.region_id", "industry_id": "c.industry_id", "created_by_id": "c.leader_account_id",
                    "created_at": "s.held_on + interval '1 day'", "updated_at": "s.held_on + interval '1 day'",
                },
                "FROM (SELECT g, 1 + (g * 3 + %(seed)s) %% %(kind_count)s AS k, (%(kinds)s::varchar[])[1 + (g * 3 + %(seed)s) %% %(kind_count)s] AS kind, "
                "CURRENT_DATE - ((g * 37 + %(seed)s) %% %(days)s)::int AS held_on FROM generate_series(1::bigint, %(count)s) AS g) s "
                "JOIN seed_reporters c ON c.idx = 1 + (s.g * 7907 + %(seed)s) %% %(reporting)s "
                "LEFT JOIN seed_campaigns cp ON s.g %% 3 = 0 AND cp.path = substr(c.path, 1, (%(step)s * (1 + s.g / 3 %% 3))::int) "
                "AND cp.year = extract(year FROM s.held_on)::int",
                {
                    "kinds": kinds, "kind_count": len(kinds), "titles": [REPORT_TITLES[k] for k in kinds], "hour_kinds": list(ReportKind.with_hours()),
                    "count": self.volumes.reports, "reporting": reporting, "days": REPORT_DAYS, "seed": self.seed, "step": steplen(),
                },
            )  # fmt: skip

    def photos(self):
        """Two photos on one public report in ten: their paths only (pages link them, nothing reads the files)."""
        from apps.activities.models import ReportPhoto

        path = "'reports/bench/' || r.id || '-' || p"
        with indexes_built_after(ReportPhoto._meta.db_table):
            return insert_select(
                ReportPhoto,
                {"report_id": "r.id", "image": f"{path} || '.jpg'", "thumbnail": f"{path} || '-thumb.jpg'"},
                "FROM activities_activityreport r CROSS JOIN generate_series(1, 2) AS p WHERE r.is_public AND r.id %% 10 = 0",
            )

    # The figures the workflow keeps --------------------------------------------------------------------------

    def status_counts(self):
        call_command("rebuild_status_counts", stdout=io.StringIO())
        return scalar("SELECT count(*) FROM collectives_nodestatuscount")

    def report_totals(self):
        """The roll-ups' totals (by month, by campaign, volunteer hours by year), set-based from the reports."""
        from apps.activities.models import CampaignTotal, MonthlyTotal, VolunteerYear

        call_command("rebuild_report_totals", stdout=io.StringIO())
        return sum(model.objects.count() for model in (MonthlyTotal, CampaignTotal, VolunteerYear))

    def directory_figures(self):
        """What apps/directory keeps on each collective — its volunteer hours and latest naming date, the rules of
        directory.signals.volunteer_hours and latest_named_on — in one set-based UPDATE each: `refresh_directory`'s
        subquery per collective took 196 s at national size, this a fraction of it."""
        from apps.activities.models import ActivityReport
        from apps.directory.queries import bump_generation
        from apps.evaluations.models import Honor

        hours = ActivityReport.objects.order_by().values("collective_id").annotate(value=Sum("volunteer_hours"))
        named = Honor.objects.valid().order_by().values("collective_id").annotate(value=Max("named_on"))
        updated = 0
        for column, values in (("volunteer_hours", hours), ("latest_named_on", named)):
            sql, params = values.query.sql_with_params()
            updated += run(f"UPDATE collectives_collective c SET {column} = t.value FROM ({sql}) t WHERE t.collective_id = c.id", params)
        bump_generation()
        return updated

    def statistics(self):
        call_command("refresh_stats", stdout=io.StringIO())
        return scalar("SELECT count(*) FROM stats_snapshot")

    def post_pages(self):
        """Every post's page as the task worker stores it after a change, rendered in one process per core once the
        data is committed (the workers read it) and analysed: before the VACUUM ANALYZE, PostgreSQL planned the
        reports' queries without statistics and this phase took three times as long (597 s, not 197 s)."""
        call_command("store_post_pages", workers=os.cpu_count(), stdout=io.StringIO())
        run("VACUUM (ANALYZE) collectives_postpage")
        return scalar("SELECT count(*) FROM collectives_postpage")


def steplen():
    from apps.organizations.models import Node

    return Node.steplen


def refresh_honor_levels():
    """honor_level of every collective from its valid titles: the bulk form of evaluations.workflow.refresh_honor_level."""
    from apps.evaluations.models import LEVEL_ORDER

    ranks = " ".join(f"WHEN '{level}' THEN {rank}" for rank, level in enumerate(LEVEL_ORDER, 1))
    return run(
        f"""
        UPDATE collectives_collective c SET honor_level = v.level
        FROM (SELECT collective_id, (%(levels)s::text[])[max(CASE level {ranks} END)] AS level
              FROM evaluations_honor WHERE status = 'named' GROUP BY collective_id) v
        WHERE v.collective_id = c.id
        """,
        {"levels": [level.value for level in LEVEL_ORDER]},
    )


def vacuum_analyze():
    """VACUUM as well as ANALYZE: the visibility map is then what autovacuum leaves in production, and timings do
    not depend on whether autovacuum happened to run on the fresh tables yet."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    return 0
