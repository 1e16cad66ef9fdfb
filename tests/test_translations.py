"""The Chinese catalogue is complete: no fuzzy guess, no untranslated or obsolete entry, and the committed .mo is
the compiled .po (CONTRIBUTING.md, "Translations"). That the catalogue holds every string of the source is checked by
`make check-messages` in CI."""

import subprocess
from pathlib import Path

import pytest
from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def entries(*options):
    """The msgids msgattrib selects with these options (the header excluded)."""
    output = subprocess.run(
        ["msgattrib", "--no-wrap", *options, str(CATALOGUE)], capture_output=True, text=True, check=True
    ).stdout
    return [line for line in output.splitlines() if line.startswith(("msgid ", "#~ msgid ")) and line != 'msgid ""']


@pytest.mark.parametrize("selection", ["--only-fuzzy", "--untranslated", "--only-obsolete"])
def test_catalogue_has_no_such_entry(selection):
    assert entries(selection) == []


def test_committed_mo_is_the_compiled_catalogue(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(CATALOGUE)], check=True)
    assert compiled.read_bytes() == CATALOGUE.with_suffix(".mo").read_bytes()
