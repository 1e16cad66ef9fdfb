from django import forms
from django.utils.translation import gettext_lazy as _

from apps.evaluations.enums import STAR_GRADES
from apps.evaluations.forms import EVIDENCE_MAX_MB
from apps.evaluations.uploads import EXTENSIONS, validate_upload
from civpost.forms import DateInput

from .models import Outcome, Recheck, RectificationOrigin


class RecheckForm(forms.ModelForm):
    class Meta:
        model = Recheck
        fields = ["title", "named_from", "named_until", "report_due"]
        widgets = {"named_from": DateInput(), "named_until": DateInput(), "report_due": DateInput()}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("named_from") and cleaned.get("named_until") and cleaned["named_until"] < cleaned["named_from"]:
            self.add_error("named_until", _("The period must end after it starts."))
        return cleaned


class RecheckReportForm(forms.Form):
    report = forms.CharField(label=_("Re-check report"), widget=forms.Textarea(attrs={"rows": 8}), max_length=10000)


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    deadline = forms.DateField(
        label=_("Rectification deadline"), required=False, widget=DateInput(), help_text=_("One month from today unless you set another date.")
    )
    required_changes = forms.CharField(label=_("Required changes"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    reference = forms.CharField(label=_("Decision reference (for a revocation)"), required=False, max_length=100)


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    reference = forms.CharField(label=_("Decision reference, e.g. 团安委〔2026〕12号"), max_length=100)


class ConfirmForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, max_length=1000)


class RectificationOrderForm(forms.Form):
    origin = forms.ChoiceField(label=_("Ordered after"), choices=RectificationOrigin.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    required_changes = forms.CharField(label=_("Required changes"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput(), help_text=_("One month from today unless you set another date."))


class CompletionReportForm(forms.Form):
    text = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    evidence = forms.FileField(label=_("Evidence (PDF, JPEG or PNG, up to 5 MB)"))

    def clean_evidence(self):
        upload = self.cleaned_data["evidence"]
        self.evidence_extension = EXTENSIONS[validate_upload(upload, EVIDENCE_MAX_MB)]
        return upload


class RectificationDecisionForm(forms.Form):
    comment = forms.CharField(label=_("Comment (required to reject)"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    deadline = forms.DateField(
        label=_("New deadline if rejected"), required=False, widget=DateInput(), help_text=_("One month from today unless you set another date.")
    )


class KeepTitleForm(forms.Form):
    comment = forms.CharField(label=_("Reason for keeping the title"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class StarGradeForm(forms.Form):
    to_grade = forms.TypedChoiceField(label=_("New star grade"), choices=STAR_GRADES, coerce=int)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    reference = forms.CharField(label=_("Decision reference, e.g. 团安委〔2026〕12号"), max_length=100)
