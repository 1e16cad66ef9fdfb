from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import PERSONAL_DATA_STATEMENT
from .workbook import MAX_UPLOAD_BYTES, XLSX_MIME, WorkbookError, count_rows


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"))
    node = forms.ModelChoiceField(label=_("Import for"), queryset=None, empty_label=None)
    file = forms.FileField(
        label=_("Excel workbook (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_MIME}"}),
        help_text=_("Fill in the template of this kind; at most 50,000 rows and 20 MB."),
    )
    statement = forms.BooleanField(
        label=PERSONAL_DATA_STATEMENT,
        required=False,
        label_suffix="",
        help_text=_("Required for files with people's data (collectives with their 号长, members)."),
    )

    def __init__(self, *args, kinds, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        self.fields["kind"].choices = [(kind.slug, kind.label) for kind in kinds]
        self.fields["node"].queryset = nodes
        self.rows_estimate = None

    def clean(self):
        cleaned = super().clean()
        kind = next((k for k in self.kinds if k.slug == cleaned.get("kind")), None)
        if kind and kind.personal_data and not cleaned.get("statement"):
            self.add_error("statement", _("Confirm the committee's statement on the personal data in the file."))
        return cleaned

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 20 MB. Split it into several files."), code="too_large")
        try:
            self.rows_estimate = count_rows(upload)
        except WorkbookError as error:
            raise ValidationError(str(error), code="not_a_workbook")
        return upload
