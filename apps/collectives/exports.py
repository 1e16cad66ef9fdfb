"""The columns of the collectives' staff exports (civpost/exports.py writes them)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.organizations.enums import Level
from apps.organizations.names import region_label
from civpost.exports import Column, Sheet, field_column, label

from .models import Collective, Status

YES_NO = [(True, gettext_lazy("Yes")), (False, gettext_lazy("No"))]


def registration_columns():
    """The registration queue (any tab): what the page shows, plus the figures a committee sends up with a list
    of its collectives: member count, youth share and the highest title."""
    return [
        field_column(Collective, "registration_number", 18),
        field_column(Collective, "name", 30),
        field_column(Collective, "workplace_unit", 28),
        Column(gettext_lazy("region"), lambda c: region_label(c.region), 18),
        field_column(Collective, "industry__name", 12),
        field_column(Collective, "registering_node__name", 20),
        Column(gettext_lazy("status"), label("status", Status.choices), 14),
        field_column(Collective, "member_count", 8),
        Column(gettext_lazy("youth share (%)"), lambda c: c.youth_share, 10),
        Column(gettext_lazy("highest title"), label("honor_level", Level.choices), 12),
        field_column(Collective, "registered_on", 12),
        field_column(Collective, "supervision_phone", 16),
        Column(gettext_lazy("has a youth league branch"), label("has_league_branch", YES_NO), 10),
        field_column(Collective, "updated_at", 18),
    ]


def registration_sheet(collectives):
    """`collectives` annotated with `young_members` (CollectiveQuerySet.with_young_members)."""
    return Sheet(_("Registrations"), registration_columns(), collectives)
