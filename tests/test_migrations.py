"""Data migrations: what existing rows become."""

from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("evaluations", "0004_round_complaint_bar_months")]
AFTER = [("evaluations", "0005_round_reference_date")]


@pytest.mark.serial
@pytest.mark.django_db(transaction=True)
def test_existing_rounds_keep_computing_eligibility_on_their_closing_date():
    call_command("load_committee_tree", verbosity=0)  # A transactional test starts from an empty database.
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    node = old.get_model("organizations", "Node").objects.get(region_id="340800", kind="league")
    user = old.get_model("accounts", "User").objects.create(username="migration-test")
    old.get_model("evaluations", "Round").objects.create(
        node=node, title="旧批次", year=2025, application_opens=date(2025, 3, 1), application_closes=date(2025, 4, 30),
        quota=5, created_by=user,
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    assert new.get_model("evaluations", "Round").objects.get(title="旧批次").reference_date == date(2025, 4, 30)

    MigrationExecutor(connection).migrate(leaves)
