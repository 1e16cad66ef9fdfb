from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civpost.forms import CHOOSE, DateInput

from .models import MAX_HOURS_PER_PERSON, MAX_PHOTOS, ActivityReport, AnnualSummary, Campaign, PointsRule, ReportKind
from .photos import check_photo


class CampaignForm(forms.ModelForm):
    report_kinds = forms.MultipleChoiceField(
        label=_("Report kinds asked for"), choices=ReportKind.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Campaign
        fields = ["title", "theme", "description", "starts_on", "ends_on", "action_starts_on", "action_ends_on", "report_kinds", "includes_aspiring"]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "action_starts_on": DateInput(),
            "action_ends_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The campaign must end after it starts."))
        action_starts, action_ends = cleaned.get("action_starts_on"), cleaned.get("action_ends_on")
        if bool(action_starts) != bool(action_ends):
            self.add_error("action_ends_on", _("Give both days of the unified action, or neither."))
        elif action_starts and starts and ends and not (starts <= action_starts <= action_ends <= ends):
            self.add_error("action_starts_on", _("The unified action must lie within the campaign period."))
        return cleaned


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        return [super(MultiplePhotoField, self).clean(file, initial) for file in files]


class ReportForm(forms.ModelForm):
    """An activity report. Its kind list holds only the kinds the report's campaign asks for (the server's choices,
    not a check after submitting), and the volunteer-hours grid is shown only for kinds that count hours: the server
    decides from the campaign and the kind it knows (static/js/report-form.js follows later changes in the page)."""

    new_photos = MultiplePhotoField(label=_("Photos (up to 9; JPEG, PNG or WebP, 10 MB each)"), required=False)

    class Meta:
        model = ActivityReport
        fields = ["kind", "campaign", "title", "held_on", "place", "participants", "beneficiaries", "narrative", "video_url", "is_public"]
        labels = {"title": _("Activity name")}
        widgets = {"held_on": DateInput(), "narrative": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, collective, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.collective = collective
        self.campaigns = list(campaigns)
        self.fields["campaign"].queryset = campaigns
        self.fields["campaign"].empty_label = CHOOSE
        self.fields["campaign"].help_text = _("Leave it unchosen for an activity outside the campaigns.")
        self.campaign = self._chosen_campaign()
        kinds = self.offered_kinds()
        self.fields["kind"].choices = [("", CHOOSE), *[(kind.value, kind.label) for kind in kinds]]
        if self.campaign and self.campaign.report_kinds:
            self.fields["kind"].error_messages["invalid_choice"] = _("This campaign asks for: %(kinds)s.") % {
                "kinds": "、".join(str(kind.label) for kind in kinds)
            }
            if len(kinds) == 1 and not self.is_bound and not self.initial.get("kind"):
                self.initial["kind"] = kinds[0].value
        self.members = list(collective.members.all())
        existing = {entry.member_id: entry.hours for entry in self.instance.hours.all()} if self.instance.pk else {}
        for member in self.members:
            self.fields[self.hours_field(member)] = forms.DecimalField(
                label=member.name,
                required=False,
                min_value=Decimal("0.5"),
                max_value=MAX_HOURS_PER_PERSON,
                decimal_places=1,
                initial=existing.get(member.pk),
                error_messages={"max_value": _("At most 24 hours per person in one report.")},
            )

    def _chosen_campaign(self):
        """The campaign the report answers: the one sent, else the one it was filed for or the page was opened with."""
        if self.is_bound:
            chosen = self.data.get(self.add_prefix("campaign"))
        else:
            chosen = self.initial.get("campaign") or self.instance.campaign_id
        return next((campaign for campaign in self.campaigns if str(campaign.pk) == str(chosen)), None)

    def offered_kinds(self):
        if self.campaign and self.campaign.report_kinds:
            return [kind for kind in ReportKind if kind.value in self.campaign.report_kinds]
        return list(ReportKind)

    def chosen_kind(self):
        if self.is_bound:
            return self.data.get(self.add_prefix("kind")) or None
        return self.initial.get("kind") or self.instance.kind or None

    def shows_hours(self):
        """Whether the hours grid is shown: only when a kind that counts hours is offered and no other kind is chosen."""
        kind = self.chosen_kind()
        if not any(offered in ReportKind.with_hours() for offered in self.offered_kinds()):
            return False
        return kind is None or kind in ReportKind.with_hours()

    def kinds_by_campaign(self):
        """Every kind, the kinds each campaign asks for and those that count hours, for static/js/report-form.js."""
        return {
            "kinds": [[kind.value, str(kind.label)] for kind in ReportKind],
            "campaigns": {str(campaign.pk): campaign.report_kinds for campaign in self.campaigns if campaign.report_kinds},
            "hours": [kind.value for kind in ReportKind.with_hours()],
        }

    @staticmethod
    def hours_field(member):
        return f"hours_{member.pk}"

    def hours_fields(self):
        return [self[self.hours_field(member)] for member in self.members]

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise ValidationError(_("The activity date cannot be in the future."))
        return held_on

    def clean_new_photos(self):
        photos = self.cleaned_data["new_photos"]
        kept = self.instance.photos.count() if self.instance.pk else 0
        if kept + len(photos) > MAX_PHOTOS:
            raise ValidationError(_("At most %(count)s photos per report.") % {"count": MAX_PHOTOS})
        for photo in photos:
            check_photo(photo)
        return photos

    def clean(self):
        cleaned = super().clean()
        campaign = cleaned.get("campaign")  # its kinds are the kind field's choices
        if campaign and cleaned.get("held_on") and not (campaign.starts_on <= cleaned["held_on"] <= campaign.ends_on):
            self.add_error("held_on", _("The campaign runs from %(start)s to %(end)s.") % {"start": campaign.starts_on, "end": campaign.ends_on})
        return cleaned

    def hours(self):
        """{member: hours} for volunteer kinds; nothing for the others."""
        if self.cleaned_data["kind"] not in ReportKind.with_hours():
            return {}
        return {m: self.cleaned_data[self.hours_field(m)] for m in self.members if self.cleaned_data.get(self.hours_field(m))}


class FlagForm(forms.Form):
    reason = forms.CharField(label=_("Why it is inappropriate (the collective sees this)"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


class AuthoriseForm(forms.Form):
    phone = forms.CharField(label=_("Mobile phone of the account to authorise"), max_length=20)


class AnnualSummaryForm(forms.ModelForm):
    class Meta:
        model = AnnualSummary
        fields = ["narrative"]
        widgets = {"narrative": forms.Textarea(attrs={"rows": 10})}


class PeriodForm(forms.Form):
    starts_on = forms.DateField(label=_("From"), widget=DateInput())
    ends_on = forms.DateField(label=_("To"), widget=DateInput())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("starts_on") and cleaned.get("ends_on") and cleaned["ends_on"] < cleaned["starts_on"]:
            raise ValidationError(_("The period must end after it starts."))
        return cleaned


class PointsRuleForm(forms.ModelForm):
    class Meta:
        model = PointsRule
        fields = ["points_per_hour", "effective_from"]
        widgets = {"effective_from": DateInput()}
        help_texts = {"effective_from": _("Today or later: points already earned keep the rate of their day.")}

    def clean_effective_from(self):
        effective_from = self.cleaned_data["effective_from"]
        if effective_from < timezone.localdate():
            raise ValidationError(_("A new rate cannot apply to past services: choose today or a later day."))
        return effective_from


class HoursStepForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False)
