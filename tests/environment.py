"""Loaded with -p before Django is set up: the environment the test suite runs in.

Anything already set (e.g. DATABASE_URL for the PostgreSQL run) wins.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("HTTPS", "false")
# Tests render templates without running collectstatic first.
os.environ.setdefault("STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage")
