"""Which rounds and applications a user may see: the scoping rules of the honour workflow in one place."""

from django.db.models import Count, Q

from apps.organizations.enums import Action, Role
from apps.organizations.models import Membership, Node

from .enums import AppStatus, RoundStage
from .models import Application, Round


def _ancestor_paths(nodes):
    steplen = Node.steplen
    return {node.path[:end] for node in nodes for end in range(steplen, len(node.path) + 1, steplen)}


def visible_rounds(scope):
    """Rounds of the user's committees, of everything below them, and of the committees above them."""
    if scope.user.is_superuser:
        return Round.objects.all()
    roots = scope.root_nodes(Action.VIEW)
    return Round.objects.filter(scope.q(Action.VIEW, "node") | Q(node__path__in=_ancestor_paths(roots)))


def visible_applications(scope):
    """Applications of collectives in the user's subtree, or of rounds run in it; drafts stay private."""
    return Application.objects.exclude(status=AppStatus.DRAFT).filter(
        scope.q(Action.VIEW, "collective__registering_node") | scope.q(Action.VIEW, "round__node")
    )


def waiting_on(scope):
    """Applications whose next step belongs to one of the user's own committees."""
    if scope.user.is_superuser:
        return Application.objects.filter(status=AppStatus.PENDING)
    nodes = [node.pk for node in scope.root_nodes(Action.RECOMMEND)]
    return Application.objects.filter(status=AppStatus.PENDING, current_node__in=nodes)


def in_review_for(scope):
    """Applications in review in rounds the user administers."""
    rounds = Round.objects.filter(scope.q(Action.MANAGE_NODE, "node"))
    return Application.objects.filter(status=AppStatus.REVIEW, round__in=rounds)


def open_rounds_for(collectives):
    """Rounds a 号长's registered collectives may see now, keyed by collective id."""
    collectives = [c for c in collectives if c.status == "registered"]
    if not collectives:
        return {}
    paths = _ancestor_paths([c.registering_node for c in collectives])
    rounds = list(
        Round.objects.filter(node__path__in=paths, stage__in=[RoundStage.DRAFT, RoundStage.OPEN])
        .filter(Q(stage=RoundStage.OPEN) | Q(requires_creation_registration=True))
        .select_related("node")
        .prefetch_related("rubric_items")
    )
    return {
        c.pk: [r for r in rounds if c.registering_node.path.startswith(r.node.path)] for c in collectives
    }


def stage_counts(round):
    return dict(round.applications.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))


def eligible_experts(round):
    """Expert reviewers of the round's committee and of the committees below it."""
    return Membership.objects.current().filter(
        role=Role.EXPERT, node__path__startswith=round.node.path, node__is_active=True
    ).select_related("user", "node")
