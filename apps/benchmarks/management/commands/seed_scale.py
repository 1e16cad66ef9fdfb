"""Fill a benchmark database (PostgreSQL, its name containing "bench") to national size, or a share of it.

    manage.py seed_scale               # the national size (500,000 collectives, 8,000,000 members, …)
    manage.py seed_scale --scale 0.01  # a hundredth of every volume; the accounts of accounts.py alike

Migrates, then generates into an empty database (apps/benchmarks/seeding.py says what), recounts what the workflow
keeps, refreshes the statistics and ends with VACUUM ANALYZE; prints the time of each phase.
"""

import os
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from apps.benchmarks.seeding import Seeder, Volumes

REQUIRED_IN_NAME = "bench"


def refusal():
    """Why this database must not be filled, or None: generation writes millions of rows and bypasses the
    workflow, so it runs only where the name says the database is for benchmarks."""
    if connection.vendor != "postgresql":
        return f"seed_scale generates with PostgreSQL's SQL; this database is {connection.vendor}. Set DATABASE_URL to a PostgreSQL database."
    name = connection.settings_dict["NAME"] or ""
    if REQUIRED_IN_NAME not in name:
        return f"Refusing to fill database {name!r}: seed_scale only writes to databases whose name contains {REQUIRED_IN_NAME!r}."
    return None


class Command(BaseCommand):
    help = __doc__.split("\n\n")[0]

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="share of the national size (default 1; e.g. 0.01)")
        parser.add_argument("--seed", type=int, default=2026, help="shifts every distribution; one seed gives the same data (default 2026)")

    def handle(self, *args, scale, seed, **options):
        if problem := refusal():
            raise CommandError(problem)
        if not 0 < scale <= 10:
            raise CommandError(f"--scale must be above 0 and at most 10, not {scale}.")
        from django.core.management import call_command

        from apps.collectives.models import Collective

        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        if Collective.objects.exists():
            raise CommandError(f"{connection.settings_dict['NAME']} already holds collectives: seed_scale fills an empty database (drop and create it).")
        migrated = time.perf_counter() - started
        volumes = Volumes.at(scale)
        self.stdout.write(f"Seeding {connection.settings_dict['NAME']} at scale {scale:g} (seed {seed}): {volumes}")
        seeder = Seeder(volumes, seed, write=self.stdout.write)
        seeder.seed_all()
        self.print_timings([("migrate", 0, migrated), *seeder.timings], time.perf_counter() - started)

    def print_timings(self, timings, total):
        self.stdout.write(f"\n| {'phase':<22} | {'rows':>11} | {'seconds':>8} |\n|{'-' * 24}|{'-' * 12}:|{'-' * 9}:|")
        for label, rows, seconds in timings:
            self.stdout.write(f"| {label:<22} | {rows:>11,} | {seconds:>8.1f} |")
        load = " ".join(f"{value:.2f}" for value in os.getloadavg())
        self.stdout.write(f"| {'total':<22} | {'':>11} | {total:>8.1f} |\n\nLoad average at the end: {load}")
