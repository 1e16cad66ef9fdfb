"""Which rounds and applications a user may see: the scoping rules of the honour workflow in one place."""

from django.db.models import Count, Exists, OuterRef, Q

from apps.organizations.enums import Action, Role
from apps.organizations.models import Membership, Node

from .enums import AppStatus, RoundKind, RoundStage
from .models import Application, Recommendation, Round


def _ancestor_paths(nodes):
    steplen = Node.steplen
    return {node.path[:end] for node in nodes for end in range(steplen, len(node.path) + 1, steplen)}


def visible_rounds(scope):
    """Rounds of the user's committees, of everything below them, and of the committees above them."""
    if scope.user.is_superuser:
        return Round.objects.all()
    roots = scope.root_nodes(Action.VIEW)
    return Round.objects.filter(scope.q(Action.VIEW, "node") | Q(node__path__in=_ancestor_paths(roots)))


def _is_national(scope, action):
    """Does the user's scope for `action` reach from the top of the tree (or have no node at all)? Then nearly every
    row matches and lists of ids would hold the whole tree."""
    return scope.user.is_superuser or min((root.depth for root in scope.root_nodes(action)), default=1) == 1


def visible_applications(scope):
    """Applications of collectives in the user's subtree, or of rounds run in it; drafts stay private."""
    submitted = Application.objects.exclude(status=AppStatus.DRAFT)
    if _is_national(scope, Action.VIEW):
        # The nation: nearly every row matches, so reading them in the list's order finds a page at once.
        return submitted.filter(scope.q(Action.VIEW, "registering_node") | scope.q(Action.VIEW, "round__node"))
    # A province or below: its committees (a few hundred at most) and its rounds (a few hundred), read first as ids,
    # each side then one index of the application's own columns (registering_node, round) — no join, no test of
    # every application's collective against the 20,000 of a province (0.3 s each for the count and the page, bench/).
    nodes = list(scope.nodes(Action.VIEW).order_by().values_list("pk", flat=True))
    rounds = list(Round.objects.filter(node__in=nodes).values_list("pk", flat=True))
    return submitted.filter(Q(registering_node__in=nodes) | Q(round__in=rounds))


def waiting_on(scope):
    """Applications whose next step belongs to one of the user's own committees."""
    if scope.user.is_superuser:
        return Application.objects.filter(status=AppStatus.PENDING)
    nodes = [node.pk for node in scope.root_nodes(Action.RECOMMEND)]
    return Application.objects.filter(status=AppStatus.PENDING, current_node__in=nodes)


def in_review_for(scope):
    """Applications in review in rounds the user administers."""
    rounds = Round.objects.filter(scope.q(Action.MANAGE_NODE, "node"))
    if not _is_national(scope, Action.MANAGE_NODE):
        # The rounds' ids first: as a subquery, PostgreSQL walked every application in review in the list's order,
        # joining each before testing its round (0.25 s for a province, bench/); as a list it reads their index.
        rounds = list(rounds.values_list("pk", flat=True))
    return Application.objects.filter(status=AppStatus.REVIEW, round__in=rounds)


def open_rounds_for(collectives):
    """Rounds a 号长's registered collectives may see now, keyed by collective id."""
    collectives = [c for c in collectives if c.status == "registered"]
    if not collectives:
        return {}
    paths = _ancestor_paths([c.registering_node for c in collectives])
    rounds = list(
        Round.objects.filter(node__path__in=paths)
        .filter(Q(stage=RoundStage.OPEN) | Q(kind=RoundKind.FILING, stage=RoundStage.FILING))
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
    return Membership.objects.current().filter(_experts_below(round.node), node__is_active=True).select_related("user", "node")


def inspectors(round):
    """Who may be named to an inspection team (现场考核): the round's experts, and the staff who act (admins,
    reviewer staff) of the round's committee and of the committees just below it, for cross-checks between them
    (the staff of the whole subtree would make a national round's list run to thousands)."""
    node = round.node
    staff = Q(role__in=[Role.ADMIN, Role.REVIEWER]) & (Q(node=node) | Q(node__path__startswith=node.path, node__depth=node.depth + 1))
    return Membership.objects.current().filter(_experts_below(node) | staff, node__is_active=True).select_related("user", "node")


def _experts_below(node):
    return Q(role=Role.EXPERT, node__path__startswith=node.path)


def recommended_by(round, node):
    """The recommendations `node` stands by in `round`, in its rank order: its latest decision on the application is
    a recommendation, and no committee has returned the application since (returned, it climbs and is decided anew)."""
    superseded = Recommendation.objects.filter(application=OuterRef("application"), pk__gt=OuterRef("pk")).filter(
        Q(node=OuterRef("node")) | Q(decision=Recommendation.Decision.RETURN)
    )
    return (
        Recommendation.objects.filter(application__round=round, node=node, decision=Recommendation.Decision.RECOMMEND)
        .exclude(Exists(superseded))
        .select_related("application__collective__region__parent", "application__collective__industry")
        .order_by("rank", "created_at", "pk")
    )


def recommending_nodes(round, scope):
    """The committees in the user's subtree that recommended applications of `round`: whose 推荐汇总表 they may see."""
    recommended = Recommendation.objects.filter(application__round=round, decision=Recommendation.Decision.RECOMMEND)
    return scope.filter(Node.objects.filter(pk__in=recommended.values("node")), Action.VIEW, "").order_by("path")


def proposed_list(round):
    """The proposed list (拟命名名单): chosen during the review, then the notice's entries whatever became of them."""
    return round.applications.filter(proposed=True, status__in=[AppStatus.REVIEW, *AppStatus.on_notice_list()])


def cycle(round):
    """The two-year national cycle a round belongs to: its filing round (创建备案), with how many collectives filed
    in it, and the naming rounds (认定) linked to it, by edition. None for a round outside any cycle."""
    filing = round if round.is_filing else round.filing_round
    if filing is None:
        return None
    return {
        "filing": filing,
        "filed": filing.creation_registrations.count(),
        "naming": list(filing.naming_rounds.select_related("node").order_by("year", "edition", "pk")),
    }
