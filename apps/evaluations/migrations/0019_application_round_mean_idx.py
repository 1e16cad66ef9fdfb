"""The score table's default order as an index (PostgreSQL; SQLite cannot index NULLS LAST, and scans its small
rounds anyway).

Best mean first is how the round page opens and how a name search on it is ordered: walking this index, the first
page reads 50 rows (a search: until 50 names match) instead of sorting the round's 8,000 applications
(bench/workbench.py). Kept out of the model's Meta because SQLite rejects it.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS application_round_mean_idx "
    "ON evaluations_application (round_id, score_mean DESC NULLS LAST, id)"
)
DROP = "DROP INDEX IF EXISTS application_round_mean_idx"


def postgresql_only(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0018_application_registering_node_required")]

    operations = [migrations.RunPython(postgresql_only(CREATE), postgresql_only(DROP))]
