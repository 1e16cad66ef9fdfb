"""Pieces of the honour workflow shown on pages owned by other apps (the 号长's workspace, the post page)."""

from django import template

from ..eligibility import eligibility, is_eligible
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
    rounds = {r.pk: r for rounds in rounds_by_collective.values() for r in rounds}
    # The facts of every rule, loaded once per round for all the collectives it is open to.
    checks = {
        pk: eligibility([c for c in collectives if round in rounds_by_collective.get(c.pk, [])], round)
        for pk, round in rounds.items()
    }
    panels = []
    for collective in collectives:
        for round in rounds_by_collective.get(collective.pk, []):
            round_checks = checks[round.pk][collective.pk]
            panels.append(
                {
                    "collective": collective,
                    "round": round,
                    "checks": round_checks,
                    "eligible": is_eligible(round_checks),
                    "application": applications.get((round.pk, collective.pk)),
                    "may_register": round.accepts_creation_registration() and (round.pk, collective.pk) not in registered,
                }
            )
    return {"panels": panels, "applications": all_applications}


@register.simple_tag
def valid_honors(collective):
    return Honor.objects.filter(collective=collective, status=HonorStatus.NAMED).select_related("named_by").order_by("-named_on")
