"""The 号长's to-dos, shown at the top of /my/ (apps/collectives' workspace page loads this library)."""

from django import template
from django.utils import timezone

from ..workspace import todos

register = template.Library()


@register.inclusion_tag("workbench/includes/leader_todos.html", takes_context=True)
def leader_todos(context, collectives):
    request = context["request"]
    return {"todos": todos(request, collectives, timezone.localdate())}
