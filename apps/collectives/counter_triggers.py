"""Triggers on the collectives table that keep a table of counters exact (status_counts.py, listed_counts.py): on
every insert, delete and update of the watched columns that changes what is counted, take OLD's share and add NEW's,
in the writing transaction. One PL/pgSQL function and trigger on PostgreSQL, three triggers on SQLite; the statements
of `take` and `add` read the same on both."""

from dataclasses import dataclass

COLLECTIVES = "collectives_collective"


@dataclass(frozen=True)
class CounterTriggers:
    function: str  # the PostgreSQL function and trigger
    sqlite_prefix: str  # the SQLite triggers are <prefix>_insert, _delete and _update
    columns: str  # the watched columns, comma-separated
    changed: str  # SQL over OLD and NEW: whether an update changes a counter
    take: str  # SQL statements taking OLD's share
    add: str  # SQL statements adding NEW's share
    recount: str  # SQL statements recounting the whole table from the collectives

    @property
    def postgresql(self):
        return f"""
CREATE FUNCTION {self.function}() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NOT ({self.changed}) THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    {self.take}
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    {self.add}
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER {self.function} AFTER INSERT OR DELETE OR UPDATE OF {self.columns}
  ON {COLLECTIVES} FOR EACH ROW EXECUTE FUNCTION {self.function}();
"""

    @property
    def sqlite(self):
        prefix = self.sqlite_prefix
        return [
            f"CREATE TRIGGER {prefix}_insert AFTER INSERT ON {COLLECTIVES} BEGIN {self.add} END;",
            f"CREATE TRIGGER {prefix}_delete AFTER DELETE ON {COLLECTIVES} BEGIN {self.take} END;",
            f"""CREATE TRIGGER {prefix}_update AFTER UPDATE OF {self.columns} ON {COLLECTIVES}
    WHEN {self.changed} BEGIN {self.take} {self.add} END;""",
        ]

    def drop_statements(self, vendor):
        if vendor == "postgresql":
            return [f"DROP TRIGGER IF EXISTS {self.function} ON {COLLECTIVES};", f"DROP FUNCTION IF EXISTS {self.function}();"]
        return [f"DROP TRIGGER IF EXISTS {self.sqlite_prefix}_{name};" for name in ("insert", "delete", "update")]

    def install(self, schema_editor):
        for statement in [self.postgresql] if schema_editor.connection.vendor == "postgresql" else self.sqlite:
            schema_editor.execute(statement)

    def uninstall(self, schema_editor):
        for statement in self.drop_statements(schema_editor.connection.vendor):
            schema_editor.execute(statement)

    def run_recount(self, execute):
        for statement in filter(str.strip, self.recount.split(";")):
            execute(statement)
