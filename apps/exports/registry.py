"""The staff lists that can be exported, each declared once where its page is (`@staff_export` on a builder in the
app's views), so that the page, its immediate download and the background job read the same rows.

A builder takes the request (its user and query string, as the page reads them) and the URL's arguments, checks the
user's rights like the page does, and returns the `Workbook`: the file name and the sheets, whose rows are the
page's scoped and filtered querysets. The task worker calls the same builder on a replayed request (workflow.py).
"""

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import import_module

from django.contrib.auth.decorators import login_required

from civpost.exports import Sheet


@dataclass(frozen=True)
class Workbook:
    filename: str
    sheets: Sequence[Sheet]
    node: object = None  # the committee whose list it is, when the list belongs to one (a round's, a re-check's)


@dataclass(frozen=True)
class ExportKind:
    key: str  # "<app>.<name>": the app's views declare it
    label: str
    build: Callable  # (request, **url_arguments) -> Workbook; raises Http404 or PermissionDenied like the page


_KINDS = {}


def staff_export(key, label):
    """Declare `build` as the export `key` and return its view: the file at once when it is short, a job otherwise."""

    def decorate(build):
        kind = ExportKind(key, label, build)
        _KINDS[key] = kind

        @login_required
        @functools.wraps(build)
        def view(request, **arguments):
            from .views import export

            return export(request, kind, arguments)

        return view

    return decorate


def get(key):
    if key not in _KINDS:
        import_module(f"apps.{key.split('.', 1)[0]}.views")  # the task worker has not loaded the app's views
    return _KINDS[key]


def label(key):
    try:
        return get(key).label
    except (KeyError, ImportError):  # a kind whose app or view is gone
        return key
