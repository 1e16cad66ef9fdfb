"""What the scheduler enqueues, and when (`manage.py run_scheduler`, one process per deployment).

Each entry is a task of civpost/jobs.py and a rule: every N seconds, or once a day at an hour (local time). The
scheduler only enqueues; the workers (`db_worker`) run the jobs, with retries. Every job is idempotent, so a
scheduler restarted in the middle, or started twice by mistake, sends nothing twice.
"""

from dataclasses import dataclass

from django.conf import settings

from civpost import jobs


@dataclass(frozen=True)
class Entry:
    name: str
    task: object
    every_seconds: int = 0
    daily_at_hour: int | None = None


def entries():
    return [
        Entry("refresh_statistics", jobs.refresh_statistics, every_seconds=300),
        Entry("deadline_reminders", jobs.deadline_reminders, every_seconds=3600),
        Entry("escalations", jobs.escalations, every_seconds=3600),
        Entry("overdue_notices", jobs.overdue_notices, every_seconds=3600),
        Entry("daily_digest", jobs.daily_digest, daily_at_hour=settings.DIGEST_HOUR),
        Entry("retention", jobs.retention, daily_at_hour=3),
        Entry("composition_checks", jobs.composition_checks, daily_at_hour=4),
    ]


def due(entry, now, last_run):
    """Is `entry` due at `now` (local time), last enqueued at `last_run` (None: never by this process)?"""
    if entry.daily_at_hour is not None:
        today_at = now.replace(hour=entry.daily_at_hour, minute=0, second=0, microsecond=0)
        return now >= today_at and (last_run is None or last_run < today_at)
    return last_run is None or (now - last_run).total_seconds() >= entry.every_seconds
