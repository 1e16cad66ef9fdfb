"""What the post page shows of the rechecks: whether the post is under rectification, and until when, and the star
grade history of its graded titles. Nothing of the reason (staff's words) is public."""

from django.db.models import Exists, OuterRef, Subquery, prefetch_related_objects

from .models import Rectification, RectificationStatus


def with_public_rectification(collectives):
    """The collectives with `under_rectification` and its `rectification_deadline`, read in the same query as them (the
    post page reads the collective once and shows these)."""
    under_way = Rectification.objects.filter(collective=OuterRef("pk"), status__in=RectificationStatus.under_way()).order_by("pk")
    return collectives.annotate(under_rectification=Exists(under_way), rectification_deadline=Subquery(under_way.values("warning__deadline")[:1]))


def with_star_histories(honours):
    """The honours, their star grade histories read in one query for all the graded ones (none for the others)."""
    honours = list(honours)
    prefetch_related_objects([honour for honour in honours if honour.star_grade], "star_adjustments")
    return honours
