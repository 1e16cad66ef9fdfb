"""Data migrations: what existing rows become."""

from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


@pytest.fixture
def migrate(transactional_db):
    """migrate(before, after, fill): the database at `before`, `fill(apps)` writes rows in that state, then at
    `after`; returns (the apps of `after`, what fill returned). The latest migrations come back at the end."""
    call_command("load_committee_tree", verbosity=0)  # A transactional test starts from an empty database.
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()

    def run(before, after, fill):
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        filled = fill(executor.loader.project_state(before).apps)
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        return executor.loader.project_state(after).apps, filled

    yield run
    MigrationExecutor(connection).migrate(leaves)


@pytest.mark.serial
def test_existing_rounds_keep_computing_eligibility_on_their_closing_date(migrate):
    def old_round(old):
        node = old.get_model("organizations", "Node").objects.get(region_id="340800", kind="league")
        user = old.get_model("accounts", "User").objects.create(username="migration-test")
        old.get_model("evaluations", "Round").objects.create(
            node=node, title="旧批次", year=2025, application_opens=date(2025, 3, 1), application_closes=date(2025, 4, 30),
            quota=5, created_by=user,
        )

    new, _ = migrate([("evaluations", "0004_round_complaint_bar_months")], [("evaluations", "0005_round_reference_date")], old_round)
    assert new.get_model("evaluations", "Round").objects.get(title="旧批次").reference_date == date(2025, 4, 30)


@pytest.mark.serial
def test_a_round_flagged_for_creation_registration_gets_a_filing_round_holding_its_filings(migrate):
    def flagged_round_with_a_filing(old):
        node = old.get_model("organizations", "Node").objects.get(region_id="340800", kind="league")
        user = old.get_model("accounts", "User").objects.create(username="migration-cycle")
        flagged = old.get_model("evaluations", "Round").objects.create(
            node=node, title="2026年度认定", year=2026, application_opens=date(2026, 3, 1), application_closes=date(2026, 4, 30),
            reference_date=date(2026, 4, 30), quota=5, created_by=user, stage="draft",
            requires_creation_registration=True, creation_registration_closes=date(2026, 2, 1),
        )
        collective = old.get_model("collectives", "Collective").objects.create(
            name="旧集体", workplace_unit="单位", region_id="340803", registering_node=node, status="registered",
            industry=old.get_model("organizations", "Industry").objects.get(code="power"), leader_account=user,
        )
        old.get_model("evaluations", "CreationRegistration").objects.create(round=flagged, collective=collective)
        return flagged.pk, collective.pk

    new, (round_pk, collective_pk) = migrate(
        [("evaluations", "0011_round_rule_settings")],
        [("evaluations", "0014_remove_round_creation_registration_flag")],
        flagged_round_with_a_filing,
    )
    filing = new.get_model("evaluations", "Round").objects.get(pk=round_pk).filing_round
    assert (filing.kind, filing.stage, filing.application_closes, filing.title) == ("filing", "filing", date(2026, 2, 1), "2026年度认定（创建备案）")
    registrations = new.get_model("evaluations", "CreationRegistration").objects.values_list("round_id", "collective_id")
    assert list(registrations) == [(filing.pk, collective_pk)]
