"""The rounds open to a 号长's collectives, with the eligibility checks of each (the registry: eligibility.RULES).

Read by the /my/ workspace twice, for the 号长's to-dos at the top (apps/workbench/workspace.py) and for the rounds
panel below: computed once per request (kept on the request), so the page pays for it once.
"""

from .eligibility import eligibility, is_eligible
from .models import Application, CreationRegistration
from .queries import open_rounds_for

REQUEST_KEY = "_civpost_round_panels"


def round_panels(request, collectives):
    """{"panels": [one per open round and collective], "applications": the collectives' applications}."""
    if request is None:
        return _round_panels(collectives)
    cached = getattr(request, REQUEST_KEY, None)
    if cached is None:
        cached = _round_panels(collectives)
        setattr(request, REQUEST_KEY, cached)
    return cached


def _round_panels(collectives):
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
