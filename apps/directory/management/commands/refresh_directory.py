from django.core.management.base import BaseCommand
from django.utils import timezone

from apps.collectives.models import Collective
from apps.collectives.public import publish_versions
from apps.directory.queries import bump_generation
from apps.directory.signals import latest_named_on, volunteer_hours

BATCH = 2000


class Command(BaseCommand):
    help = (
        "Recompute Collective.latest_named_on and volunteer_hours from the honours and reports "
        "(after bulk imports that bypass signals)."
    )

    def handle(self, *args, **options):
        # Only the collectives whose figures were wrong change, and each gets a new version of its post page, which
        # the task worker stores afresh: a figure fixed here shows on the page at once.
        figures = Collective.objects.annotate(hours=volunteer_hours(), named_on=latest_named_on()).order_by("pk")
        wrong = [
            pk
            for pk, hours, named_on, right_hours, right_named_on in figures.values_list("pk", "volunteer_hours", "latest_named_on", "hours", "named_on")
            if (hours, named_on) != (right_hours, right_named_on)
        ]
        now = timezone.now()
        for start in range(0, len(wrong), BATCH):
            batch = Collective.objects.filter(pk__in=wrong[start : start + BATCH])
            batch.update(latest_named_on=latest_named_on(), volunteer_hours=volunteer_hours(), updated_at=now)
        publish_versions(dict.fromkeys(wrong, now))
        bump_generation()
        self.stdout.write(f"latest_named_on and volunteer_hours recomputed: {len(wrong)} collectives corrected.")
