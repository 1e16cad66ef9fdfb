from django.core.management.base import BaseCommand
from django.db import connection, transaction

from apps.activities import report_totals
from apps.activities.models import CampaignTotal, MonthlyTotal, VolunteerYear


class Command(BaseCommand):
    help = "Recount the activity roll-ups' totals (by month, by campaign, volunteer hours by year) from the reports."

    def handle(self, *args, **options):
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Writers wait while we recount, so no report slips between the DELETE and the INSERT.
                cursor.execute(f"LOCK TABLE {report_totals.REPORTS} IN SHARE MODE")
            for statement in report_totals.recount(connection.vendor):
                cursor.execute(statement)
        counts = [model.objects.count() for model in (MonthlyTotal, CampaignTotal, VolunteerYear)]
        self.stdout.write("{:,} monthly, {:,} campaign and {:,} volunteer-year totals rebuilt.".format(*counts))
