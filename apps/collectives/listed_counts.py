"""SQL that keeps `NodeListedCount` exact: triggers on the collectives table, one set per database vendor.

The same design as status_counts.py (a trigger, so every path that changes a collective counts alike, in the
writing transaction), for what the public figures count: a collective is listed while it is registered and not
delisted by a revocation (CollectiveQuerySet.public), and named while listed and holding a title (`honor_level`,
CollectiveQuerySet.named). Only writes that change either touch a counter row: drafts and edits cost nothing.
"""

from .counter_triggers import CounterTriggers

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

TRIGGERS = CounterTriggers(
    function="collectives_count_listed",
    sqlite_prefix="collectives_listed",
    columns=_COLUMNS,
    changed=_CHANGED,
    take=_TAKE,
    add=_ADD,
    recount=RECOUNT,
)
install, uninstall, recount = TRIGGERS.install, TRIGGERS.uninstall, TRIGGERS.run_recount
