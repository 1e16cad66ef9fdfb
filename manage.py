#!/usr/bin/env python
import os
import sys
from pathlib import Path

VENV_PYTHON = Path(__file__).resolve().parent / ".venv" / "bin" / "python"

# Commands that only read models and files: they sign nothing, so they need no SECRET_KEY (which production
# settings otherwise require). Running them on a bare checkout must not demand one.
KEYLESS_COMMANDS = {"makemigrations", "migrate", "showmigrations", "sqlmigrate", "makemessages", "compilemessages"}


def main():
    try:
        import django  # noqa: F401
    except ImportError:
        # Run with a Python that lacks Django (e.g. the system one): use the project's environment from `make`.
        if VENV_PYTHON.exists() and Path(sys.executable) != VENV_PYTHON:
            os.execv(VENV_PYTHON, [str(VENV_PYTHON), *sys.argv])
        raise
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civpost.settings")
    if len(sys.argv) > 1 and sys.argv[1] in KEYLESS_COMMANDS:
        os.environ.setdefault("SECRET_KEY", f"unused-by-{sys.argv[1]}")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
