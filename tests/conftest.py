"""Shared fixtures: the real committee tree (loaded once per test database) and logged-in clients."""

import pytest
from django.core.cache import cache
from django.core.management import call_command

from apps.organizations.enums import Role
from apps.organizations.models import Node

from .factories import CollectiveFactory, MembershipFactory, UserFactory


def pytest_collection_modifyitems(items):
    """Tests that commit for real (live server, concurrent connections) are marked `serial` and run last,
    alone: the database flush that follows them would remove the committee tree other tests share."""
    for item in items:
        if item.path.parent.name == "browser":
            item.add_marker(pytest.mark.browser)
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.serial)
    items.sort(key=lambda item: item.get_closest_marker("serial") is not None)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test sees the shipped tree (national, 31 provinces, Anhui down to its counties, industry units)."""
    with django_db_blocker.unblock():
        call_command("load_committee_tree", verbosity=0)


@pytest.fixture(autouse=True)
def test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"  # Uploads of one test never land in the project or another test.
    cache.clear()  # Rate-limit counters and cached pages of one test never reach the next.


def committee(region_or_name):
    """The league committee of a region code, or an industry unit by name."""
    if region_or_name.isdigit():
        return Node.objects.get(region_id=region_or_name, kind="league")
    return Node.objects.get(name=region_or_name)


@pytest.fixture
def login(client):
    """login(user) logs the test client in as that user and returns the client."""

    def log_in(user):
        client.force_login(user)
        return client

    return log_in


@pytest.fixture
def staff_user(db):
    """staff_user(role, committee) creates a staff member of that committee."""

    def make(role, where):
        return MembershipFactory(role=role, node=committee(where)).user

    return make


@pytest.fixture
def leader(db):
    return UserFactory()


@pytest.fixture
def submitted(leader):
    """A registration of a collective in 大观区 (340803), waiting on its county committee."""
    return CollectiveFactory(leader_account=leader, status="submitted")


ROLES = [Role.ADMIN, Role.REVIEWER, Role.EXPERT, Role.VIEWER]


@pytest.fixture
def run_tasks(monkeypatch):
    """run_tasks() runs every task waiting in the real database backend with its real worker, in batch mode (it
    stops when none is left), inside the test's transaction."""
    from django_tasks_db.management.commands import db_worker

    # The worker drops connections that are not in autocommit, as a test's transaction is not: it keeps it here.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run():
        call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)

    return run


@pytest.fixture
def sms_outbox(settings):
    """Text messages go to a list (like Django's mail.outbox)."""
    from apps.notifications.sms import MemoryBackend

    settings.SMS_BACKEND = "apps.notifications.sms.MemoryBackend"
    MemoryBackend.sent.clear()
    return MemoryBackend.sent
