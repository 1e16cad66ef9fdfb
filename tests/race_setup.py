"""Run by tests/test_concurrency.py inside `manage.py shell` against the race's own SQLite file: the committee tree,
one submitted registration, one submitted application, ten staff who may decide each, and a signed-in session for
every one of them. Prints what the racers need as JSON."""

import json

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command

from apps.evaluations import workflow
from tests.conftest import committee
from tests.evaluation_factories import ApplicationFactory, RoundFactory
from tests.factories import CollectiveFactory, MembershipFactory

RACERS = 10


def signed_in_session(user):
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "apps.accounts.backends.UsernameOrPhoneBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


call_command("load_committee_tree", verbosity=0)
registration = CollectiveFactory(status="submitted")
application = ApplicationFactory(round=RoundFactory())
workflow.submit(application.pk, application.collective.leader_account)
county = committee("340803")
print(
    json.dumps(
        {
            "registration": registration.pk,
            "application": application.pk,
            "approvers": [signed_in_session(MembershipFactory(role="admin", node=county).user) for _ in range(RACERS)],
            "recommenders": [signed_in_session(MembershipFactory(role="reviewer", node=county).user) for _ in range(RACERS)],
        }
    )
)
