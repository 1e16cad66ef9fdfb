"""Pieces of the honour workflow shown on pages owned by other apps (the 号长's workspace, the post page)."""

from django import template

from ..eligibility import check_eligibility, is_eligible, recent_report_counts, supervision_counts
from ..enums import HonorStatus
from ..models import Application, CreationRegistration, Honor
from ..queries import open_rounds_for

register = template.Library()


@register.inclusion_tag("evaluations/includes/rounds_panel.html")
def rounds_panel(collectives):
    """For each of the 号长's collectives: the rounds open to it, each with its eligibility checks."""
    collectives = list(collectives)
    rounds_by_collective = open_rounds_for(collectives)
    ids = list(rounds_by_collective)
    all_applications = list(
        Application.objects.filter(collective__in=collectives).select_related("round", "collective").order_by("-updated_at")
    )
    applications = {(a.round_id, a.collective_id): a for a in all_applications}
    registered = set(CreationRegistration.objects.filter(collective_id__in=ids).values_list("round_id", "collective_id"))
    # One count per distinct reference date (rounds rarely differ), not one per collective.
    references = {r.reference_date for rounds in rounds_by_collective.values() for r in rounds if r.min_recent_reports}
    counts = {reference: recent_report_counts(collectives, reference) for reference in references}
    rounds = {r.pk: r for rounds in rounds_by_collective.values() for r in rounds}
    supervision = {pk: supervision_counts(collectives, round) for pk, round in rounds.items()}
    honors = {}
    for honor in Honor.objects.filter(collective_id__in=ids):
        honors.setdefault(honor.collective_id, []).append(honor)
    panels = []
    for collective in collectives:
        for round in rounds_by_collective.get(collective.pk, []):
            checks = check_eligibility(
                collective,
                round,
                honors=honors.get(collective.pk, []),
                creation_registered=(round.pk, collective.pk) in registered,
                recent_reports=counts[round.reference_date][collective.pk] if round.min_recent_reports else None,
                supervision=supervision[round.pk][collective.pk],
            )
            panels.append(
                {
                    "collective": collective,
                    "round": round,
                    "checks": checks,
                    "eligible": is_eligible(checks),
                    "application": applications.get((round.pk, collective.pk)),
                    "may_register": round.accepts_creation_registration() and (round.pk, collective.pk) not in registered,
                }
            )
    return {"panels": panels, "applications": all_applications}


@register.simple_tag
def valid_honors(collective):
    return Honor.objects.filter(collective=collective, status=HonorStatus.NAMED).select_related("named_by").order_by("-named_on")
