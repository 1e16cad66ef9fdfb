from apps.imports.commands import ImportCommand


class Command(ImportCommand):
    help = (
        "Import historical titles (named before the portal existed) from an .xlsx file for the collectives of a "
        "committee's area (see README: Imports)."
    )
    kind_slug = "titles"
