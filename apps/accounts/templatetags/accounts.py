from django import template

register = template.Library()


@register.filter
def masked_phone(phone):
    """139****0001: enough to tell people apart in a list, not enough to call them from a screenshot."""
    if not phone:
        return ""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else f"{phone[:3]}****"
