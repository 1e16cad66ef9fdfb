"""Form pieces every app's forms share, and how every form of the portal renders (settings.FORM_RENDERER):

- every select starts with 请选择 (CHOOSE: Django's blank choice label, set in CivpostConfig.ready(), and
  django-filter's, settings.FILTERS_EMPTY_CHOICE_LABEL), never "---------" or "- Select an option -";
- labels end in the full-width colon "：" (Django's label suffix, translated once in the catalogue below), except
  a checkbox's, which follows its box;
- a required field's label starts with a visible mark (RequiredMarkBoundField), the same on every page.
"""

import unicodedata

from django import forms
from django.contrib import messages
from django.forms.renderers import DjangoTemplates
from django.utils.html import format_html
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# The first option of every select.
CHOOSE = _("Choose…")

# Translators: Django's label suffix, after every form label (BaseForm.label_suffix): the full-width colon.
gettext_noop(":")


class RequiredMarkBoundField(forms.BoundField):
    """A field whose label starts with a red asterisk when it must be filled in. Screen readers skip the mark: the
    input itself carries `required`."""

    def label_tag(self, contents=None, attrs=None, label_suffix=None, tag=None):
        contents = contents or self.label
        if label_suffix is None and self.field.label_suffix is None and isinstance(self.field.widget, forms.CheckboxInput):
            label_suffix = ""  # a box's label is a statement that follows the box: no colon
        if contents and self.field.required and not self.field.disabled:
            contents = format_html('<span class="required-mark" aria-hidden="true">*</span>{}', contents)
        return super().label_tag(contents, attrs, label_suffix, tag)


class FormRenderer(DjangoTemplates):
    """Django's template renderer with the portal's bound field (settings.FORM_RENDERER)."""

    bound_field_class = RequiredMarkBoundField


class DateInput(forms.DateInput):
    """The browser's date picker. It reads and writes ISO dates whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):  # noqa: A002 (Django's own argument name)
        super().__init__(attrs, format)


# What a member of the public may write in one free-text field of a public form (complaint, objection): enough for
# a detailed account, not a place to dump a book.
PUBLIC_TEXT_MAX_LENGTH = 5000


def public_text_field(label, rows=5):
    """A required free-text field of a public form, bounded, its limit named under it and enforced by the browser."""
    return forms.CharField(
        label=label,
        max_length=PUBLIC_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=_("Up to %(limit)s characters.") % {"limit": PUBLIC_TEXT_MAX_LENGTH},
        error_messages={"max_length": _("Please keep it to %(limit_value)d characters or fewer (you wrote %(show_value)d).")},
    )


def normalize_code(value):
    """A code as people type or paste it (a certificate number, a tracking code): full-width letters, digits and
    hyphens made half-width (NFKC), spaces dropped."""
    return "".join(unicodedata.normalize("NFKC", value or "").split())


class CodeInput(forms.TextInput):
    """The box of a code typed from paper (a certificate number, a tracking code): no autocompletion, no spelling
    correction, capitals on a phone keyboard."""

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters", **(attrs or {})})


def clean_lookup_code(value, max_length):
    """The code of a lookup form, tidied; refused (with what to check) when it cannot be one: it becomes part of the
    address of the page that shows it."""
    code = normalize_code(value)
    if not code:
        raise ValidationError(_("Type the number."), code="required")
    if len(code) > max_length or not all(ch.isalnum() or ch in "-_" for ch in code):
        raise ValidationError(
            _("This cannot be a valid number: use only letters, digits and hyphens (-), as printed."), code="invalid"
        )
    return code


def show_errors(request, form):
    """A form posted from a page that shows no form of its own (a button with a comment box): its errors as messages
    on the page it returns to, each named by its field's label."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)
