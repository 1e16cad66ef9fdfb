from django.core.management.base import BaseCommand

from apps.collectives.models import Collective
from apps.directory.queries import bump_generation
from apps.directory.signals import refresh_latest_named_on


class Command(BaseCommand):
    help = "Recompute Collective.latest_named_on from the valid honours (after bulk imports that bypass signals)."

    def handle(self, *args, **options):
        changed = refresh_latest_named_on(Collective.objects.all())
        bump_generation()
        self.stdout.write(f"latest_named_on recomputed for {changed} collectives.")
