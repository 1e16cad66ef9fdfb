"""The score table and the proposed list of a round, computed in the database whatever the round's size.

Each application in the table carries its experts' mean per rubric item, the mean and variance of their totals
(submitted reviews only), its committee (the ancestor of its registering committee just below the round's node:
a province for a national round) and the rank its last recommending committee gave it. Pages slice it 50 rows at
a time; the workflow's bulk steps rank it for the top-N proposal.
"""

from math import sqrt

from django.db.models import Avg, Count, F, FloatField, Func, OuterRef, Q, Subquery, Value
from django.db.models.functions import Substr

from apps.organizations.models import Node

from .enums import AppStatus
from .models import Application, Recommendation, ReviewAssignment

SUBMITTED = Q(assignments__submitted_at__isnull=False)

SORTS = {
    "-mean": (F("mean_total").desc(nulls_last=True), "pk"),
    "mean": (F("mean_total").asc(nulls_last=True), "pk"),
    "-spread": (F("variance").desc(nulls_last=True), "pk"),
    "spread": (F("variance").asc(nulls_last=True), "pk"),
    "name": ("collective__name", "pk"),
    "committee": ("committee_path", F("mean_total").desc(nulls_last=True), "pk"),
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


def scored(round, items):
    """The round's applications in the table, with their scores aggregated in one query."""
    total = sum((_item_score(item) for item in items), start=0.0) if items else None
    annotations = {f"item_{item.pk}": Avg(_item_score(item), filter=SUBMITTED) for item in items}
    if total is not None:
        annotations |= {"mean_total": Avg(total, filter=SUBMITTED), "mean_square": Avg(total * total, filter=SUBMITTED)}
    queryset = round.applications.filter(status__in=table_statuses()).annotate(
        **annotations, scored_count=Count("assignments", filter=SUBMITTED), committee_path=committee_path(round)
    )
    if total is None:
        return queryset.annotate(mean_total=F("scored_count") * 0.0, variance=F("scored_count") * 0.0)
    return queryset.annotate(variance=F("mean_square") - F("mean_total") * F("mean_total"))


def filtered(queryset, committee=None, proposed=None, search=""):
    if committee is not None:
        queryset = queryset.filter(collective__registering_node__path__startswith=committee.path)
    if proposed is not None:
        queryset = queryset.filter(proposed=proposed)
    if search:
        queryset = queryset.filter(collective__name__icontains=search)
    return queryset


def rows(page_applications, items, committees_by_path):
    """The page's rows ready to show: the experts' reviews and the recommending ranks come in two more queries."""
    applications = list(page_applications)
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
    return (
        scored(round, list(round.rubric_items.all()))
        .filter(status=AppStatus.REVIEW, scored_count__gt=0)
        .order_by(*SORTS["-mean"])
        .values_list("pk", "collective__registering_node__path")
    )
