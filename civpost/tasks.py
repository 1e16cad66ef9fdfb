"""Background tasks that retry: Django's tasks framework runs a task once; `retrying_task` enqueues it again.

The backend is chosen by the TASKS_BACKEND setting: the database backend of django-tasks-db everywhere (SQLite for
`make run`, PostgreSQL in production, where every app server's `db_worker` claims rows with SKIP LOCKED). Each
failed attempt stays a FAILED task result with its traceback (admin → Task results, superusers), and the next attempt
is a new result due `backoff` × attempt seconds later; after the last one nothing is enqueued again.
"""

import functools
import logging
from datetime import timedelta

from django.db import transaction
from django.tasks import task
from django.utils import timezone

logger = logging.getLogger(__name__)


def retrying_task(retries=3, backoff_seconds=60, **options):
    """Decorate a module-level function as a task retried `retries` times after a failure."""

    def decorate(func):
        @functools.wraps(func)
        def run(*args, attempt=1, **kwargs):
            try:
                return func(*args, **kwargs)
            except Exception:
                if attempt <= retries:
                    later = timezone.now() + timedelta(seconds=backoff_seconds * attempt)
                    logger.warning("Task %s failed (attempt %s); retrying at %s", func.__name__, attempt, later)
                    wrapped.using(run_after=later).enqueue(*args, attempt=attempt + 1, **kwargs)
                else:
                    logger.error("Task %s failed for the last time (attempt %s)", func.__name__, attempt)
                raise

        wrapped = task(**options)(run)
        return wrapped

    return decorate


def enqueue_on_commit(a_task, *args, **kwargs):
    """Enqueue once the current transaction commits (at once outside one): a rolled-back change enqueues nothing,
    and the worker never looks for rows it cannot see yet."""
    transaction.on_commit(lambda: a_task.enqueue(*args, **kwargs))
