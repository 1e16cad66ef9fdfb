"""Store the pages of the posts whose stored page is missing or out of date (apps/collectives/public.py).

The task worker keeps them current after each change; this fills them after a deploy that adds the table, a restore,
or a load that bypasses the workflow (seed_scale, SQL). A post without a current stored page is rendered for each
first visitor until then, never shown wrong. `--workers N` renders in N processes (PostgreSQL)."""

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.db.models import F

from apps.collectives.models import Collective, Status
from apps.collectives.public import STORE_BATCH, store_pages


def posts_to_store(every_post=False):
    """The ids of the posts with a page whose stored page is missing or older than the post (or of all of them)."""
    posts = Collective.objects.filter(status__in=Status.with_page())
    if not every_post:
        posts = posts.exclude(pk__in=Collective.objects.filter(stored_page__version=F("updated_at")).values("pk"))
    return list(posts.order_by("pk").values_list("pk", flat=True))


class Command(BaseCommand):
    help = __doc__.split("\n\n")[0]

    def add_arguments(self, parser):
        parser.add_argument("--all", dest="every_post", action="store_true", help="store every post's page afresh, current or not")
        parser.add_argument("--workers", type=int, default=1, help="processes rendering at once (default 1)")

    def handle(self, *args, every_post, workers, **options):
        if workers < 1:
            raise CommandError(f"--workers must be at least 1, not {workers}.")
        if workers > 1 and connection.vendor != "postgresql":
            raise CommandError("--workers needs PostgreSQL: SQLite takes one writer at a time.")
        started = time.perf_counter()
        pks = posts_to_store(every_post)
        self.stdout.write(f"{store_all(pks, workers):,} post pages stored in {time.perf_counter() - started:.1f} s.")


def store_all(pks, workers=1):
    """store_pages over these posts in batches, in `workers` forked processes (each opens its own connection)."""
    batches = [pks[start : start + STORE_BATCH] for start in range(0, len(pks), STORE_BATCH)]
    if workers == 1:
        return sum(map(store_pages, batches))
    connections.close_all()  # before forking: no child shares the parent's connection
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return sum(pool.map(store_pages, batches))
