"""The deadline peak of `make bench` (issue 16, item 8): 200 号长 submit applications and file activity reports while
20 county reviewers approve registrations and recommend applications, all at once, through the real pages and
forms over HTTP. Afterwards the database is counted: every request answered as done must have made exactly one
row or transition and one audit entry; none lost, none twice.

It runs on a copy of the seeded database (CREATE DATABASE ... TEMPLATE), dropped at the end: the seeded data never
changes, so the peak (and the whole bench) can run again and again."""

import re
import threading
from http.client import HTTPException
import time
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from apps.benchmarks.accounts import LEADER_NAMES, REVIEWER_NAMES
from benchdb import _maintenance_connection, on_server
from client import Browser, FormFields, Server
from figures import ActionResult, Block

MARK = "高峰测试"  # the title of every report the peak files
WORK_PER_REVIEWER = 400  # items planned per reviewer and queue: more than 60 s can get through


@dataclass
class Leader:
    username: str
    report_collective: int
    application: tuple | None  # (round pk, collective pk) to apply for, if one is open to it
    draft: int | None = None  # the draft application already there (seed_scale leaves one for every other 号长)
    applied: int | None = None  # the application's pk once created (or the draft's)
    submitted: bool = False
    reports: int = 0


@dataclass
class Reviewer:
    username: str
    node: int
    registrations: list
    applications: list
    approved: list = field(default_factory=list)
    recommended: list = field(default_factory=list)


# The copy -------------------------------------------------------------------------------------------------


def copy_database(db_url):
    """Create <name>_peak from the seeded database; its URL. The source must have no session open (the caller's
    Django connection is closed first; gunicorn's workers may take a moment to go)."""
    connection, name = _maintenance_connection(db_url)
    copy = f"{name}_peak"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
        for attempt in range(20):
            try:
                cursor.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{name}" STRATEGY FILE_COPY')
                break
            except Exception as error:  # noqa: BLE001 - "source database is being accessed by other users": wait
                if "being accessed" not in str(error) or attempt == 19:
                    raise
                time.sleep(1)
    connection.close()
    return db_url.rsplit("/", 1)[0] + "/" + copy


def use_database(db_url):
    """Point this process's Django connection at another database of the same server."""
    from django.db import connections

    connections["default"].close()
    connections["default"].settings_dict["NAME"] = db_url.rsplit("/", 1)[-1]


# The plan: who does what, found in the data -----------------------------------------------------------------


def plan_leaders():
    from apps.accounts.models import User
    from apps.collectives.models import Collective
    from apps.evaluations.eligibility import check_eligibility, is_eligible
    from apps.evaluations.models import Application, Round

    # The nearest committee's round first: a collective applies to its city's round before its province's.
    open_rounds = [r for r in Round.objects.filter(stage="open").select_related("node").order_by("-node__depth") if r.accepts_applications()]
    leaders = []
    for user in User.objects.filter(username__in=LEADER_NAMES).order_by("username"):
        collectives = list(Collective.objects.filter(leader_account=user, status="registered").select_related("registering_node"))
        if not collectives:
            continue
        application, draft = None, None
        for collective in collectives:
            for round in open_rounds:
                if collective.registering_node.path.startswith(round.node.path) and is_eligible(check_eligibility(collective, round)):
                    existing = Application.objects.filter(round=round, collective=collective).first()
                    if existing is None or existing.status == "draft":
                        application, draft = (round.pk, collective.pk), existing and existing.pk
                        break
            if application:
                break
        leaders.append(Leader(user.username, collectives[0].pk, application, draft))
    return leaders


def plan_reviewers():
    from apps.accounts.models import User
    from apps.collectives import workflow as registration_workflow
    from apps.collectives.models import Collective
    from apps.evaluations.models import Application
    from apps.evaluations.workflow import APPLICATION_STEPS
    from apps.organizations.models import Membership
    from apps.organizations.scope import StaffScope

    reviewers = []
    for user in User.objects.filter(username__in=REVIEWER_NAMES).order_by("username"):
        scope = StaffScope(user)
        membership = Membership.objects.filter(user=user).first()
        registrations = [
            c.pk for c in Collective.objects.filter(status="submitted", registering_node__path__startswith=membership.node.path).select_related("registering_node")[:WORK_PER_REVIEWER]
            if registration_workflow.may_perform(user, c, registration_workflow.APPROVE, scope)
        ]  # fmt: skip
        applications = [
            a.pk for a in Application.objects.filter(status="pending", current_node=membership.node).select_related("round", "current_node", "collective")[:WORK_PER_REVIEWER]
            if APPLICATION_STEPS.permitted(user, a, "recommend", scope)
        ]  # fmt: skip
        reviewers.append(Reviewer(user.username, membership.node_id, registrations, applications))
    return reviewers


# The people at work ------------------------------------------------------------------------------------------


class Timings:
    """The answers' times of each kind of request, from every thread."""

    def __init__(self):
        self.blocks, self.lock = defaultdict(Block), threading.Lock()

    def call(self, label, send, expect, done=None):
        """Send one request (`send()` gives (status, location or body, ...)); its result, timed under `label`, or None if
        it failed. `done`: the path a redirect must lead to (a regular expression) for the step to have been done —
        a step refused redirects too, elsewhere."""
        started = time.perf_counter()
        try:
            result = send()
            status = result[0]
        except (OSError, HTTPException) as error:
            result, status = None, repr(error)
        ok = status == expect and (done is None or re.fullmatch(done, urlsplit(result[1]).path) is not None)
        with self.lock:
            self.blocks[label].record((time.perf_counter() - started) * 1000, None if ok else (status, label))
        return result if ok else None


def leader_at_work(browser, leader, timings, deadline):
    timings.call("my collectives /my/", lambda: browser.get("/my/"), 200)  # where the apply button is
    if leader.draft:
        leader.applied = leader.draft
    elif leader.application:
        round_pk, collective_pk = leader.application
        applied = timings.call("apply (create the draft)", lambda: browser.post(f"/my/rounds/{round_pk}/apply/{collective_pk}/", {}), 302, r"/my/applications/\d+/edit/")
        if applied:
            leader.applied = int(applied[1].rstrip("/").split("/")[-2])
    if leader.applied:
        edit = f"/my/applications/{leader.applied}/edit/"
        page = timings.call("application form", lambda: browser.get(edit), 200)
        if page:
            fields, _options = FormFields.of(page[1], edit)
            fields |= {name: "1" for name in fields if name.startswith("item_")}
            fields |= {"deeds": "坚持微笑服务，开展志愿服务，群众满意度高。", "action": "submit"}
            leader.submitted = bool(timings.call("submit application", lambda: browser.post(edit, fields), 302, rf"/my/applications/{leader.applied}/"))
    new_report = f"/my/collectives/{leader.report_collective}/reports/new/"
    while time.perf_counter() < deadline:
        page = timings.call("report form", lambda: browser.get(new_report), 200)
        if not page:
            continue
        fields, options = FormFields.of(page[1], new_report)
        fields |= {
            "kind": next(value for value in options["kind"] if value), "campaign": "", "title": f"{MARK}{leader.username}-{leader.reports}",
            "place": "营业厅", "participants": "12", "beneficiaries": "50", "narrative": "向群众开放营业厅，讲解办事流程。",
        }  # fmt: skip
        if timings.call("file report", lambda: browser.post(new_report, fields), 302, rf"/my/collectives/{leader.report_collective}/reports/"):
            leader.reports += 1


def reviewer_at_work(browser, reviewer, timings, deadline, recommend_first=False):
    """Approve a registration, recommend an application, in turn until the time is up or the queues are empty; half
    of the reviewers start with a recommendation, so that both are measured however slow the peak makes each step."""

    def approve(pk):
        timings.call("registration page", lambda: browser.get(f"/workbench/registrations/{pk}/"), 200)
        url = f"/workbench/registrations/{pk}/approve/"
        if timings.call("approve: confirmation", lambda: browser.post(url, {"comment": ""}), 200):
            if timings.call("approve registration", lambda: browser.post(url, {"comment": "", "confirmed": "1"}), 302, "/workbench/registrations/"):
                reviewer.approved.append(pk)

    def recommend(pk):
        timings.call("application page", lambda: browser.get(f"/workbench/applications/{pk}/"), 200)
        url, fields = f"/workbench/applications/{pk}/recommend/", {"rank": str(len(reviewer.recommended) + 1), "comment": "同意推荐"}
        if timings.call("recommend: confirmation", lambda: browser.post(url, fields), 200):
            if timings.call("recommend application", lambda: browser.post(url, {**fields, "confirmed": "1"}), 302, "/workbench/applications/"):
                reviewer.recommended.append(pk)

    work = [(approve, iter(reviewer.registrations)), (recommend, iter(reviewer.applications))]
    if recommend_first:
        work.reverse()
    while time.perf_counter() < deadline:
        worked = False
        for step, queue in work:
            pk = next(queue, None)
            if pk and time.perf_counter() < deadline:
                step(pk)
                worked = True
        if not worked:
            break  # the queues are empty or the time is up


def signed_in(port, usernames):
    """A signed-in browser per user. The session is made here, in the served database and cache, as the sign-in page
    would make it: 220 sign-ins through the form would spend minutes hashing passwords before the peak starts (the
    pages part of the bench signs its staff in through the form)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    browsers = {}
    for user in get_user_model().objects.filter(username__in=usernames):
        client = Client()
        client.force_login(user)
        browsers[user.username] = Browser(port, {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value})
    return browsers


# The count afterwards --------------------------------------------------------------------------------------


def check(label, answered, found_counts):
    """answered: how many requests said done; found_counts: for each, the rows/transitions found in the database."""
    return {
        "label": label, "answered": answered, "found": sum(found_counts),
        "lost": sum(1 for n in found_counts if n == 0), "duplicated": sum(n - 1 for n in found_counts if n > 1),
    }  # fmt: skip


def count_in_database(leaders, reviewers):
    from django.contrib.contenttypes.models import ContentType

    from apps.activities.models import ActivityReport
    from apps.audit.models import AuditEntry
    from apps.collectives.models import Collective
    from apps.evaluations.models import Application, Recommendation

    def audits(model, pk, action):
        return AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(model), object_id=pk, action=action).count()

    created = [l for l in leaders if l.applied and not l.draft]  # noqa: E741
    submitted = [l for l in leaders if l.submitted]  # noqa: E741
    approved = [pk for r in reviewers for pk in r.approved]
    recommended = [(pk, r.node) for r in reviewers for pk in r.recommended]
    reports = {l.username: l.reports for l in leaders}  # noqa: E741
    filed = ActivityReport.objects.filter(title__startswith=MARK)
    return [
        check("application created", len(created), [Application.objects.filter(round_id=l.application[0], collective_id=l.application[1]).count() for l in created]),  # noqa: E741
        check("… its audit entry", len(created), [audits(Application, l.applied, "create") for l in created]),  # noqa: E741
        check("application submitted", len(submitted), [audits(Application, l.applied, "submit") for l in submitted]),  # noqa: E741
        check("… and no longer a draft", len(submitted), [Application.objects.filter(pk=l.applied).exclude(status="draft").count() for l in submitted]),  # noqa: E741
        {
            "label": "activity report filed", "answered": sum(reports.values()), "found": filed.count(),
            "lost": sum(max(0, n - filed.filter(created_by__username=u).count()) for u, n in reports.items()),
            "duplicated": sum(max(0, filed.filter(created_by__username=u).count() - n) for u, n in reports.items()),
        },  # fmt: skip
        check("registration approved", len(approved), [Collective.objects.filter(pk=pk, status="registered").count() for pk in approved]),
        check("… its audit entry", len(approved), [audits(Collective, pk, "approve") for pk in approved]),
        check("application recommended", len(recommended), [Recommendation.objects.filter(application_id=pk, node_id=node, decision="recommend").count() for pk, node in recommended]),
        check("… its audit entry", len(recommended), [audits(Application, pk, "recommend") for pk, _node in recommended]),
    ]


def run_peak(args, served_env):
    from django.db import connections

    print(f"Deadline peak: copying {args.db_url.rsplit('/', 1)[-1]}", flush=True)
    connections["default"].close()
    copy_url = copy_database(args.db_url)
    use_database(copy_url)
    try:
        leaders, reviewers = plan_leaders(), plan_reviewers()
        env = served_env(args)
        env["DATABASE_URL"] = copy_url
        server = Server(env, args.workers)
        timings = Timings()
        try:
            browsers = signed_in(server.port, [l.username for l in leaders] + [r.username for r in reviewers])  # noqa: E741
            print(f"  {len(leaders)} 号长 ({sum(1 for l in leaders if l.application)} with an open round) and {len(reviewers)} reviewers at work for {args.peak_seconds:g} s", flush=True)  # noqa: E741
            deadline = time.perf_counter() + args.peak_seconds
            threads = [threading.Thread(target=leader_at_work, args=(browsers[l.username], l, timings, deadline)) for l in leaders]  # noqa: E741
            threads += [
                threading.Thread(target=reviewer_at_work, args=(browsers[r.username], r, timings, deadline, i % 2 == 1)) for i, r in enumerate(reviewers)
            ]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
        finally:
            server.stop()
        checks = count_in_database(leaders, reviewers)
    finally:
        connections["default"].close()
        use_database(args.db_url)
        on_server(copy_url, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    actions = [ActionResult(label, block) for label, block in timings.blocks.items()]
    errors = sum(a.block.errors for a in actions)
    wrong = sum(c["lost"] + c["duplicated"] for c in checks) + sum(c["answered"] != c["found"] for c in checks)
    idle = [name for name, planned in (
        ("applications", sum(1 for l in leaders if l.application)),  # noqa: E741
        ("registration approvals", sum(len(r.registrations) for r in reviewers)),
        ("recommendations", sum(len(r.applications) for r in reviewers)),
    ) if not planned]  # fmt: skip
    ok = errors == 0 and wrong == 0
    for action in actions:
        print(f"  {action.label:<28} n {action.block.requests:5}  errors {action.block.errors}  p95 {action.block.p(0.95):6.0f} ms {action.block.failures or ''}")
    return {
        "summary": (
            f"{len(leaders)} 号长 sessions ({sum(1 for l in leaders if l.application)} with an open round to apply to) and "  # noqa: E741
            f"{len(reviewers)} reviewer sessions at once for {args.peak_seconds:g} s (the last answer came {elapsed:.0f} s after the "
            "start), every step through the real pages and forms (form page, confirmation page, confirmed post), on a copy of "
            "the seeded database dropped afterwards. Times are per request, from sending it to its whole answer."
            + (f" **Nothing measured for: {', '.join(idle)}** (no such work in the data)." if idle else "")
        ),
        "actions": actions, "checks": checks, "ok": ok,
        "verdict": "0 errors, 0 lost, 0 duplicated." if ok else f"{errors} errors, {wrong} transitions lost, duplicated or miscounted.",
    }  # fmt: skip
