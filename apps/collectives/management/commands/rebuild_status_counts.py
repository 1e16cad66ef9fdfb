from django.core.management.base import BaseCommand
from django.db import connection, transaction

from apps.collectives import listed_counts, status_counts
from apps.collectives.models import NodeListedCount, NodeStatusCount


class Command(BaseCommand):
    help = "Recount the collectives of every committee by status (the registration queue's tab counts) and those on the public lists (the home page's figures)."

    def handle(self, *args, **options):
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Writers wait while we recount, so no change slips between the DELETE and the INSERT.
                cursor.execute("LOCK TABLE collectives_collective IN SHARE MODE")
            status_counts.recount(cursor.execute)
            listed_counts.recount(cursor.execute)
        self.stdout.write(f"{NodeStatusCount.objects.count() + NodeListedCount.objects.count()} counters rebuilt.")
