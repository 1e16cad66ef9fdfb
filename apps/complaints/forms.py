from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.validators import clean_contact
from apps.activities.photos import check_photo
from civpost.forms import CodeInput, DateInput, clean_lookup_code, public_text_field

from .models import Complaint

# An incident older than this is no longer one the committee can look into (witnesses, the collective's staff and
# its records have moved on); it also stops a mistyped year (0001, 2206) from being filed.
OLDEST_INCIDENT_DAYS = 2 * 365


class ComplaintForm(forms.ModelForm):
    # Bots fill every field; people never see this one (hidden by the stylesheet, skipped by screen readers).
    website = forms.CharField(required=False, label=_("Leave this empty"))
    what_happened = public_text_field(_("what happened"))

    class Meta:
        model = Complaint
        fields = ["what_happened", "happened_on", "evidence", "contact", "name"]
        widgets = {"happened_on": DateInput()}
        help_texts = {
            "contact": _(
                "Optional. Only the league committee sees it, to reach you; the collective never does. Without it the "
                "committee cannot call you back, but the tracking code still shows you the outcome."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def clean_happened_on(self):
        day = self.cleaned_data["happened_on"]
        today = timezone.localdate()
        if day > today:
            raise ValidationError(_("The date cannot be in the future."))
        if day < today - timedelta(days=OLDEST_INCIDENT_DAYS):
            raise ValidationError(_("Only incidents of the last two years can be reported here."))
        return day

    def clean_contact(self):
        contact = self.cleaned_data["contact"].strip()
        return clean_contact(contact) if contact else ""

    def clean_evidence(self):
        photo = self.cleaned_data.get("evidence")
        if photo and hasattr(photo, "content_type"):
            check_photo(photo)
        return photo

    def is_spam(self):
        return bool(self.data.get("website"))


class TrackingLookupForm(forms.Form):
    """投诉进度查询: the tracking code given when the complaint was filed; a GET form that leads to its page."""

    code = forms.CharField(
        label=_("Tracking code"),
        max_length=30,
        help_text=_("The 10 letters and digits shown when you filed the complaint."),
        error_messages={"required": _("Type the tracking code.")},
        widget=CodeInput(),
    )

    def clean_code(self):
        return clean_lookup_code(self.cleaned_data["code"], Complaint._meta.get_field("tracking_code").max_length).upper()


class AskStatementForm(forms.Form):
    request_text = forms.CharField(label=_("What the collective should explain"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class CloseForm(forms.Form):
    decision = forms.ChoiceField(label=_("Outcome"), choices=[("upheld", _("Upheld")), ("not_upheld", _("Not upheld"))])
    outcome = forms.CharField(label=_("Reason (the complainant and the collective see it)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    serious = forms.BooleanField(label=_("Serious: may lead to revocation"), required=False)


class NotesForm(forms.Form):
    staff_notes = forms.CharField(label=_("Staff notes (never shown outside the committee)"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000)


class StatementForm(forms.Form):
    statement = forms.CharField(label=_("Your statement"), widget=forms.Textarea(attrs={"rows": 6}), max_length=4000)


class WarningForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the warning"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class LiftForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, max_length=1000)
