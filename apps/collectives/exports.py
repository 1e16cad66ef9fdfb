"""The columns of the collectives' staff exports (civpost/exports.py writes them)."""

from django.utils.translation import gettext_lazy as _

from apps.organizations.names import region_label
from apps.organizations.enums import Level
from civpost.exports import Column, field_column, label

from .models import Collective, Status


def registration_columns():
    """The registration queue (any tab): what the page shows, plus the figures a committee sends up with a list
    of its collectives: member count, youth share and the highest title."""
    return [
        field_column(Collective, "registration_number", 18),
        field_column(Collective, "name", 30),
        field_column(Collective, "workplace_unit", 28),
        Column(_("region"), lambda c: region_label(c.region), 18),
        field_column(Collective, "industry__name", 12),
        field_column(Collective, "registering_node__name", 20),
        Column(_("status"), label("status", Status.choices), 14),
        field_column(Collective, "member_count", 8),
        Column(_("youth share (%)"), lambda c: c.youth_share, 10),
        Column(_("highest title"), label("honor_level", Level.choices), 12),
        field_column(Collective, "registered_on", 12),
        field_column(Collective, "supervision_phone", 16),
        Column(_("has a youth league branch"), lambda c: _("Yes") if c.has_league_branch else _("No"), 10),
        field_column(Collective, "updated_at", 18),
    ]
