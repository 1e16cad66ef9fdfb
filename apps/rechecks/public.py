"""What the post page shows of the rechecks: whether the post is under rectification, and until when. Nothing of the
reason (staff's words) is public."""

from django.db.models import Exists, OuterRef, Subquery

from .models import Rectification, RectificationStatus


def with_public_rectification(collectives):
    """The collectives with `under_rectification` and its `rectification_deadline`, read in the same query as them (the
    post page reads the collective once: {% public_rectification %} shows these)."""
    under_way = Rectification.objects.filter(collective=OuterRef("pk"), status__in=RectificationStatus.under_way()).order_by("pk")
    return collectives.annotate(under_rectification=Exists(under_way), rectification_deadline=Subquery(under_way.values("warning__deadline")[:1]))
