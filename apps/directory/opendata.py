"""Open data: the public posts as CSV and JSON, streamed.

A national export holds every public post, so nothing is loaded whole: the posts are read with a server-side cursor
(`values_list(...).iterator(chunk_size=CHUNK)`), CHUNK at a time, and each chunk costs one more query for the titles
of its posts. Memory stays at one chunk, and the first bytes leave before the last row is read.

Only public fields are exported: nothing about members, the 号长's account, the address or the registering
committee's internal work (../shared/domain.md §9).
"""

import csv
import itertools
import json
from collections import defaultdict

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from apps.evaluations.models import Honor
from apps.evaluations.titles import honor_title
from apps.organizations.models import Industry, Region
from civpost.exports import escape_formula

from .filters import ASPIRING, NAMED, NATIONAL_REGION

CHUNK = 2000
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"

# The schema: every field of a record, in order, with its meaning. The open-data page shows this list.
FIELDS = [
    ("id", "integer", _("Identifier of the post; its public page is /posts/<id>/.")),
    ("name", "text", _("Name of the collective.")),
    ("workplace_unit", "text", _("The workplace unit (employer) the collective belongs to.")),
    ("province", "text", _("Province-level region.")),
    ("city", "text", _("Prefecture-level region (empty if the post is registered at province level).")),
    ("county", "text", _("County-level region (empty if the post is registered above county level).")),
    ("region_code", "text", _("GB/T 2260 code of the post's region.")),
    ("industry", "text", _("Industry.")),
    ("status", "text", _("named: holds at least one valid title; aspiring: a registered aspiring collective (争创集体).")),
    ("highest_level", "text", _("Highest level among the valid titles: national, provincial, city or county; empty if aspiring.")),
    (
        "titles",
        "list",
        _(
            "Valid titles with their year and certificate number. JSON: a list of objects (year, level, title, "
            "certificate_number); CSV: \"year title certificate number\", separated by \"; \"."
        ),
    ),
    ("registration_number", "text", _("Registration number given when the collective registered (争创备案).")),
    ("registered_on", "date", _("Date of registration, YYYY-MM-DD.")),
    ("service_promises", "list", _("The collective's service promises. JSON: a list; CSV: one promise per line.")),
    ("supervision_phone", "text", _("The public supervision phone of the post (never a personal phone).")),
    ("url", "URL", _("Address of the post's public page.")),
]
FIELD_NAMES = [name for name, _type, _meaning in FIELDS]

COLUMNS = (
    "pk", "name", "workplace_unit", "region_id", "industry_id", "honor_level",
    "registration_number", "registered_on", "service_promises", "supervision_phone",
)  # fmt: skip


class Places:
    """Province, city and county names of a region code, from one read of the (small) region table."""

    def __init__(self):
        self.regions = dict((code, (name, parent)) for code, name, parent in Region.objects.values_list("code", "name", "parent_id"))
        self.cache = {}

    def __call__(self, code):
        if code not in self.cache:
            chain, current = [], code
            while current in self.regions and current != NATIONAL_REGION:
                name, current = self.regions[current]
                chain.append(name)
            chain.reverse()
            self.cache[code] = (chain + ["", "", ""])[:3]
        return self.cache[code]


def records(queryset, page_url):
    """The export records of a queryset of public collectives, in id order, one chunk at a time.

    `page_url` is a format string of the public page's absolute URL, with `{}` for the id."""
    with translation.override(settings.LANGUAGE_CODE):  # titles in the portal's language, whatever the visitor's
        places = Places()
        industries = dict(Industry.objects.values_list("pk", "name"))
        rows = queryset.order_by("pk").values_list(*COLUMNS).iterator(chunk_size=CHUNK)
        for chunk in itertools.batched(rows, CHUNK):
            titles = defaultdict(list)
            # Ids ascend, so the chunk's titles are those of the ids between its first and last: no long IN list.
            honors = Honor.objects.valid().filter(collective_id__gte=chunk[0][0], collective_id__lte=chunk[-1][0])
            for collective_id, level, stars, edition, year, number in honors.order_by("collective_id", "-year", "pk").values_list(
                "collective_id", "level", "star_grade", "edition", "year", "certificate_number"
            ):
                titles[collective_id].append(
                    {"year": year, "level": level, "title": str(honor_title(level, stars, edition)), "certificate_number": number}
                )
            yield [
                {
                    "id": pk,
                    "name": name,
                    "workplace_unit": unit,
                    **dict(zip(("province", "city", "county"), places(region), strict=True)),
                    "region_code": region,
                    "industry": industries.get(industry, ""),
                    "status": NAMED if level else ASPIRING,
                    "highest_level": level,
                    "titles": titles.get(pk, []),
                    "registration_number": number or "",
                    "registered_on": registered_on.isoformat() if registered_on else "",
                    "service_promises": [line.strip() for line in promises.splitlines() if line.strip()],
                    "supervision_phone": phone,
                    "url": page_url.format(pk),
                }
                for pk, name, unit, region, industry, level, number, registered_on, promises, phone in chunk
            ]


# CSV ------------------------------------------------------------------------------------------------------


class _Line:
    """A file-like object whose write() returns what it was given: csv.writer then formats one row at a time."""

    def write(self, value):
        return value


def cell(value):
    """A CSV cell that a spreadsheet shows as text and never runs as a formula (CSV injection)."""
    return escape_formula("" if value is None else str(value))


def csv_cells(record):
    titles = "; ".join(f"{t['year']} {t['title']} {t['certificate_number']}" for t in record["titles"])
    values = {**record, "titles": titles, "service_promises": "\n".join(record["service_promises"])}
    return [cell(values[name]) for name in FIELD_NAMES]


def csv_stream(queryset, page_url):
    writer = csv.writer(_Line())
    # The byte order mark makes Excel read the file as UTF-8 (without it, Chinese comes out garbled).
    yield "\ufeff" + writer.writerow(FIELD_NAMES)
    for chunk in records(queryset, page_url):
        yield "".join(writer.writerow(csv_cells(record)) for record in chunk)


# JSON -----------------------------------------------------------------------------------------------------


def json_stream(queryset, page_url, source):
    head = {"licence": LICENCE, "licence_url": LICENCE_URL, "source": source, "fields": FIELD_NAMES}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "posts": ['
    separator = "\n"
    for chunk in records(queryset, page_url):
        yield separator + ",\n".join(json.dumps(record, ensure_ascii=False) for record in chunk)
        separator = ",\n"
    yield "\n]}\n"
