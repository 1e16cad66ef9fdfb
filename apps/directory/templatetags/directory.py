"""Template helpers of the directory: its filter fields and its cards of posts."""

from html import escape

from django import forms, template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def filter_field(field):
    """A filter of the directory: its label, its errors and its select (or text input), as the form would render
    them. Django renders each <option> through a template (about 30 µs each, and format_html costs a few µs), and
    the region and year lists hold over a hundred: on the busiest public page that was half the rendering time,
    so the options are joined here, escaped with the standard library."""
    label = format_html('<label for="{}">{}</label>', field.auto_id, field.label)
    errors = field.errors if field.errors else ""
    if not isinstance(field.field, forms.ChoiceField):
        return format_html("{}{}{}", label, errors, field.as_widget())
    value = str(field.value() or "")
    options = "".join(
        f'<option value="{escape(str(code))}"{" selected" if str(code) == value else ""}>{escape(str(text))}</option>'
        for code, text in field.field.choices
    )
    return format_html('{}{}<select name="{}" id="{}">{}</select>', label, errors, field.html_name, field.auto_id, mark_safe(options))


@register.simple_tag
def post_cards(posts):
    """The cards of a page of posts (queries.Post): name and link, unit, place and industry, titles (or "aspiring").
    Joined here, escaped with the standard library, for the reason filter_field gives: thirty cards through the
    template engine were most of the time of a directory page rendered afresh."""
    label = _("Aspiring collective")
    aspiring = f'<span class="badge registered">{escape(label)}</span>'
    cards = []
    for post in posts:
        titles = "".join(f'<span class="title-badge">{escape(title)}</span>' for title in post.titles) or aspiring
        cards.append(
            f'<article class="card">\n  <h2><a href="{escape(post.url)}">{escape(post.name)}</a></h2>\n'
            f'  <p class="muted">{escape(post.workplace_unit)}<br>{escape(post.place)} · {escape(post.industry)}</p>\n'
            f"  <p>{titles}</p>\n</article>\n"
        )
    return mark_safe("".join(cards))
