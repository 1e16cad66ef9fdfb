"""Complaint and warning pieces on pages of other apps: the staff view of a collective, the 号长's workspace."""

from django import template

from ..forms import WarningForm
from ..models import Complaint, ComplaintStatus, Warning, WarningKind

register = template.Library()


@register.inclusion_tag("complaints/includes/staff_panel.html", takes_context=True)
def supervision_panel(context, collective):
    """Open warnings, complaints and the form to warn, on the staff view of a collective."""
    return {
        "collective": collective,
        "warnings": Warning.objects.filter(collective=collective).select_related("issued_by").order_by("lifted_at", "-issued_at"),
        "complaints": Complaint.objects.filter(collective=collective).order_by("-created_at")[:20],
        "warning_form": WarningForm(),
        "next": context["request"].get_full_path(),
    }


@register.inclusion_tag("complaints/includes/workspace_panel.html")
def complaints_panel(collectives):
    """Complaints about the 号长's collectives (without the complainant) and their open warnings."""
    ids = [c.pk for c in collectives]
    return {
        "complaints": Complaint.objects.filter(collective_id__in=ids).exclude(status__in=ComplaintStatus.closed()).select_related("collective"),
        # Rectifications have their own panel, with their report (apps/rechecks).
        "warnings": Warning.objects.open().filter(collective_id__in=ids, kind=WarningKind.WARNING).select_related("collective"),
    }
