"""`makemessages` that cannot damage the catalogue (CONTRIBUTING.md, "Translations").

- New strings are never filled with a fuzzy guess from a similar one: msgmerge guesses wrong in this domain
  (a new "...with photos in the last %(months)s months" got the translation of "...at least %(count)s reports").
- References name the file, not the line, so moving code does not rewrite the catalogue.
- A run that changes nothing but the POT-Creation-Date header leaves the file as it was: running it twice on a
  clean checkout leaves `git status` clean.
"""

import re
from pathlib import Path

from django.core.management.commands import makemessages

CREATION_DATE = re.compile(r'^"POT-Creation-Date: [^"]*"$', re.MULTILINE)


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]

    def handle(self, *args, **options):
        options["add_location"] = options.get("add_location") or "file"
        before = {path: path.read_text(encoding="utf-8") for path in self._catalogues()}
        super().handle(*args, **options)
        for path, old in before.items():
            if path.exists() and self._without_date(path.read_text(encoding="utf-8")) == self._without_date(old):
                path.write_text(old, encoding="utf-8")

    @staticmethod
    def _catalogues():
        from django.conf import settings

        return [po for directory in settings.LOCALE_PATHS for po in Path(directory).glob("*/LC_MESSAGES/*.po")]

    @staticmethod
    def _without_date(text):
        return CREATION_DATE.sub("", text, count=1)
