"""Ten identical decisions at the same moment (issue 15: seven answered 500 "database is locked" on SQLite).

On SQLite the race runs against a real server (gunicorn, threads, each with its own connection) on a database file
of its own: the in-memory test database shares one cache between connections and does not show the lock. On
PostgreSQL the same race runs through Django's handler in ten threads, each with its own connection and row locks.
Either way: one decision, nine normal refusals, never a 500.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from apps.audit.models import AuditEntry
from apps.evaluations import workflow
from apps.evaluations.models import Recommendation

from .conftest import committee
from .evaluation_factories import ApplicationFactory, RoundFactory
from .factories import CollectiveFactory, MembershipFactory

pytestmark = pytest.mark.serial

RACERS = 10
PROJECT = Path(__file__).resolve().parent.parent
CSRF = "r" * 32  # a CSRF secret of the right length, sent as the cookie and as the form field
ALLOWED = {200, 302, 409}


def race(post, sessions):
    """Start the posts together; the status of each."""
    barrier, statuses = threading.Barrier(len(sessions)), []

    def one(session):
        barrier.wait(timeout=30)
        statuses.append(post(session))

    threads = [threading.Thread(target=one, args=(session,)) for session in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


# SQLite: a real server on a database file ---------------------------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def sqlite_server(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
        "CONN_MAX_AGE": "0",
        "DEBUG": "false",
        "HTTPS": "false",
        "SECRET_KEY": "race-test-only",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=PROJECT, env=env, check=True)
    setup = subprocess.run(
        [*manage, "shell", "-c", (PROJECT / "tests" / "race_setup.py").read_text()],
        cwd=PROJECT, env=env, check=True, capture_output=True, text=True,
    )
    data = json.loads(setup.stdout.strip().splitlines()[-1])
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "civpost.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2", "--threads", "8", "--log-level", "warning"],
        cwd=PROJECT, env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _attempt in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=10)
                break
            except OSError:  # not listening yet, or still loading
                time.sleep(0.2)
        yield base, data, env
    finally:
        server.terminate()
        server.wait(timeout=30)


def http_post(url, session_key, fields):
    body = "&".join(f"{name}={value}" for name, value in {**fields, "csrfmiddlewaretoken": CSRF}.items()).encode()
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    request.add_header("Cookie", f"sessionid={session_key}; csrftoken={CSRF}")
    try:
        return urllib.request.build_opener(NoRedirect).open(request, timeout=60).status
    except urllib.error.HTTPError as error:
        return error.code


def count_in_file(env, code):
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=PROJECT, env=env, check=True, capture_output=True, text=True
    )
    return int(result.stdout.strip().splitlines()[-1])


def race_on_sqlite_file(sqlite_server):
    base, data, env = sqlite_server
    approve = f"{base}/workbench/registrations/{data['registration']}/approve/"
    approvals = race(lambda key: http_post(approve, key, {"comment": "", "confirmed": "1"}), data["approvers"])
    recommend = f"{base}/workbench/applications/{data['application']}/recommend/"
    recommendations = race(lambda key: http_post(recommend, key, {"rank": "1", "comment": "", "confirmed": "1"}), data["recommenders"])
    audit = "from apps.audit.models import AuditEntry; print(AuditEntry.objects.filter(action=%r).count())"
    recorded = {
        "approve": count_in_file(env, audit % "approve"),
        "recommend": count_in_file(env, audit % "recommend"),
        "recommendations": count_in_file(env, "from apps.evaluations.models import Recommendation; print(Recommendation.objects.count())"),
    }
    return approvals, recommendations, recorded


# PostgreSQL: ten connections of the test process ---------------------------------------------------------------------


def client_post(user, url, fields):
    try:
        client = Client()
        client.force_login(user)
        return client.post(url, fields).status_code
    finally:
        connections.close_all()  # Each thread has its own connection.


def race_on_postgresql():
    call_command("load_committee_tree", verbosity=0)  # A transactional test starts from an empty database.
    county = committee("340803")
    registration = CollectiveFactory(status="submitted")
    application = ApplicationFactory(round=RoundFactory())
    workflow.submit(application.pk, application.collective.leader_account)
    approvers = [MembershipFactory(role="admin", node=county).user for _ in range(RACERS)]
    reviewers = [MembershipFactory(role="reviewer", node=county).user for _ in range(RACERS)]
    approve = reverse("collectives:staff_approve", args=[registration.pk])
    approvals = race(lambda user: client_post(user, approve, {"comment": "", "confirmed": "1"}), approvers)
    recommend = reverse("evaluations:application_recommend", args=[application.pk])
    recommendations = race(lambda user: client_post(user, recommend, {"rank": "1", "confirmed": "1"}), reviewers)
    recorded = {
        "approve": AuditEntry.objects.filter(action="approve").count(),
        "recommend": AuditEntry.objects.filter(action="recommend").count(),
        "recommendations": Recommendation.objects.filter(application=application).count(),
    }
    return approvals, recommendations, recorded


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_approvals_and_recommendations(request):
    if connection.vendor == "postgresql":
        approvals, recommendations, recorded = race_on_postgresql()
    else:
        approvals, recommendations, recorded = race_on_sqlite_file(request.getfixturevalue("sqlite_server"))
    for statuses in (approvals, recommendations):
        assert len(statuses) == RACERS and set(statuses) <= ALLOWED, statuses
    assert recorded == {"approve": 1, "recommend": 1, "recommendations": 1}
