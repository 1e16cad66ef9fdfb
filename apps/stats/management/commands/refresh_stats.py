"""Recompute the statistics snapshots of every committee of the country (apps/stats/figures.py).

The scheduler (`manage.py run_scheduler`) runs the same refresh every 5 minutes as a task, so the statistics pages
read their figures from a snapshot at most that old and no visitor waits for an aggregate; run this by hand after an
import."""

import time

from django.core.management.base import BaseCommand

from apps.organizations.models import Node
from apps.stats.figures import refresh


class Command(BaseCommand):
    help = __doc__.split("\n\n")[0]

    def handle(self, *args, **options):
        started = time.perf_counter()
        count = sum(len(refresh(root)) for root in Node.objects.get_root_nodes())
        self.stdout.write(f"Statistics of {count} committees refreshed in {time.perf_counter() - started:.1f} s.")
