"""Delete security events older than the retention time (SECURITY_EVENT_RETENTION_DAYS, at least 180 days).

    manage.py purge_security_events            # delete what is older than the retention time
    manage.py purge_security_events --dry-run  # only say how many
    manage.py purge_security_events --days 365 # keep longer this time (never fewer than 180)

Run it daily (cron). Younger events are never touched: on PostgreSQL a trigger refuses their deletion anyway.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.security.models import LEGAL_MINIMUM_DAYS, SecurityEvent


class Command(BaseCommand):
    help = "Delete security events older than the retention time (at least 180 days)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.SECURITY_EVENT_RETENTION_DAYS)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, days, dry_run, **options):
        if days < LEGAL_MINIMUM_DAYS:
            raise CommandError(f"Security events are kept at least {LEGAL_MINIMUM_DAYS} days; --days {days} is too short.")
        if dry_run:
            count = SecurityEvent.objects.older_than(days).count()
            self.stdout.write(f"{count} security events are older than {days} days (nothing deleted).")
            return
        count = SecurityEvent.objects.purge(days)
        self.stdout.write(f"Deleted {count} security events older than {days} days.")
