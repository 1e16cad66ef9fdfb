"""The sheets of the activity roll-ups (civpost/exports.py writes them): totals by child committee and by industry,
the collectives that have and have not reported for a campaign, and the volunteer-hours ranking."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from apps.collectives.models import Collective
from civpost.exports import Column, Sheet, field_column

FIGURES = [
    ("activities", gettext_lazy("Activities")),
    ("participants", gettext_lazy("Participants")),
    ("beneficiaries", gettext_lazy("People served")),
    ("volunteer_services", gettext_lazy("Volunteer services")),
    ("volunteer_hours", gettext_lazy("Volunteer hours")),
]


def _key(name):
    return lambda row: row[name]


def totals_sheets(by_child, by_industry):
    """Two sheets of the summary's rows (a few dozen, already aggregated in the database)."""
    columns = [Column(pgettext_lazy("spreadsheet column", "Name"), _key("label"), 24), *(Column(label, _key(key), 12) for key, label in FIGURES)]
    return [Sheet(_("By committee"), columns, by_child), Sheet(_("By industry"), columns, by_industry)]


def collective_sheet(title, collectives):
    columns = [
        field_column(Collective, "name", 30),
        field_column(Collective, "workplace_unit", 28),
        field_column(Collective, "registering_node__name", 20),
        Column(gettext_lazy("highest title"), lambda c: c.get_honor_level_display() or _("Aspiring collective"), 14),
        field_column(Collective, "supervision_phone", 16),
    ]
    return Sheet(title, columns, collectives.select_related("registering_node").order_by("registering_node__path", "pk"))


def ranking_sheet(ranking):
    columns = [
        Column(gettext_lazy("collective"), _key("collective__name"), 30),
        Column(gettext_lazy("workplace unit"), _key("collective__workplace_unit"), 28),
        Column(gettext_lazy("Volunteer services"), _key("services"), 12),
        Column(gettext_lazy("Volunteer hours"), _key("hours"), 12),
    ]
    return Sheet(_("Volunteer hours ranking"), columns, ranking, numbered=True)


