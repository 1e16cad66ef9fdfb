"""The score table and the proposed list of a round, computed in the database whatever the round's size.

Each application in the table carries its experts' mean per rubric item, the mean and variance of their totals
(submitted reviews only), its committee (the ancestor of its registering committee just below the round's node:
a province for a national round) and the rank its last recommending committee gave it. Pages slice it 50 rows at
a time; the workflow's bulk steps rank it for the top-N proposal.
"""

from functools import cached_property
from math import sqrt

from django.core.paginator import Paginator
from django.db.models import Avg, Count, F, FloatField, Func, OuterRef, Q, Subquery, Value
from django.db.models.functions import Substr

from apps.organizations.models import Node

from .enums import AppStatus
from .models import Application, Recommendation, ReviewAssignment

SUBMITTED = Q(assignments__submitted_at__isnull=False)

# Each order of the table: the annotations it needs, and the ordering.
SORTS = {
    "-mean": (["mean_total"], [F("mean_total").desc(nulls_last=True), "pk"]),
    "mean": (["mean_total"], [F("mean_total").asc(nulls_last=True), "pk"]),
    "-spread": (["variance"], [F("variance").desc(nulls_last=True), "pk"]),
    "spread": (["variance"], [F("variance").asc(nulls_last=True), "pk"]),
    "name": ([], ["collective__name", "pk"]),
    "committee": (["committee_path", "mean_total"], ["committee_path", F("mean_total").desc(nulls_last=True), "pk"]),
}


def table_statuses():
    return [AppStatus.REVIEW, *AppStatus.on_notice_list(), AppStatus.NOT_SELECTED]


def committee_path(round):
    """The path of the committee just below the round's node that an application comes through."""
    return Substr("collective__registering_node__path", 1, Node.steplen * (round.node.depth + 1))


def committees(round):
    """The committees just below the round's node, by path: what the table filters and sorts by."""
    return {node.path: node for node in Node.objects.get_children(round.node).only("pk", "name", "path", "depth")}


class JSONNumber(Func):
    """The number under an object key of a JSON column. (Django's key transforms read a key of digits, as the
    rubric items' ids in `scores` are, as an array index.)"""

    output_field = FloatField()

    def __init__(self, expression, key, **extra):
        super().__init__(expression, Value(str(key)), **extra)

    def as_sql(self, compiler, connection, **extra_context):  # SQLite and others: a JSON path with a quoted key
        column, key = self.source_expressions
        column_sql, column_params = compiler.compile(column)
        return f"CAST(JSON_EXTRACT({column_sql}, %s) AS REAL)", (*column_params, f'$."{key.value}"')

    def as_postgresql(self, compiler, connection, **extra_context):
        column, key = self.source_expressions
        column_sql, column_params = compiler.compile(column)
        return f"(({column_sql} ->> %s)::double precision)", (*column_params, key.value)


def _item_score(item):
    return JSONNumber("assignments__scores", item.pk)


def _total(items):
    return sum((_item_score(item) for item in items), start=0.0) if items else 0.0


def in_table(round):
    return round.applications.filter(status__in=table_statuses())


def scored(queryset, round, items):
    """The applications with their scores aggregated: per item, the mean and variance of the totals."""
    total = _total(items)
    return queryset.annotate(
        **{f"item_{item.pk}": Avg(_item_score(item), filter=SUBMITTED) for item in items},
        mean_total=Avg(total, filter=SUBMITTED),
        mean_square=Avg(total * total, filter=SUBMITTED),
        scored_count=Count("assignments", filter=SUBMITTED),
        committee_path=committee_path(round),
    ).annotate(variance=F("mean_square") - F("mean_total") * F("mean_total"))


def ordered_pks(queryset, round, items, sort):
    """The pks in the table's order, computing only what the order needs: narrow rows over the whole round."""
    total = _total(items)
    needs = {
        "mean_total": Avg(total, filter=SUBMITTED),
        "variance": Avg(total * total, filter=SUBMITTED) - Avg(total, filter=SUBMITTED) * Avg(total, filter=SUBMITTED),
        "committee_path": committee_path(round),
    }
    names, ordering = SORTS[sort]
    return queryset.annotate(**{name: needs[name] for name in names}).order_by(*ordering).values_list("pk", flat=True)


class TablePaginator(Paginator):
    """Pages of ordered pks, counted on the filtered table without its aggregates."""

    def __init__(self, ordered, per_page, table):
        super().__init__(ordered, per_page)
        self.table = table

    @cached_property
    def count(self):
        return self.table.count()


def filtered(queryset, committee=None, proposed=None, search=""):
    if committee is not None:
        queryset = queryset.filter(collective__registering_node__path__startswith=committee.path)
    if proposed is not None:
        queryset = queryset.filter(proposed=proposed)
    if search:
        queryset = queryset.filter(collective__name__icontains=search)
    return queryset


def rows(page, round, items, committees_by_path):
    """The page's rows ready to show, in the page's order: their scores, experts' reviews and recommending ranks
    in three queries."""
    order = list(page)
    scored_rows = scored(in_table(round).filter(pk__in=order), round, items).select_related("collective")
    applications = sorted(scored_rows, key=lambda application: order.index(application.pk))
    assignments = {}
    for assignment in ReviewAssignment.objects.filter(application__in=applications).select_related("expert").order_by("pk"):
        assignments.setdefault(assignment.application_id, []).append(assignment)
    # The rank of the last committee that gave one (the one just below the round's node).
    ranks = dict(
        Recommendation.objects.filter(application__in=applications, rank__isnull=False)
        .order_by("created_at", "pk")
        .values_list("application_id", "rank")
    )
    result = []
    for application in applications:
        result.append(
            {
                "application": application,
                "committee": committees_by_path.get(application.committee_path),
                "assignments": assignments.get(application.pk, []),
                "item_means": [_one_decimal(getattr(application, f"item_{item.pk}")) for item in items],
                "mean": _one_decimal(application.mean_total) if application.scored_count else None,
                "rank": ranks.get(application.pk),
                "spread": _one_decimal(sqrt(max(application.variance, 0))) if application.scored_count > 1 else None,
            }
        )
    return result


def _one_decimal(value):
    return None if value is None else round(value, 1)


def expert_workload(round):
    """Each expert of the round by name: assigned, scored, conflicts declared (one query)."""
    return (
        ReviewAssignment.objects.filter(application__round=round)
        .values("expert_id", "expert__real_name", "expert__username")
        .annotate(
            assigned=Count("pk"),
            scored=Count("pk", filter=Q(submitted_at__isnull=False)),
            conflicts=Count("pk", filter=Q(conflict_declared=True)),
        )
        .order_by("-assigned", "expert_id")
    )


def quota_use(round):
    """(proposed in review, [(RoundQuota, proposed from its committee)]) in two queries."""
    proposed = Application.objects.filter(round=round, status=AppStatus.REVIEW, proposed=True)
    used = (
        proposed.filter(collective__registering_node__path__startswith=OuterRef("node__path"))
        .order_by()
        .values("round")
        .annotate(n=Count("pk"))
        .values("n")
    )
    shares = round.quotas.select_related("node").annotate(used=Subquery(used)).order_by("node__path")
    return proposed.count(), [(share, share.used or 0) for share in shares]


def ranked_for_proposal(round):
    """(pk, registering committee's path) of the applications in review with a submitted score, best first."""
    total = _total(list(round.rubric_items.all()))
    return (
        round.applications.filter(status=AppStatus.REVIEW, assignments__submitted_at__isnull=False)
        .annotate(mean_total=Avg(total, filter=SUBMITTED))
        .order_by(*SORTS["-mean"][1])
        .values_list("pk", "collective__registering_node__path")
    )
