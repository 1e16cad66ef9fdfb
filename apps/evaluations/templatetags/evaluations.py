"""Pieces of the honour workflow shown on pages owned by other apps: the 号长's workspace."""

from django import template

from ..workspace import round_panels

register = template.Library()


@register.inclusion_tag("evaluations/includes/rounds_panel.html", takes_context=True)
def rounds_panel(context, collectives):
    """For each of the 号长's collectives: the rounds open to it, each with its eligibility checks."""
    return round_panels(context.get("request"), collectives)
