"""Form pieces every app's forms share."""

from django import forms


class DateInput(forms.DateInput):
    """The browser's date picker. It reads and writes ISO dates whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):  # noqa: A002 (Django's own argument name)
        super().__init__(attrs, format)
