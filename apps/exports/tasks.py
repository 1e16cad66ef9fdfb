"""The export job run by the task worker (`manage.py db_worker`), retried after a crash (civpost/tasks.py)."""

import logging

from civpost.tasks import retrying_task

from . import workflow

logger = logging.getLogger(__name__)


@retrying_task(retries=workflow.ATTEMPTS - 1, backoff_seconds=60)
def export_job(job_pk):
    try:
        workflow.write(job_pk)
    except Exception as error:
        logger.exception("Export job %s failed", job_pk)
        workflow.fail(job_pk, error)
        raise
