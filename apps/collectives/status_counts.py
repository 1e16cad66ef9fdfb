"""SQL that keeps `NodeStatusCount` exact: triggers on the collectives table, one set per database vendor.

A trigger rather than a call in each code path: the workflow, the imports, bulk updates and deletes all change
`Collective.status`, and a count that one of them forgets drifts for good. The trigger runs in the writing
transaction, so the counts commit or roll back with the rows.
"""

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

POSTGRESQL = f"""
CREATE FUNCTION collectives_count_status() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NOT ({_CHANGED}) THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    {_TAKE}
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    {_ADD}
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER collectives_count_status AFTER INSERT OR DELETE OR UPDATE OF status, registering_node_id
  ON collectives_collective FOR EACH ROW EXECUTE FUNCTION collectives_count_status();
"""
POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS collectives_count_status ON collectives_collective;
DROP FUNCTION IF EXISTS collectives_count_status();
"""

SQLITE = [
    f"CREATE TRIGGER collectives_count_insert AFTER INSERT ON collectives_collective BEGIN {_ADD} END;",
    f"CREATE TRIGGER collectives_count_delete AFTER DELETE ON collectives_collective BEGIN {_TAKE} END;",
    f"""CREATE TRIGGER collectives_count_update AFTER UPDATE OF status, registering_node_id ON collectives_collective
    WHEN {_CHANGED} BEGIN {_TAKE} {_ADD} END;""",
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS collectives_count_{name};" for name in ("insert", "delete", "update")]


def install(schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL)
    else:
        for statement in SQLITE:
            schema_editor.execute(statement)


def uninstall(schema_editor):
    for statement in [POSTGRESQL_DROP] if schema_editor.connection.vendor == "postgresql" else SQLITE_DROP:
        schema_editor.execute(statement)
