"""The periodic jobs, each a task (retried on failure) that the scheduler enqueues (civpost/schedule.py) and any
worker runs. Every job is idempotent: run twice in a row, the second run changes nothing."""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from civpost.tasks import retrying_task

logger = logging.getLogger(__name__)


@retrying_task(retries=2, backoff_seconds=60)
def refresh_statistics():
    """Recompute the statistics snapshots of every committee (apps/stats/figures.py)."""
    from apps.organizations.models import Node
    from apps.stats.figures import refresh

    return sum(len(refresh(root)) for root in Node.objects.get_root_nodes())


@retrying_task(retries=3, backoff_seconds=300)
def deadline_reminders():
    from apps.workbench.reminders import deadline_reminders as run

    return run(timezone.localdate())


@retrying_task(retries=3, backoff_seconds=300)
def escalations():
    from apps.workbench.reminders import escalations as run

    return run(timezone.localdate())


@retrying_task(retries=3, backoff_seconds=300)
def overdue_notices():
    """The overdue notices, then the revocation proposals of rectifications past their deadline (each notifies the
    naming committee). Both idempotent: a notice has its key, a failed rectification is never proposed again."""
    from apps.rechecks.workflow import propose_overdue_revocations
    from apps.workbench.reminders import overdue_notices as run

    today = timezone.localdate()
    return run(today) + propose_overdue_revocations(today)


@retrying_task(retries=3, backoff_seconds=300)
def composition_checks():
    """Flag the collectives whose members left the rules by growing older (apps/collectives/workflow.py)."""
    from apps.collectives.workflow import refresh_aged_compositions

    return refresh_aged_compositions(timezone.localdate())


@retrying_task(retries=3, backoff_seconds=300)
def daily_digest():
    from apps.notifications.outbox import send_digests

    return send_digests()


@retrying_task(retries=2, backoff_seconds=600)
def retention():
    """Delete what is kept only for a while: read notifications and their sent messages (NOTIFICATION_RETENTION_DAYS),
    finished task results (TASK_RESULT_RETENTION_DAYS), the files of staff exports (EXPORT_RETENTION_DAYS), expired
    sessions and sign-up/reset codes."""
    from django_tasks_db.models import DBTaskResult

    from apps.accounts.phone_codes import forget_expired_codes
    from apps.exports.workflow import forget_old as forget_old_exports
    from apps.notifications.outbox import forget_old

    now = timezone.now()
    removed = {
        "notifications": forget_old(now),
        "task_results": DBTaskResult.objects.finished()
        .filter(finished_at__lt=now - timedelta(days=settings.TASK_RESULT_RETENTION_DAYS))
        .delete()[0],
        "sessions": Session.objects.filter(expire_date__lt=now).delete()[0],
        "phone_codes": forget_expired_codes(now),
        "export_files": forget_old_exports(now),
    }
    logger.info("Retention: removed %s", removed)
    return removed
