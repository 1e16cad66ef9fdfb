"""Enqueue the periodic jobs (civpost/schedule.py) when they are due: statistics every 5 minutes, reminders,
escalations and overdue notices every hour, the staff's digest and the retention clean-up once a day.

Run exactly one per deployment (deploy/civpost-scheduler.service); the workers run what it enqueues. `--once`
enqueues every job now and stops (cron-style use, and tests)."""

import logging
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from civpost import schedule

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = __doc__.split("\n\n")[0]

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Enqueue every job once and stop.")
        parser.add_argument("--tick", type=int, default=30, help="Seconds between two looks at the schedule.")

    def handle(self, *args, once=False, tick=30, **options):
        entries = schedule.entries()
        if once:
            for entry in entries:
                entry.task.enqueue()
                self.stdout.write(f"Enqueued {entry.name}.")
            return
        last_run = {}
        self.stdout.write(f"Scheduler started: {', '.join(e.name for e in entries)}.")
        while True:
            now = timezone.localtime()
            for entry in entries:
                if schedule.due(entry, now, last_run.get(entry.name)):
                    try:
                        entry.task.enqueue()
                    except Exception:  # the database is briefly away: try again at the next tick
                        logger.exception("Could not enqueue %s", entry.name)
                        continue
                    last_run[entry.name] = now
                    logger.info("Enqueued %s", entry.name)
            time.sleep(tick)
