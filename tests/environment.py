"""Loaded with -p before Django is set up: the environment the test suite runs in.

Anything already set (e.g. DATABASE_URL for the PostgreSQL run) wins.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("HTTPS", "false")
# Tests render templates without running collectstatic first.
os.environ.setdefault("STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage")
# Two-factor authentication is required of admins in production; tests that check it switch it on.
os.environ.setdefault("OTP_REQUIRED_FOR_ADMINS", "false")
