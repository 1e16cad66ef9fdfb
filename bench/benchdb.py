"""What every benchmark here shares: its own PostgreSQL database, (re)created on demand or reused (--keep), Django
set up against it with the production settings apart from TLS. The national
data comes from `manage.py seed_scale` (apps/benchmarks/seeding.py); its SQL helpers are apps/benchmarks/sql.py."""

import os
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the scripts import apps.benchmarks before Django is set up


def _maintenance_connection(db_url):
    import psycopg2

    url = urlsplit(db_url)
    connection = psycopg2.connect(
        host=url.hostname or "127.0.0.1", port=url.port or 5432, user=url.username or "postgres", password=url.password, dbname="postgres"
    )
    connection.autocommit = True
    return connection, url.path.lstrip("/")


def on_server(db_url, statement):
    """Run a statement about the database of db_url ({name} in it: CREATE or DROP DATABASE) from the maintenance one."""
    connection, name = _maintenance_connection(db_url)
    with connection.cursor() as cursor:
        cursor.execute(statement.format(name=name))
    connection.close()


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
            # VACUUM too: the previous run's rolled-back POSTs (a proposal of 8,000 rows, many times over) leave
            # dead rows that would slow this run's reads of the same round by several times.
            cursor.execute("VACUUM (ANALYZE)")
        print(f"Reusing {db_url} (--keep): migrated, vacuumed and analysed, no data generated.")
        return
    if keep:
        print(f"--keep: {db_url} does not exist yet, generating it.")
    recreate_database(db_url)
    setup_django(db_url, allowed_hosts)
    generate()


def vacuum_analyze(started):
    """The end of a generation of the scripts that still generate their own data: seed_scale's VACUUM ANALYZE."""
    from apps.benchmarks.seeding import vacuum_analyze as vacuum

    step = time.perf_counter()
    vacuum()
    print(f"  VACUUM (ANALYZE): {time.perf_counter() - step:.1f} s")
    print(f"  generation total: {time.perf_counter() - started:.1f} s")
