"""The columns of the supervision exports (civpost/exports.py writes them). The complainant's name and contact stay
out, as they stay out of the list: they are on the complaint's own page, for the staff who handle it."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civpost.exports import Column, Sheet, attribute


def complaint_sheet(complaints):
    columns = [
        Column(gettext_lazy("Tracking code"), attribute("tracking_code"), 14),
        Column(gettext_lazy("collective"), attribute("collective__name"), 30),
        Column(gettext_lazy("committee"), attribute("node__name"), 20),
        Column(gettext_lazy("Received on"), attribute("created_at"), 18),
        Column(gettext_lazy("when it happened"), attribute("happened_on"), 12),
        Column(gettext_lazy("what happened"), attribute("what_happened"), 50),
        Column(gettext_lazy("status"), lambda c: c.get_status_display(), 16),
        Column(gettext_lazy("serious"), lambda c: _("Yes") if c.serious else "", 8),
        Column(gettext_lazy("outcome"), attribute("outcome"), 40),
        Column(gettext_lazy("Closed on"), attribute("closed_at"), 18),
    ]
    return Sheet(_("Complaints"), columns, complaints)


def warning_sheet(warnings):
    columns = [
        Column(gettext_lazy("collective"), attribute("collective__name"), 30),
        Column(gettext_lazy("registering committee"), attribute("collective__registering_node__name"), 20),
        Column(gettext_lazy("kind"), lambda w: w.get_kind_display(), 14),
        Column(gettext_lazy("reason"), attribute("reason"), 40),
        Column(gettext_lazy("required changes"), attribute("required_changes"), 30),
        Column(gettext_lazy("deadline"), attribute("deadline"), 12),
        Column(gettext_lazy("Issued"), attribute("issued_at"), 18),
        Column(gettext_lazy("Issued by"), lambda w: w.issued_by.get_full_name(), 12),
        Column(gettext_lazy("Lifted"), attribute("lifted_at"), 18),
        Column(gettext_lazy("Lifted by"), lambda w: w.lifted_by.get_full_name() if w.lifted_by else "", 12),
        Column(gettext_lazy("lift comment"), attribute("lift_comment"), 30),
    ]
    return Sheet(_("Warnings"), columns, warnings)
