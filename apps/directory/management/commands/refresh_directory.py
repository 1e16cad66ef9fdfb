from django.core.management.base import BaseCommand

from apps.collectives.models import Collective
from apps.directory.queries import bump_generation
from apps.directory.signals import latest_named_on, volunteer_hours


class Command(BaseCommand):
    help = (
        "Recompute Collective.latest_named_on and volunteer_hours from the honours and reports "
        "(after bulk imports that bypass signals)."
    )

    def handle(self, *args, **options):
        changed = Collective.objects.update(latest_named_on=latest_named_on(), volunteer_hours=volunteer_hours())
        bump_generation()
        self.stdout.write(f"latest_named_on and volunteer_hours recomputed for {changed} collectives.")
