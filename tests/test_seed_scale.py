"""`manage.py seed_scale`: it refuses any database not meant for benchmarks, and on a PostgreSQL benchmark database
it generates the shape the benchmarks rely on (apps/benchmarks/seeding.py) and the accounts they sign in as.

The generation test runs when the suite runs on PostgreSQL with a database named for benchmarks, e.g.
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civpost_bench_tests .venv/bin/python -m pytest -m serial tests/test_seed_scale.py
(pytest-django's test database is then test_civpost_bench_tests).
"""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, F, Sum
from django.urls import reverse
from django.utils import timezone, translation

from apps.accounts.models import User
from apps.activities.models import ActivityReport, Campaign, CampaignTotal, MonthlyTotal, ReportKind, VolunteerYear
from apps.benchmarks import accounts
from apps.collectives.models import Collective, Member, NodeListedCount, NodeStatusCount, PostPage, Status
from apps.collectives.public import render_page, stored_page
from apps.directory.signals import latest_named_on, volunteer_hours
from apps.evaluations.eligibility import eligibility, is_eligible
from apps.evaluations.enums import AppStatus
from apps.evaluations.models import Application, Honor, ReviewAssignment, Round
from apps.organizations.enums import Level
from apps.organizations.models import Node

ROOT = Path(__file__).resolve().parent.parent


def seed_scale_with(database_url):
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-only", "HTTPS": "false"}
    return subprocess.run([sys.executable, "manage.py", "seed_scale", "--scale", "0.001"], cwd=ROOT, env=env, capture_output=True, text=True)


def test_seed_scale_refuses_a_postgresql_database_not_named_for_benchmarks():
    result = seed_scale_with("postgres://postgres@127.0.0.1:5432/civpost_production")

    assert result.returncode != 0
    assert "Refusing to fill database 'civpost_production'" in result.stderr and "'bench'" in result.stderr


def test_seed_scale_refuses_sqlite_even_when_named_for_benchmarks(tmp_path):
    database = tmp_path / "civpost_bench.sqlite3"

    result = seed_scale_with(f"sqlite:///{database}")

    assert result.returncode != 0
    assert "this database is sqlite" in result.stderr
    assert not database.exists() or not sqlite3.connect(database).execute("SELECT * FROM sqlite_master").fetchall()  # nothing migrated


def on_a_benchmark_postgresql():
    return connection.vendor == "postgresql" and "bench" in connection.settings_dict["NAME"]


@pytest.fixture
def seeded(transactional_db):
    """A thousandth of the national size, seeded once through the command (the benchmark accounts are whole)."""
    if not on_a_benchmark_postgresql():
        pytest.skip("needs DATABASE_URL to a PostgreSQL database whose name contains 'bench'")
    call_command("seed_scale", scale=0.005, seed=7, stdout=open(os.devnull, "w"))


def sign_in(client, username):
    response = client.post(reverse("login"), {"username": username, "password": accounts.PASSWORD})
    assert response.status_code == 302, f"{username} could not sign in"
    return client


@pytest.mark.serial
def test_seed_scale_generates_the_shape_and_accounts_the_benchmarks_use(seeded, client):
    # Every application state; the national round in review scored by three experts each.
    assert set(Application.objects.values_list("status", flat=True).distinct()) == set(AppStatus.values)
    review = Round.objects.get(node__depth=1, stage="review")
    assert ReviewAssignment.objects.filter(application__round=review).values("application").annotate(n=Count("pk")).filter(n=3).count() == review.applications.count()
    assert ReviewAssignment.objects.filter(expert__username__in=accounts.EXPERT_NAMES).exists()
    # Each application carries its collective's committee, as the workflow gives it (the staff queue scopes by it).
    assert not Application.objects.exclude(registering_node=F("collective__registering_node")).exists()

    # Titles in pyramid proportions: more at each lower level.
    titles = dict(Honor.objects.filter(status="named").values_list("level").annotate(n=Count("pk")))
    assert titles[Level.COUNTY] > titles[Level.CITY] > titles[Level.PROVINCIAL] > titles[Level.NATIONAL] > 0

    # Members as counted on each collective; reports over five years; the counters the workflow keeps.
    assert Member.objects.count() == Collective.objects.aggregate(total=Sum("member_count"))["total"]
    first, last = sorted(ActivityReport.objects.values_list("held_on", flat=True).order_by("held_on")[:: ActivityReport.objects.count() - 1])
    assert (last - first).days > 4 * 365
    counted = dict(NodeStatusCount.objects.values_list("status").annotate(n=Sum("count")))
    assert counted == dict(Collective.objects.values_list("status").annotate(n=Count("pk")))
    assert NodeListedCount.totals() == {"listed": Collective.objects.public().count(), "named": Collective.objects.named().count()}
    # The roll-ups' totals: at the root, every report and every volunteer hour.
    root = Node.objects.get(depth=1).path
    assert MonthlyTotal.objects.filter(path=root).aggregate(n=Sum("activities"))["n"] == ActivityReport.objects.count()
    services = ActivityReport.objects.filter(kind__in=ReportKind.with_hours()).aggregate(n=Count("pk"), hours=Sum("volunteer_hours"))
    assert VolunteerYear.objects.aggregate(n=Sum("services"), hours=Sum("hours")) == services
    on_campaigns = ActivityReport.objects.filter(campaign__isnull=False).count()
    assert CampaignTotal.objects.filter(path=root).aggregate(n=Sum("activities"))["n"] == on_campaigns > 0
    kept = Collective.objects.annotate(hours=volunteer_hours(), named_on=latest_named_on())
    assert not kept.exclude(volunteer_hours=F("hours")).exists() and kept.filter(volunteer_hours__gt=0).exists()
    assert kept.filter(latest_named_on__isnull=False).count() == kept.filter(named_on__isnull=False).count() > 0
    assert not kept.filter(latest_named_on__isnull=False).exclude(latest_named_on=F("named_on")).exists()

    # Every post's page stored as the task worker stores it after a change: current, and what a fresh render gives.
    with_page = Collective.objects.filter(status__in=Status.with_page())
    assert PostPage.objects.filter(version=F("collective__updated_at")).count() == with_page.count() > 0
    named = with_page.filter(latest_named_on__isnull=False).order_by("pk").first()
    with translation.override("zh-hans"):
        assert stored_page(named.pk, "zh-hans")[0] == render_page(named.pk)[0]

    # Staff at every level sign in and find their queues filled.
    for username in [accounts.NATIONAL_ADMIN, accounts.PROVINCIAL_ADMIN, accounts.CITY_ADMIN]:
        client.logout()
        assert sign_in(client, username).get(reverse("evaluations:application_queue")).status_code == 200
    for username in [accounts.COUNTY_REVIEWER, *accounts.REVIEWER_NAMES]:
        client.logout()
        sign_in(client, username)
        registrations = client.get(reverse("collectives:staff_queue") + "?status=submitted")
        waiting = client.get(reverse("evaluations:application_queue") + "?tab=waiting")
        assert registrations.context["page"].paginator.count >= 50, username
        assert waiting.context["page"].paginator.count >= 20, username
    client.logout()
    assert sign_in(client, accounts.EXPERT_NAMES[0]).get(reverse("evaluations:review_list")).status_code == 200

    # The 号长: each leads a collective eligible for the open 安庆 round, with a draft or no application yet, and
    # a running campaign to report to.
    today = timezone.localdate()
    anqing_round = Round.objects.get(node__region_id="340800", stage="open", application_opens__lte=today, application_closes__gte=today)
    collectives = list(Collective.objects.filter(leader_account__username__in=accounts.LEADER_NAMES).select_related("registering_node"))
    assert len(collectives) == accounts.LEADERS
    assert all(is_eligible(checks) for checks in eligibility(collectives, anqing_round).values())
    assert set(anqing_round.applications.filter(collective__in=collectives).values_list("status", flat=True)) == {"draft"}
    assert Campaign.objects.for_collective(collectives[0]).filter(starts_on__lte=today, ends_on__gte=today).exists()
    client.logout()
    assert sign_in(client, accounts.LEADER_NAMES[0]).get(reverse("collectives:my")).status_code == 200
    assert User.objects.filter(username__in=accounts.LEADER_NAMES).count() == accounts.LEADERS
