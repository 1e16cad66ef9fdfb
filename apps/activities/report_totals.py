"""SQL that keeps the roll-ups' totals exact: triggers on the report table, one set per database vendor.

Four tables, each a sum of report rows, so that a roll-up reads a few hundred rows instead of millions of reports:

- `MonthlyTotal`: per committee path (every ancestor of a report's `node_path`, the node itself included), industry
  and month, the totals of the reports of that subtree (the period roll-up);
- `CampaignTotal`: the same per campaign instead of month (the campaign's progress page);
- `VolunteerYear`: per collective, report path and calendar year, its volunteer services, hours and points (the
  volunteer-hours ranking);
- `CampaignReporter`: per campaign, each collective that reported on it and how many reports (who has reported).

A report carries a copy of its collective's committee path, region and industry; a second trigger, on the
collectives table, rewrites the copies of a collective's reports when it moves, and so its totals move with it.

A trigger rather than a call in each code path (like apps/collectives/status_counts.py): filing and editing a report,
recounting its hours, repricing a day's points, moving a report to another campaign, deleting a collective with its
reports all write the report table, and a total one of them forgets drifts for good. The trigger runs in the writing
transaction, so the totals commit or roll back with the reports. Each write takes OLD's figures from its rows and
adds NEW's: the rows a report counts in are found from its own columns, whichever of them changed.
`manage.py rebuild_report_totals` recounts from scratch.
"""

from apps.organizations.models import Node

from .models import ReportKind

REPORTS = "activities_activityreport"
MONTHLY = "activities_monthlytotal"
CAMPAIGN = "activities_campaigntotal"
VOLUNTEER = "activities_volunteeryear"
REPORTERS = "activities_campaignreporter"
COLLECTIVES = "collectives_collective"
FIGURES = ("activities", "participants", "beneficiaries", "volunteer_services", "volunteer_hours", "volunteer_points")
HOURS_KINDS = ", ".join(f"'{kind}'" for kind in ReportKind.with_hours())
# The columns a total depends on: an UPDATE that changes none of them (a flag, an hours check) leaves the totals.
WATCHED = ("node_path", "industry_id", "held_on", "campaign_id", "kind", "participants", "beneficiaries", "volunteer_hours", "volunteer_points", "collective_id")


class Dialect:
    """What differs between PostgreSQL and SQLite: months, years, and the ancestors of a path (SQLite has no
    generate_series; its test trees are small)."""

    def __init__(self, vendor):
        self.postgresql = vendor == "postgresql"

    def month(self, held_on):
        return f"date_trunc('month', {held_on})::date" if self.postgresql else f"date({held_on}, 'start of month')"

    def year(self, held_on):
        return f"date_part('year', {held_on})::int" if self.postgresql else f"CAST(substr({held_on}, 1, 4) AS INTEGER)"

    def ancestors(self, node_path):
        """A FROM item `a` with one `a.path` per ancestor of node_path (its own included), root first."""
        if self.postgresql:
            step = Node.steplen
            return f"(SELECT substr({node_path}, 1, k * {step}) AS path FROM generate_series(1, length({node_path}) / {step}) AS k) AS a"
        return f"(SELECT path FROM organizations_node WHERE path = substr({node_path}, 1, length(path))) AS a"


def _figures(row, sign):
    """{column: its change} when `row` (NEW or OLD) joins (sign +) or leaves (sign -) a total."""
    is_service = f"CASE WHEN {row}.kind IN ({HOURS_KINDS}) THEN 1 ELSE 0 END"
    values = {
        "activities": "1", "participants": f"{row}.participants", "beneficiaries": f"{row}.beneficiaries",
        "volunteer_services": is_service, "volunteer_hours": f"{row}.volunteer_hours", "volunteer_points": f"{row}.volunteer_points",
    }  # fmt: skip
    return {column: f"{column} {sign} {value}" for column, value in values.items()}


def _service_figures(row, sign):
    return {"services": f"services {sign} 1", "hours": f"hours {sign} {row}.volunteer_hours", "points": f"points {sign} {row}.volunteer_points"}


def _change(dialect, row, sign):
    """The statements that add `row` to (sign +) or take it from (sign -) its totals. Adding first inserts the
    missing rows at zero, then updates: the same two statements on both vendors. A collective's last report on a
    campaign taken away takes its reporter row too."""
    month, year = dialect.month(f"{row}.held_on"), dialect.year(f"{row}.held_on")
    ancestors = dialect.ancestors(f"{row}.node_path")
    paths = f"path IN (SELECT a.path FROM {ancestors})"
    is_service = f"{row}.kind IN ({HOURS_KINDS})"
    tables = [
        (MONTHLY, ("path", "industry_id", "month"), ("a.path", f"{row}.industry_id", month), f"FROM {ancestors} WHERE TRUE",
         f"{paths} AND industry_id = {row}.industry_id AND month = {month}", _figures(row, sign)),
        (CAMPAIGN, ("campaign_id", "path", "industry_id"), (f"{row}.campaign_id", "a.path", f"{row}.industry_id"),
         f"FROM {ancestors} WHERE {row}.campaign_id IS NOT NULL",
         f"campaign_id = {row}.campaign_id AND {paths} AND industry_id = {row}.industry_id", _figures(row, sign)),
        (VOLUNTEER, ("collective_id", "path", "year"), (f"{row}.collective_id", f"{row}.node_path", year), f"WHERE {is_service}",
         f"{is_service} AND collective_id = {row}.collective_id AND path = {row}.node_path AND year = {year}", _service_figures(row, sign)),
    ]  # fmt: skip
    reporter = f"campaign_id = {row}.campaign_id AND collective_id = {row}.collective_id"
    if sign == "+":
        statements = [
            f"INSERT INTO {REPORTERS} (campaign_id, collective_id, path, reports) SELECT {row}.campaign_id, {row}.collective_id, "
            f"{row}.node_path, 0 WHERE {row}.campaign_id IS NOT NULL ON CONFLICT (campaign_id, collective_id) DO NOTHING;",
            f"UPDATE {REPORTERS} SET reports = reports + 1, path = {row}.node_path WHERE {reporter};",
        ]
    else:
        statements = [f"UPDATE {REPORTERS} SET reports = reports - 1 WHERE {reporter};", f"DELETE FROM {REPORTERS} WHERE {reporter} AND reports = 0;"]
    for table, keys, key_values, source, where, figures in tables:
        if sign == "+":
            zeros = ", ".join("0" for _ in figures)
            statements.append(
                f"INSERT INTO {table} ({', '.join(keys)}, {', '.join(figures)}) SELECT {', '.join(key_values)}, {zeros} {source} "
                f"ON CONFLICT ({', '.join(keys)}) DO NOTHING;"
            )
        assignments = ", ".join(f"{column} = {value}" for column, value in figures.items())
        statements.append(f"UPDATE {table} SET {assignments} WHERE {where};")
    return "\n".join(statements)


def _changed(separator):
    return separator.join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in WATCHED)


def postgresql():
    dialect = Dialect("postgresql")
    return f"""
CREATE FUNCTION activities_report_totals() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NOT ({_changed(' OR ')}) THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    {_change(dialect, 'OLD', '-')}
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    {_change(dialect, 'NEW', '+')}
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER activities_report_totals AFTER INSERT OR DELETE OR UPDATE ON {REPORTS}
  FOR EACH ROW EXECUTE FUNCTION activities_report_totals();
"""


# A collective that moves (another committee, region or industry) takes its reports along: their copies are
# rewritten, which moves them out of the old totals and into the new ones through the trigger above.
_PLACE = ("registering_node_id", "region_id", "industry_id")
_FOLLOW = (
    f"UPDATE {REPORTS} SET node_path = (SELECT path FROM organizations_node WHERE id = NEW.registering_node_id), "
    f"region_id = NEW.region_id, industry_id = NEW.industry_id WHERE collective_id = NEW.id;"
)


def _moved(distinct):
    return " OR ".join(f"OLD.{column} {distinct} NEW.{column}" for column in _PLACE)


POSTGRESQL_FOLLOW = f"""
CREATE FUNCTION activities_reports_follow_collective() RETURNS trigger AS $$
BEGIN
  {_FOLLOW}
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER activities_reports_follow_collective AFTER UPDATE OF {', '.join(_PLACE)} ON {COLLECTIVES}
  FOR EACH ROW WHEN ({_moved('IS DISTINCT FROM')}) EXECUTE FUNCTION activities_reports_follow_collective();
"""
SQLITE_FOLLOW = f"""CREATE TRIGGER activities_reports_follow_collective AFTER UPDATE OF {', '.join(_PLACE)} ON {COLLECTIVES}
WHEN {_moved('IS NOT')} BEGIN {_FOLLOW} END;"""

POSTGRESQL_DROP = f"""
DROP TRIGGER IF EXISTS activities_report_totals ON {REPORTS};
DROP FUNCTION IF EXISTS activities_report_totals();
DROP TRIGGER IF EXISTS activities_reports_follow_collective ON {COLLECTIVES};
DROP FUNCTION IF EXISTS activities_reports_follow_collective();
"""


def sqlite():
    dialect = Dialect("sqlite")
    changed = _changed(" OR ").replace("IS DISTINCT FROM", "IS NOT")
    return [
        f"CREATE TRIGGER activities_totals_insert AFTER INSERT ON {REPORTS} BEGIN {_change(dialect, 'NEW', '+')} END;",
        f"CREATE TRIGGER activities_totals_delete AFTER DELETE ON {REPORTS} BEGIN {_change(dialect, 'OLD', '-')} END;",
        f"""CREATE TRIGGER activities_totals_update AFTER UPDATE ON {REPORTS} WHEN {changed}
        BEGIN {_change(dialect, 'OLD', '-')} {_change(dialect, 'NEW', '+')} END;""",
    ]


SQLITE_DROP = [f"DROP TRIGGER IF EXISTS activities_totals_{name};" for name in ("insert", "delete", "update")]
SQLITE_DROP.append("DROP TRIGGER IF EXISTS activities_reports_follow_collective;")


def recount(vendor):
    """The statements that rebuild the four tables from the reports: one pass over the reports per table, grouped
    by their own node first, then spread over the ancestors (a few thousand nodes, not millions of reports)."""
    dialect = Dialect(vendor)
    month, year = dialect.month("held_on"), dialect.year("held_on")
    sums = (
        "COUNT(*) AS activities, SUM(participants) AS participants, SUM(beneficiaries) AS beneficiaries, "
        f"SUM(CASE WHEN kind IN ({HOURS_KINDS}) THEN 1 ELSE 0 END) AS volunteer_services, "
        "SUM(volunteer_hours) AS volunteer_hours, SUM(volunteer_points) AS volunteer_points"
    )
    summed = ", ".join(f"SUM(leaf.{column})" for column in FIGURES)
    figures = ", ".join(FIGURES)
    if dialect.postgresql:
        spread = f"CROSS JOIN LATERAL {dialect.ancestors('leaf.node_path')}"
    else:
        spread = "JOIN organizations_node AS a ON a.path = substr(leaf.node_path, 1, length(a.path))"
    return [
        f"DELETE FROM {MONTHLY}",
        f"DELETE FROM {CAMPAIGN}",
        f"DELETE FROM {VOLUNTEER}",
        f"DELETE FROM {REPORTERS}",
        f"""INSERT INTO {MONTHLY} (path, industry_id, month, {figures})
        SELECT a.path, leaf.industry_id, leaf.month, {summed}
        FROM (SELECT node_path, industry_id, {month} AS month, {sums} FROM {REPORTS} GROUP BY node_path, industry_id, {month}) AS leaf
        {spread} GROUP BY a.path, leaf.industry_id, leaf.month""",
        f"""INSERT INTO {CAMPAIGN} (campaign_id, path, industry_id, {figures})
        SELECT leaf.campaign_id, a.path, leaf.industry_id, {summed}
        FROM (SELECT campaign_id, node_path, industry_id, {sums} FROM {REPORTS} WHERE campaign_id IS NOT NULL
              GROUP BY campaign_id, node_path, industry_id) AS leaf
        {spread} GROUP BY leaf.campaign_id, a.path, leaf.industry_id""",
        f"""INSERT INTO {VOLUNTEER} (collective_id, path, year, services, hours, points)
        SELECT collective_id, node_path, {year}, COUNT(*), SUM(volunteer_hours), SUM(volunteer_points)
        FROM {REPORTS} WHERE kind IN ({HOURS_KINDS}) GROUP BY collective_id, node_path, {year}""",
        f"""INSERT INTO {REPORTERS} (campaign_id, collective_id, path, reports)
        SELECT campaign_id, collective_id, MAX(node_path), COUNT(*) FROM {REPORTS} WHERE campaign_id IS NOT NULL
        GROUP BY campaign_id, collective_id""",
    ]


def install(schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(postgresql())
        schema_editor.execute(POSTGRESQL_FOLLOW)
    else:
        for statement in [*sqlite(), SQLITE_FOLLOW]:
            schema_editor.execute(statement)


def uninstall(schema_editor):
    for statement in [POSTGRESQL_DROP] if schema_editor.connection.vendor == "postgresql" else SQLITE_DROP:
        schema_editor.execute(statement)
