"""Generating rows inside PostgreSQL: INSERT ... SELECT over generate_series, so that millions of rows never travel
through Python. Used by `seed_scale` (seeding.py) and the benchmark scripts in bench/."""

import time
from contextlib import contextmanager


def run(sql, params=None, label=None):
    """Execute one statement; returns its row count (printed with the time when a label is given)."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        count = cursor.rowcount
    if label:
        print(f"  {label}: {count:,} rows, {time.perf_counter() - started:.1f} s")
    return count


def scalar(sql, params=None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def query_rows(sql, params=None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def insert_select(model, expressions, source, params=None, label=None):
    """INSERT INTO <model's table> (every concrete column) SELECT <expressions> <source>; returns the row count.

    Columns without an expression get their field's default, NULL, or now() for auto_now fields, so that a field
    another app adds (nullable or with a default) does not break the generator."""
    from django.db import connection

    columns, values, params = [], [], dict(params or {})
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.attname in expressions:
            values.append(expressions[field.attname])
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values.append("now()")
        elif field.has_default():
            params[f"default_{field.attname}"] = field.get_db_prep_save(field.get_default(), connection)
            values.append(f"%(default_{field.attname})s")
        elif field.null:
            values.append("NULL")
        elif field.empty_strings_allowed and field.blank:
            values.append("''")
        else:
            raise RuntimeError(f"{model.__name__}.{field.attname} needs a value in the generator")
    unknown = set(expressions) - {field.attname for field in model._meta.concrete_fields}
    if unknown:
        raise RuntimeError(f"{model.__name__} has no fields {unknown}")
    sql = f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(values)} {source}"
    return run(sql, params, label)


def temp_table(name, select, params=None, index=None):
    """(Re)create a temporary table from a SELECT, index it and analyse it (the planner then joins it well);
    returns its row count."""
    run(f"DROP TABLE IF EXISTS {name}")
    count = run(f"CREATE TEMP TABLE {name} AS {select}", params)
    if index:
        run(f"CREATE INDEX ON {name} ({index})")
    run(f"ANALYZE {name}")
    return count


def drop_secondary_indexes(table):
    """Drop the table's secondary indexes (those behind no constraint) before a bulk load; returns their
    definitions for build_indexes. One sorted build per index afterwards is much faster than millions of random
    insertions into each. Inside the load's transaction, a failure restores them with everything else."""
    definitions = query_rows(
        "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
        [table],
    )
    for name, _definition in definitions:
        run(f'DROP INDEX "{name}"')
    return [definition for _name, definition in definitions]


def build_indexes(definitions):
    for definition in definitions:
        run(definition)
    return len(definitions)


@contextmanager
def indexes_built_after(table):
    """The table's secondary indexes dropped for the load in the block and built again after it."""
    definitions = drop_secondary_indexes(table)
    yield
    build_indexes(definitions)
