from django import template

from apps.evaluations.models import Honor
from apps.organizations.scope import staff_scope

from ..workflow import may_manage, may_rectify
from ..models import RecheckItem, Rectification, RectificationStatus

register = template.Library()


@register.inclusion_tag("rechecks/includes/workspace_panel.html")
def rechecks_panel(collectives):
    """Re-checks waiting for the 号长's report, and the collectives' rectifications still open."""
    ids = [c.pk for c in collectives]
    items = RecheckItem.objects.filter(honor__collective__in=ids, outcome="", recheck__closed_at__isnull=True).select_related("recheck", "honor__collective")
    rectifications = Rectification.objects.filter(collective__in=ids, status__in=RectificationStatus.under_way() + [RectificationStatus.FAILED])
    return {"items": items, "rectifications": rectifications.select_related("collective", "warning")}


@register.inclusion_tag("rechecks/includes/star_history.html")
def star_history(honor):
    """A graded title's changes of star grade, wherever the title shows: its date, grades and decision reference."""
    return {"adjustments": honor.star_adjustments.all() if honor.star_grade else ()}


@register.inclusion_tag("rechecks/includes/staff_panel.html", takes_context=True)
def sanctions_panel(context, collective):
    """On the staff view of a collective: its rectifications, the order form's link, and each graded title's star
    grade for the committee that named it."""
    scope = staff_scope(context["request"])
    honours = list(Honor.objects.valid().filter(collective=collective).select_related("named_by"))
    return {
        "collective": collective,
        "rectifications": Rectification.objects.filter(collective=collective).select_related("warning")[:20],
        "may_rectify": may_rectify(scope.user, collective, scope),
        "graded": [honor for honor in honours if honor.star_grade and may_manage(scope.user, honor.named_by, scope)],
    }
