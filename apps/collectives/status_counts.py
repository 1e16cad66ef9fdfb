"""SQL that keeps `NodeStatusCount` exact: triggers on the collectives table, one set per database vendor.

A trigger rather than a call in each code path: the workflow, the imports, bulk updates and deletes all change
`Collective.status`, and a count that one of them forgets drifts for good. The trigger runs in the writing
transaction, so the counts commit or roll back with the rows.
"""

from .counter_triggers import CounterTriggers

TABLE = "collectives_nodestatuscount"

RECOUNT = f"""
DELETE FROM {TABLE};
INSERT INTO {TABLE} (node_id, status, count)
SELECT registering_node_id, status, COUNT(*) FROM collectives_collective GROUP BY registering_node_id, status;
"""

# Add one for NEW, take one from OLD: "insert the row at 0 if missing, then update" reads the same on both vendors.
_ADD = f"""
INSERT INTO {TABLE} (node_id, status, count) VALUES (NEW.registering_node_id, NEW.status, 0) ON CONFLICT (node_id, status) DO NOTHING;
UPDATE {TABLE} SET count = count + 1 WHERE node_id = NEW.registering_node_id AND status = NEW.status;
"""
_TAKE = f"UPDATE {TABLE} SET count = count - 1 WHERE node_id = OLD.registering_node_id AND status = OLD.status;"
_CHANGED = "OLD.status <> NEW.status OR OLD.registering_node_id <> NEW.registering_node_id"

TRIGGERS = CounterTriggers(
    function="collectives_count_status",
    sqlite_prefix="collectives_count",
    columns="status, registering_node_id",
    changed=_CHANGED,
    take=_TAKE,
    add=_ADD,
    recount=RECOUNT,
)
install, uninstall, recount = TRIGGERS.install, TRIGGERS.uninstall, TRIGGERS.run_recount
