"""The sheets of the activity roll-ups (civpost/exports.py writes them): totals by child committee and by industry,
the collectives that have and have not reported for a campaign, the volunteer-hours ranking, a collective's
volunteer-service records."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from apps.collectives.models import Collective
from civpost.exports import Column, Sheet, attribute, field_column

from .models import VolunteerHours

FIGURES = [
    ("activities", gettext_lazy("Activities")),
    ("participants", gettext_lazy("Participants")),
    ("beneficiaries", gettext_lazy("People served")),
    ("volunteer_services", gettext_lazy("Volunteer services")),
    ("volunteer_hours", gettext_lazy("Volunteer hours")),
    ("volunteer_points", gettext_lazy("Volunteer points")),
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
        Column(gettext_lazy("Volunteer points"), _key("points"), 12),
    ]
    return Sheet(_("Volunteer hours ranking"), columns, ranking, numbered=True)




def service_records_sheet(collective):
    """Each member's hours, one row per service, with the data elements of a volunteer-service record (MZ/T 061-2016,
    志愿服务信息系统基本规范), for entry in the 全国志愿服务信息系统. The portal collects no identity numbers: the
    receiving system matches volunteers by them, so its operator fills that column."""
    rows = (
        VolunteerHours.objects.filter(report__collective=collective)
        .select_related("member", "report")
        .order_by("report__held_on", "report_id", "member__name")
    )
    columns = [
        Column(gettext_lazy("volunteer name"), attribute("member__name"), 12),
        Column(gettext_lazy("identity document type"), lambda row: "", 12),
        Column(gettext_lazy("identity document number"), lambda row: "", 20),
        Column(gettext_lazy("service project"), attribute("report__title"), 30),
        Column(gettext_lazy("service date"), attribute("report__held_on"), 12),
        Column(gettext_lazy("service hours"), attribute("hours"), 10),
        Column(gettext_lazy("service place"), attribute("report__place"), 24),
        Column(gettext_lazy("recording organisation"), lambda row: collective.name, 28),
        Column(gettext_lazy("points"), attribute("points"), 10),
    ]
    return Sheet(_("Volunteer service records"), columns, rows)
