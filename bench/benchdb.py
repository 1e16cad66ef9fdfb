"""What every benchmark here shares: its own PostgreSQL database, (re)created on demand, and Django set up
against it with the production settings apart from TLS."""

import os
import sys
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


def setup_django(db_url):
    os.environ["DATABASE_URL"] = db_url
    os.environ["DEBUG"] = "false"
    os.environ["SECRET_KEY"] = "bench-only-not-a-secret"
    os.environ["HTTPS"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["STATICFILES_BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    os.environ["DJANGO_SETTINGS_MODULE"] = "civpost.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # no request log lines between the figures
    sys.path.insert(0, str(ROOT))
    # There is no collectstatic output; WhiteNoise warns about it once. Irrelevant to the figures.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import django

    django.setup()
