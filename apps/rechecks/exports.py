"""The columns of a re-check's export (civpost/exports.py writes them)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civpost.exports import Column, Sheet, attribute


def recheck_sheet(recheck, items):
    columns = [
        Column(gettext_lazy("collective"), attribute("honor__collective__name"), 30),
        Column(gettext_lazy("registering committee"), attribute("honor__collective__registering_node__name"), 20),
        Column(gettext_lazy("title"), attribute("honor__title"), 24),
        Column(gettext_lazy("certificate number"), attribute("honor__certificate_number"), 20),
        Column(gettext_lazy("Report filed"), attribute("report_filed_at"), 18),
        Column(gettext_lazy("re-check report"), attribute("report"), 50),
        Column(gettext_lazy("outcome"), lambda item: item.get_outcome_display(), 20),
        Column(gettext_lazy("reason"), attribute("outcome_reason"), 40),
        Column(gettext_lazy("deadline"), attribute("rectification__deadline"), 12),
        Column(gettext_lazy("required changes"), attribute("rectification__required_changes"), 30),
        Column(gettext_lazy("Rectification confirmed"), attribute("rectification__lifted_at"), 18),
        Column(gettext_lazy("Decided on"), attribute("decided_at"), 18),
    ]
    return Sheet(_("Re-check"), columns, items, heading=[recheck.title])
