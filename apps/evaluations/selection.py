"""The score table and the proposed list of a round, computed in the database whatever the round's size.

Each application in the table carries its experts' mean per rubric item (computed for the page's rows), the mean
and variance of their totals (submitted reviews only: stored on the application by `refresh_scores`, which every
review step of the workflow calls, so sorting and counting a round never aggregates its reviews), its committee (the ancestor of its registering committee just below the round's node:
a province for a national round) and the rank its last recommending committee gave it. Pages slice it 50 rows at
a time; the workflow's bulk steps rank it for the top-N proposal.
"""

from math import sqrt

from django.db.models import Avg, Count, ExpressionWrapper, F, FloatField, Func, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Substr

from apps.accounts.models import User
from apps.organizations.models import Node
from civpost import lists

from .enums import AppStatus
from .models import Application, Recommendation, ReviewAssignment

SUBMITTED = Q(assignments__submitted_at__isnull=False)

# Each order of the table: the annotations it needs, and the ordering.
SORTS = {
    "-mean": ([], [F("score_mean").desc(nulls_last=True), "pk"]),
    "mean": ([], [F("score_mean").asc(nulls_last=True), "pk"]),
    "-spread": ([], [F("score_variance").desc(nulls_last=True), "pk"]),
    "spread": ([], [F("score_variance").asc(nulls_last=True), "pk"]),
    "name": ([], ["collective__name", "pk"]),
    "committee": (["committee_path"], ["committee_path", F("score_mean").desc(nulls_last=True), "pk"]),
}


# The order an index serves on PostgreSQL (migration 0019): the table's default, best mean first.
INDEXED_SORT = "-mean"


def table_statuses():
    return [AppStatus.REVIEW, *AppStatus.on_notice_list(), AppStatus.NOT_SELECTED]


def committee_path(round):
    """The path of the committee just below the round's node that an application comes through."""
    return Substr("registering_node__path", 1, Node.steplen * (round.node.depth + 1))


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


def in_table(round):
    return round.applications.filter(status__in=table_statuses())


def scored(queryset, round, items):
    """The applications with their experts' mean per rubric item (the stored figures give the rest)."""
    return queryset.annotate(
        **{f"item_{item.pk}": Avg(_item_score(item), filter=SUBMITTED) for item in items},
        committee_path=committee_path(round),
    )


def ordered_pks(queryset, round, items, sort):
    """The pks in the table's order, reading the stored figures: narrow rows over the whole round."""
    names, ordering = SORTS[sort]
    needs = {"committee_path": committee_path(round)}
    return queryset.annotate(**{name: needs[name] for name in names}).order_by(*ordering).values_list("pk", flat=True)


def refresh_scores(applications):
    """Store the review figures of these applications (a queryset) from their reviews, in one UPDATE: the mean
    and variance of the submitted totals, how many are submitted, how many are still open. The workflow calls it
    in the transaction of each step that changes a review (assign, score, declare a conflict)."""
    reviews = ReviewAssignment.objects.filter(application=OuterRef("pk")).order_by().values("application")
    submitted = reviews.filter(submitted_at__isnull=False)

    def figure(rows, aggregate, default=None):
        value = Subquery(rows.annotate(figure=aggregate).values("figure"))
        return value if default is None else Coalesce(value, Value(default))

    mean = Avg("score_total")
    applications.update(
        score_mean=figure(submitted, mean),
        score_variance=figure(submitted, ExpressionWrapper(Avg(F("score_total") * F("score_total")) - mean * mean, FloatField())),
        scores_submitted=figure(submitted, Count("pk"), 0),
        reviews_open=figure(reviews.filter(submitted_at__isnull=True, conflict_declared=False), Count("pk"), 0),
    )


def filtered(queryset, committee=None, proposed=None, search=""):
    if committee is not None:
        queryset = queryset.filter(registering_node__path__startswith=committee.path)
    if proposed is not None:
        queryset = queryset.filter(proposed=proposed)
    if search:
        queryset = queryset.filter(lists.contains("collective__name", search))
    return queryset


ROW_FIELDS = (
    "status", "special_by_id", "proposed", "star_grade", "score_mean", "score_variance", "scores_submitted",
    "collective__name",
)  # fmt: skip
REVIEW_FIELDS = ("application_id", "scores", "submitted_at", "conflict_declared", "expert__real_name", "expert__username")


def rows(page, round, items, committees_by_path):
    """The page's rows ready to show, in the page's order: their scores, experts' reviews and recommending ranks
    in three queries."""
    order = list(page)
    # Only the columns the table shows: the collectives' and experts' wide rows (texts, passwords) cost more to
    # read, group and build into objects than the rest of the page's rows (bench/workbench.py).
    scored_rows = scored(in_table(round).filter(pk__in=order), round, items).select_related("collective").only(*ROW_FIELDS)
    applications = sorted(scored_rows, key=lambda application: order.index(application.pk))
    assignments = {}
    reviews = ReviewAssignment.objects.filter(application__in=applications).select_related("expert").only(*REVIEW_FIELDS)
    for assignment in reviews.order_by("pk"):
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
                "mean": _one_decimal(application.score_mean) if application.scores_submitted else None,
                "rank": ranks.get(application.pk),
                "spread": _one_decimal(sqrt(max(application.score_variance, 0))) if application.scores_submitted > 1 else None,
            }
        )
    return result


def _one_decimal(value):
    return None if value is None else round(value, 1)


def expert_workload(round):
    """Each expert of the round: assigned, scored, conflicts declared, and their names (two queries: counted per
    expert first, then named — joining the names to the 24,000 reviews of a national round before counting them
    took twice as long, bench/)."""
    rows = list(
        ReviewAssignment.objects.filter(round=round)
        .values("expert_id")
        .annotate(
            assigned=Count("pk"),
            scored=Count("pk", filter=Q(submitted_at__isnull=False)),
            conflicts=Count("pk", filter=Q(conflict_declared=True)),
        )
        .order_by("-assigned", "expert_id")
    )
    names = User.objects.filter(pk__in=[row["expert_id"] for row in rows]).values_list("pk", "real_name", "username")
    by_id = {pk: real_name or username for pk, real_name, username in names}
    return [row | {"name": by_id[row["expert_id"]]} for row in rows]


def quota_use(round):
    """(proposed in review, [(RoundQuota, proposed from its committee)]) in two queries."""
    proposed = Application.objects.filter(round=round, status=AppStatus.REVIEW, proposed=True)
    used = (
        proposed.filter(registering_node__path__startswith=OuterRef("node__path"))
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
        round.applications.filter(status=AppStatus.REVIEW, scores_submitted__gt=0)
        .order_by(*SORTS["-mean"][1])
        .values_list("pk", "registering_node__path")
    )
