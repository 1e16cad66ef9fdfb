from django.core.management.base import BaseCommand

from apps.collectives import workflow
from apps.collectives.models import Collective, Status


class Command(BaseCommand):
    help = (
        "Check every registered collective's members against the size, youth and 号长 rules and set its flag (after "
        "deploying the flag, or a bulk change made outside the portal). The 号长 of a newly flagged collective is told."
    )

    def handle(self, *args, **options):
        count = workflow.refresh_compositions(Collective.objects.filter(status=Status.REGISTERED).order_by("pk"))
        self.stdout.write(f"{count} collectives checked.")
