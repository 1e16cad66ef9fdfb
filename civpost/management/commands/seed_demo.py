"""`manage.py seed_demo`: demo data for trying the portal, from the committee tree to named collectives.

Each app seeds its own part, in one transaction: apps/collectives/demo.py (committees, accounts, collectives in
every registration state), then apps/evaluations/demo.py (naming rounds in every stage), then apps/activities/demo.py
(campaigns, activity reports with volunteer hours and photos, an annual summary), then apps/rechecks/demo.py
(complaints in every state, a warning, a re-check with an overdue rectification). Idempotent: running it
twice leaves the same data. The accounts are listed in README.md.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from apps.activities.demo import seed_activities
from apps.collectives.demo import DEMO_PASSWORD, seed_collectives
from apps.evaluations.demo import seed_rounds
from apps.rechecks.demo import seed_supervision

NO_MAIL = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}


class Command(BaseCommand):
    help = (
        "Create demo committees, accounts, collectives in every state, naming rounds in every stage, "
        "campaigns and activity reports (idempotent)."
    )

    def handle(self, *args, **options):
        # The workflow notifies as in real use; the in-portal notifications are kept, but no mail goes to the
        # demo accounts' example.com addresses (nor floods the console backend of `make run`).
        with override_settings(MAILERS=NO_MAIL), transaction.atomic():
            seed_collectives(self.stdout)
            seed_rounds(self.stdout)
            seed_activities(self.stdout)
            seed_supervision(self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Every demo account's password is “{DEMO_PASSWORD}”."))
