"""Data migrations: what existing rows become."""

from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def database_state():
    """The models as the database has them now: the apps migrated back at their old state, every other app at its
    latest (a historical model of another app, at the state its dependencies name, may lack columns it now has)."""
    loader = MigrationExecutor(connection).loader
    return loader.project_state(list(loader.applied_migrations)).apps


@pytest.fixture
def migrate(transactional_db):
    """migrate(before, after, fill): the database at `before`, `fill(apps)` writes rows in that state, then at
    `after`; returns (the apps of `after`, what fill returned). The latest migrations come back at the end."""
    call_command("load_committee_tree", verbosity=0)  # A transactional test starts from an empty database.
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()

    def run(before, after, fill):
        MigrationExecutor(connection).migrate(before)
        filled = fill(database_state())
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
@pytest.mark.django_db(transaction=True)
def test_rectifications_ordered_before_the_course_existed_get_one():
    call_command("load_committee_tree", verbosity=0)
    before, after = [("rechecks", "0001_initial")], [("rechecks", "0002_rectification_proposals_star_adjustments")]
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    # Only rechecks went back: the other apps' tables are as they are now.
    old = executor.loader.project_state(before + [leaf for leaf in leaves if leaf[0] != "rechecks"]).apps
    node = old.get_model("organizations", "Node").objects.get(region_id="340803", kind="league")
    user = old.get_model("accounts", "User").objects.create(username="migration-test")
    collective = old.get_model("collectives", "Collective").objects.create(
        name="旧整改班组", workplace_unit="国网安庆供电公司", industry=old.get_model("organizations", "Industry").objects.get(code="power"),
        region_id="340803", address="安庆市", registering_node=node, leader_account=user, service_promises="微笑服务", supervision_phone="0556-5551234",
    )
    Warning = old.get_model("complaints", "Warning")
    Warning.objects.create(collective=collective, kind="warning", reason="警告", issued_by=user)
    open_order = Warning.objects.create(collective=collective, kind="rectification", reason="整改", deadline=date(2026, 1, 31), issued_by=user)
    Warning.objects.create(collective=collective, kind="rectification", reason="已整改", deadline=date(2025, 1, 31), issued_by=user, lifted_at="2025-01-20T00:00:00Z")

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    rectifications = new.get_model("rechecks", "Rectification").objects.order_by("warning__deadline")
    assert [(r.status, r.origin) for r in rectifications] == [("accepted", "complaint"), ("ordered", "complaint")]
    assert rectifications.last().warning_id == open_order.pk

    MigrationExecutor(connection).migrate(leaves)


@pytest.mark.serial
@pytest.mark.django_db(transaction=True)
def test_inspections_recorded_before_teams_become_concluded_ones_led_by_their_recorder():
    call_command("load_committee_tree", verbosity=0)
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    before = [("evaluations", "0011_round_rule_settings")]
    executor.migrate(before)
    old = database_state()
    node = old.get_model("organizations", "Node").objects.get(region_id="340803", kind="league")
    user = old.get_model("accounts", "User").objects.create(username="migration-inspector")
    collective = old.get_model("collectives", "Collective").objects.create(
        name="营业厅青年班组", workplace_unit="国网安庆供电公司", region_id=node.region_id, registering_node=node, leader_account=user,
        industry=old.get_model("organizations", "Industry").objects.get(code="power"), address="德宽路1号", supervision_phone="0556-5551234",
    )
    round = old.get_model("evaluations", "Round").objects.create(
        node=node, title="旧批次", year=2025, application_opens=date(2025, 3, 1), application_closes=date(2025, 4, 30), reference_date=date(2025, 4, 30),
        quota=5, created_by=user,
    )
    application = old.get_model("evaluations", "Application").objects.create(round=round, collective=collective, status="review")
    old.get_model("evaluations", "Inspection").objects.create(application=application, inspected_on=date(2025, 5, 6), findings="窗口整洁", recorded_by=user)

    after = [("evaluations", "0013_inspection_plan_required")]
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    inspection = executor.loader.project_state(after).apps.get_model("evaluations", "Inspection").objects.get()
    assert (inspection.status, inspection.lead_id, inspection.planned_on, inspection.findings) == ("concluded", user.pk, date(2025, 5, 6), "窗口整洁")
    assert list(inspection.team.values_list("pk", flat=True)) == [user.pk]

    MigrationExecutor(connection).migrate(leaves)


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
        [("evaluations", "0016_remove_round_creation_registration_flag")],
        flagged_round_with_a_filing,
    )
    filing = new.get_model("evaluations", "Round").objects.get(pk=round_pk).filing_round
    assert (filing.kind, filing.stage, filing.application_closes, filing.title) == ("filing", "filing", date(2026, 2, 1), "2026年度认定（创建备案）")
    registrations = new.get_model("evaluations", "CreationRegistration").objects.values_list("round_id", "collective_id")
    assert list(registrations) == [(filing.pk, collective_pk)]


@pytest.mark.serial
def test_existing_applications_get_their_collectives_registering_committee(migrate):
    def applications_of_two_committees(old):
        Node = old.get_model("organizations", "Node")
        user = old.get_model("accounts", "User").objects.create(username="migration-committee")
        round = old.get_model("evaluations", "Round").objects.create(
            node=Node.objects.get(depth=1), title="2026年度全国认定", year=2026, application_opens=date(2026, 3, 1),
            application_closes=date(2026, 4, 30), reference_date=date(2026, 4, 30), quota=5, created_by=user,
        )
        made = {}
        for region in ("340803", "110105"):
            node = Node.objects.get(region_id=region, kind="league")
            collective = old.get_model("collectives", "Collective").objects.create(
                name=f"集体{region}", workplace_unit="单位", region_id=region, registering_node=node, status="registered",
                industry=old.get_model("organizations", "Industry").objects.get(code="power"), leader_account=user,
            )
            application = old.get_model("evaluations", "Application").objects.create(round=round, collective=collective, status="review")
            made[application.pk] = node.pk
        return made

    new, made = migrate(
        [("evaluations", "0016_remove_round_creation_registration_flag")],
        [("evaluations", "0018_application_registering_node_required")],
        applications_of_two_committees,
    )
    assert dict(new.get_model("evaluations", "Application").objects.values_list("pk", "registering_node_id")) == made
