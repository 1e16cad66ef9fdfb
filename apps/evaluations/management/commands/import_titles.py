from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tablib import Dataset

from apps.collectives.cells import UnreadableSheet, read_sheet
from apps.organizations.enums import Action, NodeKind
from apps.organizations.models import Node
from apps.organizations.scope import StaffScope

from ...resources import TitleResource, import_errors


class Command(BaseCommand):
    help = (
        "Import historical titles (named before the portal existed) from an .xlsx or CSV file with the columns of "
        "TitleResource, for the collectives of one committee's area. All or nothing: when any row is refused, "
        "nothing is saved and the command exits with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--node", required=True, help="region code of the importing league committee, e.g. 340800")
        parser.add_argument("--user", help="username of the committee admin recorded as the importer")
        parser.add_argument("--dry-run", action="store_true", help="check every row and report, save nothing")

    def handle(self, *args, file, node, user, dry_run, **options):
        committee = Node.objects.filter(region_id=node, kind=NodeKind.LEAGUE_COMMITTEE).first()
        if committee is None:
            raise CommandError(_("No league committee has the region code %(code)s.") % {"code": node})
        importer = self._importer(user, committee)
        try:
            rows = read_sheet(file.read_bytes())
        except (OSError, UnreadableSheet) as error:
            raise CommandError(str(error)) from None
        if not rows:
            raise CommandError(_("The file is empty."))
        dataset = Dataset(*rows[1:], headers=[str(cell or "") for cell in rows[0]])
        result = TitleResource(user=importer, node=committee).import_data(
            dataset, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True
        )
        totals = result.totals
        self.stdout.write(
            _("%(rows)s rows: %(new)s new, %(skipped)s already imported, %(refused)s refused.")
            % {"rows": len(dataset), "new": totals["new"], "skipped": totals["skip"], "refused": totals["invalid"] + totals["error"]}
        )
        errors = import_errors(result)
        for line, message in errors:
            self.stderr.write(_("Line %(line)s: %(message)s") % {"line": line, "message": message} if line else message)
        if errors:
            raise CommandError(_("Nothing was saved: correct the rows above and import the file again."), returncode=1)
        if dry_run:
            self.stdout.write(_("Dry run: nothing was saved."))

    def _importer(self, username, committee):
        if not username:
            return None
        importer = get_user_model().objects.filter(username=username).first()
        if importer is None or not StaffScope(importer).can(Action.MANAGE_NODE, committee):
            raise CommandError(_("%(user)s is not an admin of %(committee)s.") % {"user": username, "committee": committee.name})
        return importer
