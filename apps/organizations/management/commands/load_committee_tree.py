from django.core.management.base import BaseCommand

from apps.organizations.tree import load_tree


class Command(BaseCommand):
    help = "Load the GB/T 2260 regions, industries, league committees and industry member units (idempotent)."

    def handle(self, *args, **options):
        report = load_tree()
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS(f"Committee tree ready. {report}"))
