from apps.imports.commands import ImportCommand


class Command(ImportCommand):
    help = "Import collectives with their 号长 from an .xlsx file for a committee's area (see README: Imports)."
    kind_slug = "collectives"
