from apps.imports.commands import ImportCommand


class Command(ImportCommand):
    help = "Import members of collectives from an .xlsx file for a committee's area (see README: Imports)."
    kind_slug = "members"
