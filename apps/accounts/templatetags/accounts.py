from django import template

from ..validators import mask_phone

register = template.Library()


@register.filter
def masked_phone(phone):
    """The phone as staff lists show it (validators.mask_phone)."""
    return mask_phone(phone)
