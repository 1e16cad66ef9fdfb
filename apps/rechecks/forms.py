from django import forms
from django.utils.translation import gettext_lazy as _

from civpost.forms import DateInput

from .models import Outcome, Recheck


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
    deadline = forms.DateField(label=_("Rectification deadline"), required=False, widget=DateInput())
    required_changes = forms.CharField(label=_("Required changes"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    reference = forms.CharField(label=_("Decision reference (for a revocation)"), required=False, max_length=100)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == Outcome.RECTIFY and not cleaned.get("deadline"):
            self.add_error("deadline", _("A rectification needs a deadline."))
        return cleaned


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    reference = forms.CharField(label=_("Decision reference, e.g. 团安委〔2026〕12号"), max_length=100)


class ConfirmForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, max_length=1000)
