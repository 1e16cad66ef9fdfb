"""Recompute and cache the statistics of the national committee and the provinces (and deeper with --depth).

With a cache the web workers share (CACHE_URL=redis://...), run it from cron more often than STATS_CACHE_SECONDS
(e.g. every 4 minutes for the default 5) and no visitor waits for the widest aggregates: the busiest pages are
always served from the cache. See apps/stats/figures.py."""

import time

from django.core.management.base import BaseCommand

from apps.organizations.enums import NodeKind
from apps.organizations.models import Node
from apps.stats.figures import figures


class Command(BaseCommand):
    help = __doc__.split("\n\n")[0]

    def add_arguments(self, parser):
        parser.add_argument("--depth", type=int, default=2, help="tree depth to refresh: 1 national, 2 provinces (default), 3 cities ...")

    def handle(self, *args, depth, **options):
        started = time.perf_counter()
        nodes = Node.objects.filter(kind=NodeKind.LEAGUE_COMMITTEE, is_active=True, depth__lte=depth).order_by("path")
        count = 0
        for node in nodes:
            figures(node, refresh=True)
            count += 1
        self.stdout.write(f"Statistics of {count} committees refreshed in {time.perf_counter() - started:.1f} s.")
