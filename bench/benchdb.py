"""What every benchmark here shares: its own PostgreSQL database, (re)created on demand or reused (--keep), Django
set up against it with the production settings apart from TLS, the generators of the data several benchmarks need
(INSERT ... SELECT on PostgreSQL: the collectives at national size, the highest title each holds)."""

import os
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent


def _maintenance_connection(db_url):
    import psycopg2

    url = urlsplit(db_url)
    connection = psycopg2.connect(
        host=url.hostname or "127.0.0.1", port=url.port or 5432, user=url.username or "postgres", password=url.password, dbname="postgres"
    )
    connection.autocommit = True
    return connection, url.path.lstrip("/")


def database_exists(db_url):
    connection, name = _maintenance_connection(db_url)
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def recreate_database(db_url):
    connection, name = _maintenance_connection(db_url)
    if "bench" not in name:
        sys.exit(f"Refusing to drop database {name!r}: the benchmark only (re)creates databases named *bench*.")
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def production_env(db_url, allowed_hosts="testserver"):
    """The environment of the portal under measurement: the production settings apart from TLS."""
    return {
        "DATABASE_URL": db_url,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-not-a-secret",
        "HTTPS": "false",
        "ALLOWED_HOSTS": allowed_hosts,
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "DJANGO_SETTINGS_MODULE": "civpost.settings",
        "LOG_LEVEL": "WARNING",  # no request log lines between the figures
        # The bench's users sign in by session, not through the sign-in pages: production's 2FA requirement would
        # send every committee admin to the enrolment page instead of the page measured.
        "OTP_REQUIRED_FOR_ADMINS": "false",
    }


def setup_django(db_url, allowed_hosts="testserver"):
    os.environ.update(production_env(db_url, allowed_hosts))
    sys.path.insert(0, str(ROOT))
    # There is no collectstatic output; WhiteNoise warns about it once. Irrelevant to the figures.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import django

    django.setup()


def open_database(db_url, keep, generate, allowed_hosts="testserver"):
    """With --keep and the database there: reuse its data, migrated (a new index migration is then measured on the
    same data) and analysed. Otherwise: (re)create it, set Django up and call generate()."""
    if keep and database_exists(db_url):
        setup_django(db_url, allowed_hosts)
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0, interactive=False)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"Reusing {db_url} (--keep): migrated, analysed, no data generated.")
        return
    if keep:
        print(f"--keep: {db_url} does not exist yet, generating it.")
    recreate_database(db_url)
    setup_django(db_url, allowed_hosts)
    generate()


def vacuum_analyze(started):
    """The end of a generation. VACUUM as well as ANALYZE: the visibility map is then what autovacuum leaves in
    production, and the timings do not depend on whether autovacuum happened to run on the fresh tables yet."""
    from django.db import connection

    step = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    print(f"  VACUUM (ANALYZE): {time.perf_counter() - step:.1f} s")
    print(f"  generation total: {time.perf_counter() - started:.1f} s")


# Generating data with INSERT ... SELECT (PostgreSQL) -------------------------------------------------


def run(sql, params=None, label=None):
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


def insert_select(model, expressions, source, params=None, label=None):
    """INSERT INTO <model's table> (every concrete column) SELECT <expressions> <source>.

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


def create_leaders(count):
    """号长 accounts with unusable passwords, shared by the generated collectives; returns their ids."""
    from django.contrib.auth.hashers import make_password

    from apps.accounts.models import User

    unusable = make_password(None)
    leaders = User.objects.bulk_create(
        (User(username=f"bench_leader_{i:05d}", real_name=f"号长{i:05d}", email=f"l{i}@bench.invalid", password=unusable) for i in range(count)),
        batch_size=5_000,
    )
    return [user.pk for user in leaders]


def insert_collectives(count, registering_where, leader_ids, *, submitted_every=50, returned_every=0, where_params=None):
    """`count` collectives spread evenly over the nodes that `registering_where` selects (SQL on organizations_node),
    each with one of `leader_ids` as its 号长. One in `submitted_every` waits for its registration review, one in
    `returned_every` (0: none) was returned for revision; the others are registered, over ten years. `updated_at`
    is spread over the last year, as the staff lists sort by it.

    Leaves the temporary table bench_nodes (idx, node_id, path, region_id, industry_id) of the registering nodes
    for the caller's next steps."""
    from apps.collectives.models import Collective
    from apps.organizations.models import Industry

    run("DROP TABLE IF EXISTS bench_nodes")
    run(
        "CREATE TEMP TABLE bench_nodes AS SELECT row_number() OVER (ORDER BY path) AS idx, id AS node_id, path, region_id, industry_id "
        f"FROM organizations_node WHERE {registering_where}",
        where_params,
    )
    registering = scalar("SELECT count(*) FROM bench_nodes")
    run("CREATE INDEX ON bench_nodes (idx)")
    industries = list(Industry.objects.order_by("pk").values_list("pk", flat=True))
    waiting = f"g %% {submitted_every} = {submitted_every - 1}"
    returned = f"g %% {returned_every} = 0" if returned_every else "false"
    started = time.perf_counter()
    insert_select(
        Collective,
        {
            "name": "'青年文明号集体' || g",
            "workplace_unit": "'工作单位' || (g %% 997)",
            "industry_id": "COALESCE(t.industry_id, (%(industries)s::bigint[])[1 + g %% %(industry_count)s])",
            "region_id": "t.region_id",
            "address": "'某市某路' || g || '号'",
            "registering_node_id": "t.node_id",
            "leader_account_id": "(%(leaders)s::bigint[])[1 + g %% %(leader_count)s]",
            "has_league_branch": "g %% 2 = 0",
            "service_promises": "'微笑服务，文明用语' || chr(10) || '首问负责，一次告知'",
            "supervision_phone": "'0551-65551234'",
            "pledge_accepted_at": "now()",
            "status": f"CASE WHEN {waiting} THEN 'submitted' WHEN {returned} THEN 'returned' ELSE 'registered' END",
            "registration_number": f"CASE WHEN {waiting} OR {returned} THEN NULL ELSE t.region_id || '-' || (2016 + g %% 10) || '-' || lpad(g::text, 7, '0') END",
            "registered_on": f"CASE WHEN {waiting} OR {returned} THEN NULL ELSE DATE '2016-01-01' + (g * 37 %% 3600)::int END",
            "member_count": "6 + g %% 30",
            "updated_at": "now() - make_interval(secs => (g * 7919 %% 31536000)::int)",
        },
        "FROM generate_series(1::bigint, %(count)s) AS g JOIN bench_nodes t ON t.idx = 1 + (g * 7919) %% %(registering)s",
        {
            "count": count, "registering": registering, "industries": industries, "industry_count": len(industries),
            "leaders": leader_ids, "leader_count": len(leader_ids),
        },
        label=f"{count:,} collectives over {registering:,} registering nodes",
    )
    print(f"  collectives: {time.perf_counter() - started:.1f} s")
    return registering


def refresh_honor_levels():
    """honor_level and latest_named_on of every collective from its valid titles, as apps/evaluations and
    apps/directory keep them when a round names or a title is revoked."""
    run(
        """
        UPDATE collectives_collective c SET honor_level = v.level, latest_named_on = v.named_on
        FROM (SELECT collective_id,
                     (ARRAY['county', 'city', 'provincial', 'national'])[max(CASE level WHEN 'county' THEN 1 WHEN 'city' THEN 2
                                                                          WHEN 'provincial' THEN 3 ELSE 4 END)] AS level,
                     max(named_on) AS named_on
              FROM evaluations_honor WHERE status = 'named' GROUP BY collective_id) v
        WHERE v.collective_id = c.id
        """,
        label="honor_level of the named collectives",
    )
