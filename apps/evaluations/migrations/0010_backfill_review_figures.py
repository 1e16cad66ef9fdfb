from django.db import migrations
from django.db.models import Avg, Count, ExpressionWrapper, F, FloatField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def backfill(apps, schema_editor):
    """The figures of the reviews already made: each review's round and total, each application's figures (as
    `selection.refresh_scores` keeps them from now on)."""
    Application = apps.get_model("evaluations", "Application")
    ReviewAssignment = apps.get_model("evaluations", "ReviewAssignment")
    ReviewAssignment.objects.update(round_id=Subquery(Application.objects.filter(pk=OuterRef("application_id")).values("round_id")))
    batch = []
    for assignment in ReviewAssignment.objects.filter(submitted_at__isnull=False).only("pk", "scores").iterator(chunk_size=2000):
        assignment.score_total = float(sum(assignment.scores.values()))
        batch.append(assignment)
        if len(batch) == 2000:
            ReviewAssignment.objects.bulk_update(batch, ["score_total"])
            batch = []
    ReviewAssignment.objects.bulk_update(batch, ["score_total"])
    reviews = ReviewAssignment.objects.filter(application=OuterRef("pk")).order_by().values("application")
    submitted = reviews.filter(submitted_at__isnull=False)

    def figure(rows, aggregate, default=None):
        value = Subquery(rows.annotate(figure=aggregate).values("figure"))
        return value if default is None else Coalesce(value, Value(default))

    mean = Avg("score_total")
    Application.objects.filter(pk__in=ReviewAssignment.objects.values("application_id")).update(
        score_mean=figure(submitted, mean),
        score_variance=figure(submitted, ExpressionWrapper(Avg(F("score_total") * F("score_total")) - mean * mean, FloatField())),
        scores_submitted=figure(submitted, Count("pk"), 0),
        reviews_open=figure(reviews.filter(submitted_at__isnull=True, conflict_declared=False), Count("pk"), 0),
    )


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0009_review_figures")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
