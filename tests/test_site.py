"""Site-wide behaviour: health check, error pages, query counts, settings, migrations, demo data."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError
from django.test.utils import CaptureQueriesContext
from django.db import connection
from django.urls import reverse

from apps.collectives.models import Collective
from apps.accounts.models import User

from .factories import CollectiveFactory

pytestmark = pytest.mark.django_db


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_healthz_reports_an_unreachable_database(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503


def test_friendly_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_friendly_500_without_traceback(client, settings, monkeypatch):
    settings.DEBUG = False
    client.raise_request_exception = False

    def explode(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr("civpost.views.render", explode)
    response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "出错了" in page
    assert "secret internal detail" not in page and "Traceback" not in page


def test_csrf_failure_page_is_friendly(leader):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": leader.username, "password": "x"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_security_headers(client):
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_staff_queue_query_count_does_not_grow(login, staff_user):
    client = login(staff_user("reviewer", "340800"))
    url = reverse("collectives:staff_queue")
    CollectiveFactory.create_batch(2, status="submitted")
    few = _count_queries(client, url)
    CollectiveFactory.create_batch(12, status="submitted", region_id="340822", registering_node=Collective.objects.first().registering_node)
    assert _count_queries(client, url) == few


def test_home_and_workspace_query_counts_do_not_grow(client, login, leader):
    CollectiveFactory.create_batch(2, status="registered", leader_account=leader, registration_number=None)
    home, workspace = _count_queries(client, "/"), _count_queries(login(leader), reverse("collectives:my"))
    CollectiveFactory.create_batch(8, status="registered", leader_account=leader)
    client.logout()
    assert _count_queries(client, "/") == home
    assert _count_queries(login(leader), reverse("collectives:my")) == workspace


def test_no_missing_migrations():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def demo_counts():
    from apps.activities.models import ActivityReport, AnnualSummary, Campaign, ReportPhoto, VolunteerHours
    from apps.complaints.models import Complaint, Warning
    from apps.evaluations.models import Application, Honor, Objection, Round
    from apps.rechecks.models import Recheck, RecheckItem

    return (
        User.objects.count(),
        Collective.objects.count(),
        {s: Collective.objects.filter(status=s).count() for s in ["draft", "submitted", "returned", "registered"]},
        {s: Round.objects.filter(stage=s).count() for s in ["draft", "open", "review", "notice", "named"]},
        {s: Application.objects.filter(status=s).count() for s in ["draft", "pending", "returned", "declined", "review", "notice", "named"]},
        Honor.objects.count(),
        Objection.objects.count(),
        [m.objects.count() for m in (Campaign, ActivityReport, ReportPhoto, VolunteerHours, AnnualSummary)],
        ActivityReport.objects.filter(flagged=True).count(),
        {s: Complaint.objects.filter(status=s).count() for s in ["received", "awaiting_statement", "upheld", "not_upheld"]},
        [Warning.objects.count(), Recheck.objects.count(), RecheckItem.objects.count()],
    )


def test_seed_demo_is_idempotent():
    call_command("seed_demo", stdout=StringIO())
    counts = demo_counts()
    call_command("seed_demo", stdout=StringIO())
    assert demo_counts() == counts
    assert all(counts[2].values()), counts
    assert counts[1] >= 24
    assert all(counts[3].values()) and all(counts[4].values()), counts  # a round in every stage, applications in every state
    assert counts[5] >= 1
    assert all(counts[7]) and counts[8] == 1, counts  # campaigns, reports, photos, hours, a summary; one report flagged
    assert all(counts[9].values()) and all(counts[10]), counts  # complaints in every state, warnings, a re-check


def production_env(tmp_path, **extra):
    env = {
        **os.environ,
        "DEBUG": "false",
        "HTTPS": "true",
        "SECRET_KEY": "a-long-production-secret-" + "x" * 40,
        "ALLOWED_HOSTS": "civpost.example.cn",
        "DATABASE_URL": f"sqlite:///{tmp_path}/deploy.sqlite3",
        **extra,
    }
    env.pop("STATICFILES_BACKEND", None)
    return env


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    env = production_env(tmp_path, EMAIL_URL="smtp+tls://civpost:mail-password@smtp.example.cn:587")
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


SHOW_HARDENING = (
    "from django.conf import settings; from django.urls import reverse; "
    "print(settings.SECURE_HSTS_PRELOAD, settings.SECURE_HSTS_SECONDS, reverse('admin:index'))"
)


def test_hsts_preload_is_off_unless_set_and_the_admin_moves_where_it_is_told(tmp_path):
    shell = [sys.executable, "manage.py", "shell", "--no-imports", "-c", SHOW_HARDENING]
    default = subprocess.run(shell, env=production_env(tmp_path), capture_output=True, text=True)
    assert default.stdout.split() == ["False", "31536000", "/admin/"], default.stderr
    chosen = subprocess.run(
        shell, env=production_env(tmp_path, SECURE_HSTS_PRELOAD="true", ADMIN_PATH="manage-7f3a/"), capture_output=True, text=True
    )
    assert chosen.stdout.split() == ["True", "31536000", "/manage-7f3a/"], chosen.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {**os.environ, "DEBUG": "false", "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run([sys.executable, "manage.py", "check"], env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_the_shared_redis_cache_of_production_works():
    """README tells production to set CACHE_URL=redis://...: the backend the settings choose for it (civpost/cache.py)
    must import and answer, with one client for all its operations."""
    import environ

    from civpost.cache import RedisCache

    config = environ.Env.cache_url_config("redis://127.0.0.1:6379/15")
    assert config["BACKEND"] == "django.core.cache.backends.redis.RedisCache"  # what civpost/settings.py replaces
    cache = RedisCache(config["LOCATION"], {})
    cache.set("civpost-test", {"posts": 1}, 10)
    cache.set("civpost-test-version", 1, 10)
    cache.incr("civpost-test-version")
    assert cache.get_many(["civpost-test", "civpost-test-version"]) == {"civpost-test": {"posts": 1}, "civpost-test-version": 2}
    assert cache._cache.get_client() is cache._cache.get_client(write=True)
    cache.delete_many(["civpost-test", "civpost-test-version"])
