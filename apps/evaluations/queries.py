"""Which rounds and applications a user may see: the scoping rules of the honour workflow in one place."""

from django.db.models import Count, Exists, OuterRef, Q

from apps.collectives.models import Collective
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


# Scopes whose every node lies this deep or deeper (a city, a county, an industry unit) hold a few percent of the
# applications at most: gathered through the indexes on collective and round rather than by walking them all.
NARROW_DEPTH = 3
# A province holds a few percent of the applications: walking the list's order finds a page quickly, but only if
# testing a row is a lookup, not two joins (the count over those joins took 1.1 s at national volume, bench/).
PROVINCE_DEPTH = 2


def visible_applications(scope):
    """Applications of collectives in the user's subtree, or of rounds run in it; drafts stay private."""
    submitted = Application.objects.exclude(status=AppStatus.DRAFT)
    by_collective = scope.q(Action.VIEW, "collective__registering_node")
    by_round = scope.q(Action.VIEW, "round__node")
    roots = scope.root_nodes(Action.VIEW)
    shallowest = min((root.depth for root in roots), default=0)
    if scope.user.is_superuser or not roots or shallowest < PROVINCE_DEPTH:
        # The nation: nearly every row matches, so reading them in the list's order finds a page at once.
        return submitted.filter(by_collective | by_round)
    if shallowest < NARROW_DEPTH:
        # Each side a set of ids PostgreSQL hashes once (20,000 collectives, a few dozen rounds): each row walked in
        # the list's order is then tested by two lookups.
        collectives = Collective.objects.filter(scope.q(Action.VIEW, "registering_node")).values("pk")
        rounds = Round.objects.filter(scope.q(Action.VIEW, "node")).values("pk")
        return submitted.filter(Q(collective__in=collectives) | Q(round__in=rounds))
    # An OR across two joins reads every application; the two narrow sets, each through its index, read only the
    # user's. Read first, as ids: as subqueries under the list's joins PostgreSQL walks all 196,000 (1.3 s, bench/).
    ids = set(submitted.filter(by_collective).values_list("pk", flat=True))
    ids.update(submitted.filter(by_round).values_list("pk", flat=True))
    return Application.objects.filter(pk__in=ids)


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
