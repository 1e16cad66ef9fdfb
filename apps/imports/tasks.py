"""Background steps of large imports, run by the task worker (Django's tasks framework; the backend is chosen by
the TASKS_BACKEND setting, the database backend of django-tasks-db by default: `manage.py db_worker`)."""

import logging

from django.db import transaction
from django.tasks import task
from django.utils.translation import gettext as _

from . import workflow

logger = logging.getLogger(__name__)


@task()
def check_job(job_pk):
    _guarded(workflow.check, job_pk)


@task()
def import_job(job_pk):
    _guarded(workflow.run_import, job_pk)


def _guarded(step, job_pk):
    """A crash must not leave the job "running" for ever: it is marked failed (nothing was written: the import's
    transaction rolled back) and the error goes to the log."""
    try:
        step(job_pk)
    except Exception:
        logger.exception("Import job %s failed", job_pk)
        workflow.fail(job_pk, _("The import failed unexpectedly; nothing has been written. Please try again or tell the administrator."))
        raise


def enqueue_after_commit(step_task, job_pk):
    transaction.on_commit(lambda: step_task.enqueue(job_pk))
