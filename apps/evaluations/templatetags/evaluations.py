"""Pieces of the honour workflow shown on pages owned by other apps (the 号长's workspace, the post page)."""

from django import template

from ..enums import HonorStatus
from ..models import Honor
from ..workspace import round_panels

register = template.Library()


@register.inclusion_tag("evaluations/includes/rounds_panel.html", takes_context=True)
def rounds_panel(context, collectives):
    """For each of the 号长's collectives: the rounds open to it, each with its eligibility checks."""
    return round_panels(context.get("request"), collectives)


@register.simple_tag
def valid_honors(collective):
    return Honor.objects.filter(collective=collective, status=HonorStatus.NAMED).select_related("named_by").order_by("-named_on")
