"""The directory's search function and indexes (PostgreSQL), and Collective.latest_named_on filled from the honours.

See apps/directory/search.py for the keyword search and bench/directory.py for the measurements behind each index.
On SQLite only the backfill runs: the search falls back to a scan there.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery

# Every character and every pair of adjacent characters of the name and of the workplace unit, lower-cased.
# IMMUTABLE, so that an index may be built on it; only built-in functions, so that a dump restores it.
CREATE_FUNCTIONS = """
CREATE OR REPLACE FUNCTION civpost_grams(name text, unit text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 500 AS $$
  SELECT coalesce(array_agg(DISTINCT substr(s, i, n)), '{}'::text[])
  FROM unnest(ARRAY[lower(name), lower(unit)]) AS s,
       generate_series(1, char_length(s)) AS i,
       (VALUES (1), (2)) AS v(n)
  WHERE i + n - 1 <= char_length(s)
$$;

-- The grams a keyword must all have: itself if it is one character, else each pair of adjacent characters.
CREATE OR REPLACE FUNCTION civpost_keyword_grams(keyword text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN char_length(k) < 2 THEN ARRAY[k]
         ELSE (SELECT array_agg(DISTINCT substr(k, i, 2)) FROM generate_series(1, char_length(k) - 1) AS i) END
  FROM lower(keyword) AS k
$$;
"""
DROP_FUNCTIONS = """
DROP FUNCTION IF EXISTS civpost_keyword_grams(text);
DROP FUNCTION IF EXISTS civpost_grams(text, text);
"""

PUBLIC = "status = 'registered' AND delisted_on IS NULL"  # Collective.objects.public()
CREATE_INDEXES = f"""
CREATE INDEX directory_grams_idx ON collectives_collective USING gin (civpost_grams(name, workplace_unit));
-- The two orders of the list. The filterable columns ride along (INCLUDE), so that walking an order and testing
-- the filters reads the index alone, never the wide rows: a filter that matches late in the order stays cheap.
CREATE INDEX directory_newest_idx ON collectives_collective (latest_named_on DESC NULLS LAST, registered_on DESC, id DESC)
    INCLUDE (region_id, industry_id, honor_level) WHERE {PUBLIC};
CREATE INDEX directory_name_idx ON collectives_collective (name, id)
    INCLUDE (region_id, industry_id, honor_level, latest_named_on) WHERE {PUBLIC};
-- Counts by region, industry and level read this narrow index alone (index-only scans), not the wide rows; with
-- the sort keys included, a filter matching few posts (a province sorted by name) is sorted from it too.
CREATE INDEX directory_region_idx ON collectives_collective (region_id, industry_id, honor_level)
    INCLUDE (latest_named_on, registered_on, name) WHERE {PUBLIC};
CREATE INDEX directory_honor_year_idx ON evaluations_honor (year, collective_id) WHERE status = 'named';
"""
DROP_INDEXES = """
DROP INDEX IF EXISTS directory_honor_year_idx;
DROP INDEX IF EXISTS directory_region_idx;
DROP INDEX IF EXISTS directory_name_idx;
DROP INDEX IF EXISTS directory_newest_idx;
DROP INDEX IF EXISTS directory_grams_idx;
"""


def postgresql_only(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


def fill_latest_named_on(apps, schema_editor):
    Collective = apps.get_model("collectives", "Collective")
    Honor = apps.get_model("evaluations", "Honor")
    latest = Honor.objects.filter(collective=OuterRef("pk"), status="named").order_by("-named_on").values("named_on")[:1]
    Collective.objects.update(latest_named_on=Subquery(latest))


class Migration(migrations.Migration):
    dependencies = [
        ("collectives", "0004_collective_latest_named_on"),
        ("evaluations", "0004_round_complaint_bar_months"),
    ]

    operations = [
        migrations.RunPython(fill_latest_named_on, migrations.RunPython.noop),
        migrations.RunPython(postgresql_only(CREATE_FUNCTIONS), postgresql_only(DROP_FUNCTIONS)),
        migrations.RunPython(postgresql_only(CREATE_INDEXES), postgresql_only(DROP_INDEXES)),
    ]
