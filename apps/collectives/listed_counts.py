"""SQL that keeps `NodeListedCount` exact: triggers on the collectives table, one set per database vendor.

The same design as status_counts.py (a trigger, so every path that changes a collective counts alike, in the
writing transaction), for what the public figures count: a collective is listed while it is registered and not
delisted by a revocation (CollectiveQuerySet.public), and named while listed and holding a title (`honor_level`,
CollectiveQuerySet.named). Only writes that change either touch a counter row: drafts and edits cost nothing.
"""

TABLE = "collectives_nodelistedcount"

_LISTED = "CASE WHEN {row}.status = 'registered' AND {row}.delisted_on IS NULL THEN 1 ELSE 0 END"
_NAMED = "CASE WHEN {row}.status = 'registered' AND {row}.delisted_on IS NULL AND {row}.honor_level <> '' THEN 1 ELSE 0 END"
OLD_LISTED, NEW_LISTED = _LISTED.format(row="OLD"), _LISTED.format(row="NEW")
OLD_NAMED, NEW_NAMED = _NAMED.format(row="OLD"), _NAMED.format(row="NEW")

RECOUNT = f"""
DELETE FROM {TABLE};
INSERT INTO {TABLE} (node_id, listed, named)
SELECT registering_node_id, COUNT(*), SUM(CASE WHEN honor_level <> '' THEN 1 ELSE 0 END) FROM collectives_collective
WHERE status = 'registered' AND delisted_on IS NULL GROUP BY registering_node_id;
"""

# Take OLD's share, add NEW's: "insert the row at 0 if missing, then update" reads the same on both vendors.
_TAKE = f"UPDATE {TABLE} SET listed = listed - {OLD_LISTED}, named = named - {OLD_NAMED} WHERE node_id = OLD.registering_node_id AND {OLD_LISTED} = 1;"
_ADD = f"""
INSERT INTO {TABLE} (node_id, listed, named) SELECT NEW.registering_node_id, 0, 0 WHERE {NEW_LISTED} = 1 ON CONFLICT (node_id) DO NOTHING;
UPDATE {TABLE} SET listed = listed + {NEW_LISTED}, named = named + {NEW_NAMED} WHERE node_id = NEW.registering_node_id AND {NEW_LISTED} = 1;
"""
_CHANGED = f"OLD.registering_node_id <> NEW.registering_node_id OR {OLD_LISTED} <> {NEW_LISTED} OR {OLD_NAMED} <> {NEW_NAMED}"
_COLUMNS = "status, registering_node_id, delisted_on, honor_level"

POSTGRESQL = f"""
CREATE FUNCTION collectives_count_listed() RETURNS trigger AS $$
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
CREATE TRIGGER collectives_count_listed AFTER INSERT OR DELETE OR UPDATE OF {_COLUMNS}
  ON collectives_collective FOR EACH ROW EXECUTE FUNCTION collectives_count_listed();
"""
POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS collectives_count_listed ON collectives_collective;
DROP FUNCTION IF EXISTS collectives_count_listed();
"""

SQLITE = [
    f"CREATE TRIGGER collectives_listed_insert AFTER INSERT ON collectives_collective BEGIN {_ADD} END;",
    f"CREATE TRIGGER collectives_listed_delete AFTER DELETE ON collectives_collective BEGIN {_TAKE} END;",
    f"""CREATE TRIGGER collectives_listed_update AFTER UPDATE OF {_COLUMNS} ON collectives_collective
    WHEN {_CHANGED} BEGIN {_TAKE} {_ADD} END;""",
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS collectives_listed_{name};" for name in ("insert", "delete", "update")]


def recount(execute):
    for statement in filter(str.strip, RECOUNT.split(";")):
        execute(statement)


def install(schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL)
    else:
        for statement in SQLITE:
            schema_editor.execute(statement)


def uninstall(schema_editor):
    for statement in [POSTGRESQL_DROP] if schema_editor.connection.vendor == "postgresql" else SQLITE_DROP:
        schema_editor.execute(statement)
