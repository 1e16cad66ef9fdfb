"""The command line of an import kind, for provincial roll-outs: the same dry run and import as the workbench,
acting for a committee named by its region code, printing the same counts and refused rows. It exits non-zero
when any row is refused (and then writes nothing). `--user` records a staff member as the importer (in the audit
trail and on imported titles), who must be allowed to run this kind of import for the committee; without it the
import is recorded as the system's."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.invitations import invitation_url
from apps.accounts.models import User
from apps.organizations.enums import NodeKind
from apps.organizations.models import Node

from . import registry, services
from .workflow import may_import
from .resources import ImportContext


class ImportCommand(BaseCommand):
    kind_slug = None

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx workbook (the workbench's template, filled in)")
        parser.add_argument("--node", required=True, help="the region code of the committee imported for, e.g. 340000 (or an industry unit's name)")
        parser.add_argument("--dry-run", action="store_true", help="check every row and print the counts; write nothing")
        parser.add_argument("--user", help="username of the staff member recorded as the importer (default: the system)")

    def handle(self, *args, file, node, dry_run, user=None, **options):
        kind = registry.get(self.kind_slug)
        committee = (
            Node.objects.filter(region_id=node, kind=NodeKind.LEAGUE_COMMITTEE).first()
            or Node.objects.filter(name=node).first()
        )
        if committee is None:
            raise CommandError(f"No committee for {node!r}: give the region code of a league committee (e.g. 340000).")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        importer = None
        if user:
            importer = User.objects.filter(username=user).first()
            if importer is None or not may_import(importer, kind, committee):
                raise CommandError(f"{user} may not import {kind.label} for {committee.name}.")
        context = ImportContext(node=committee, actor=importer, label=path.name)
        with path.open("rb") as upload:
            outcome = services.run(kind, upload, context, dry_run=dry_run)
        self._print(outcome, context, dry_run, committee)
        if not outcome.ok:
            raise CommandError(outcome.failure or f"{outcome.refused_rows} row(s) refused; nothing written.")

    def _print(self, outcome, context, dry_run, committee):
        heading = "Dry run" if dry_run else "Import"
        self.stdout.write(f"{heading} for {committee.name}: {outcome.rows} rows")
        self.stdout.write(
            f"new {outcome.new}, updated {outcome.updated}, unchanged {outcome.unchanged}, refused {outcome.refused_rows}"
        )
        for key, value in context.notes.items():
            self.stdout.write(f"{key}: {value}")
        for error in outcome.errors:
            column = f" [{error['column']}]" if error["column"] else ""
            self.stderr.write(f"row {error['row']}{column}: {error['message']}")
        if outcome.ok and not dry_run and context.invited_user_ids:
            self.stdout.write("New accounts (pass each its one-time link to set the password):")
            for user in User.objects.filter(pk__in=context.invited_user_ids).order_by("pk").iterator(chunk_size=2000):
                self.stdout.write(f"{user.real_name}\t{user.phone}\t{invitation_url(user)}")
