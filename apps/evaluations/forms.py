import copy

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.accounts.validators import clean_contact
from apps.collectives.models import Collective
from apps.organizations.models import Node
from civpost.forms import CHOOSE, CodeInput, DateInput, clean_lookup_code, public_text_field

from . import eligibility
from .enums import STAR_GRADES, AppStatus, RoundKind
from .models import Application, Attachment, Honor, Objection, RoundQuota, RubricItem, Round
from .queries import eligible_experts, inspectors
from .uploads import EXTENSIONS, validate_upload

ATTACHMENT_MAX_MB = 10
ATTACHMENTS_PER_APPLICATION = 10
EVIDENCE_MAX_MB = 5


class CertificateLookupForm(forms.Form):
    """证书查验: the number printed on a certificate; a GET form that leads to the number's page."""

    number = forms.CharField(
        label=_("Certificate number"),
        max_length=60,
        help_text=_("As printed on the certificate, e.g. C340800-2025-00012."),
        error_messages={"required": _("Type the number.")},
        widget=CodeInput(),
    )

    def clean_number(self):
        return clean_lookup_code(self.cleaned_data["number"], Honor._meta.get_field("certificate_number").max_length)


DEFAULT_RUBRIC = [("组织建设", 20), ("岗位建功", 25), ("服务承诺履行", 25), ("创新创效", 15), ("社会影响", 15)]


class RoundForm(forms.ModelForm):
    """The round's own fields, then every setting the eligibility rules declare (eligibility.RULES)."""

    class Meta:
        model = Round
        fields = [
            "kind",
            "title",
            "year",
            "edition",
            "has_stars",
            "application_opens",
            "application_closes",
            "recommendation_closes",
            "reference_date",
            "quota",
            "special_quota",
            "notice_working_days",
            "holidays",
            *[setting.name for setting in eligibility.SETTINGS if setting.is_column],
        ]
        widgets = {
            "application_opens": DateInput(),
            "application_closes": DateInput(),
            "recommendation_closes": DateInput(),
            "reference_date": DateInput(),
            "holidays": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for setting in self.declared_settings():
            self.fields[setting.name] = copy.deepcopy(setting.field)
            self.initial.setdefault(setting.name, setting.value(self.instance))
        # A naming round is linked to a filing round (创建备案) of its own committee.
        node = self.instance.node if self.instance.node_id else None
        self.fields["filing_round"].queryset = Round.objects.filter(kind=RoundKind.FILING, node=node).exclude(pk=self.instance.pk)
        self.fields["quota"].required = False  # a filing round names nobody: clean() asks it of naming rounds only

    @staticmethod
    def declared_settings():
        return [setting for setting in eligibility.SETTINGS if not setting.is_column]

    def eligibility_fields(self):
        return [self[setting.name] for setting in eligibility.SETTINGS]

    def clean_holidays(self):
        lines = [line.strip() for line in self.cleaned_data["holidays"].split() if line.strip()]
        bad = []
        for line in lines:
            try:
                forms.DateField().clean(line)
            except ValidationError:
                bad.append(line)
        if bad:
            raise ValidationError(_("Not a date (YYYY-MM-DD): %(lines)s") % {"lines": "、".join(bad)})
        return "\n".join(lines)

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("application_opens"), cleaned.get("application_closes")
        if opens and closes and closes < opens:
            self.add_error("application_closes", _("Applications must close after they open."))
        recommendations_close = cleaned.get("recommendation_closes")
        if closes and recommendations_close and recommendations_close <= closes:
            self.add_error("recommendation_closes", _("Recommendations must close after applications close."))
        # The reference date follows the closing date until the admin sets one of their own.
        follows_closing = self.initial.get("reference_date") == self.initial.get("application_closes")
        if closes and (not cleaned.get("reference_date") or (follows_closing and "reference_date" not in self.changed_data)):
            cleaned["reference_date"] = closes
        if cleaned.get("members_min") and cleaned.get("members_max") and cleaned["members_max"] < cleaned["members_min"]:
            self.add_error("members_max", _("The maximum must not be below the minimum."))
        if "kind" in self.changed_data and self.instance.pk and self.instance.naming_rounds.exists():
            self.add_error("kind", _("Naming rounds are linked to this filing round: it stays one."))
        if cleaned.get("kind") == RoundKind.FILING:
            cleaned["quota"] = cleaned.get("quota") or 1
            cleaned["filing_round"] = None
        elif not cleaned.get("quota") and "quota" not in self.errors:
            self.add_error("quota", _("Set the quota of the round."))
        declared = {setting.name: cleaned[setting.name] for setting in self.declared_settings() if setting.name in cleaned}
        self.instance.rule_settings = {**self.instance.rule_settings, **declared}
        return cleaned


class BaseRubricFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        total = sum(
            f.cleaned_data["max_points"] for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
        )
        if total != 100:
            raise ValidationError(_("The rubric must total 100 points; it totals %(total)s.") % {"total": total})


RubricFormSet = forms.inlineformset_factory(
    Round, RubricItem, fields=["name", "max_points"], formset=BaseRubricFormSet, extra=0, min_num=1, validate_min=True, max_num=20, can_delete=True
)


class QuotaForm(forms.ModelForm):
    class Meta:
        model = RoundQuota
        fields = ["node", "quota"]

    def __init__(self, *args, parent_node=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = Node.objects.get_children(parent_node) if parent_node else Node.objects.none()
        self.fields["node"].empty_label = CHOOSE


QuotaFormSet = forms.inlineformset_factory(Round, RoundQuota, form=QuotaForm, extra=2, can_delete=True)


class ApplicationForm(forms.ModelForm):
    """Deeds and one self-assessment field per rubric item of the round."""

    class Meta:
        model = Application
        fields = ["deeds"]
        widgets = {"deeds": forms.Textarea(attrs={"rows": 10})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(self.instance.round.rubric_items.all())
        for item in self.items:
            self.fields[self.item_field(item)] = forms.IntegerField(
                label=_("%(item)s (max. %(points)s)") % {"item": item.name, "points": item.max_points},
                min_value=0,
                max_value=item.max_points,
                required=False,
                initial=self.instance.self_assessment.get(str(item.pk)),
            )

    @staticmethod
    def item_field(item):
        return f"item_{item.pk}"

    def assessment_fields(self):
        return [self[self.item_field(item)] for item in self.items]

    def save(self, commit=True):
        application = super().save(commit=False)
        application.self_assessment = {
            str(item.pk): self.cleaned_data[self.item_field(item)]
            for item in self.items
            if self.cleaned_data.get(self.item_field(item)) is not None
        }
        if commit:
            application.save()
        return application


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Add an attachment (PDF, JPEG or PNG, up to 10 MB)"), required=False)

    def __init__(self, *args, application=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.application = application

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload:
            return None
        self.content_type = validate_upload(upload, ATTACHMENT_MAX_MB)
        if self.application.attachments.count() >= ATTACHMENTS_PER_APPLICATION:
            raise ValidationError(_("At most %(count)s attachments.") % {"count": ATTACHMENTS_PER_APPLICATION})
        return upload

    def save(self):
        upload = self.cleaned_data["file"]
        if not upload:
            return None
        return Attachment.store(self.application, upload, self.content_type)


class StepForm(forms.Form):
    """The input of a workflow step (workflow.ROUND_STEPS, APPLICATION_STEPS), built for its subject."""

    def __init__(self, *args, subject=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.subject = subject


class ExtendWindowForm(StepForm):
    application_closes = forms.DateField(label=_("New closing date"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application_closes"].help_text = _("Eligibility stays computed on the reference date, %(date)s.") % {
            "date": self.subject.reference_date.isoformat()
        }


class ConfirmForm(StepForm):
    """The confirmation of an irreversible step, with the decision's one comment."""

    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False)


class NameForm(ConfirmForm):
    """Naming the list (irreversible, confirmed with a comment): the reference (文号) of the committee's naming
    decision, printed on every certificate and the named list, when the decision is already issued."""

    decision_reference = forms.CharField(
        label=_("naming decision reference (文号)"),
        max_length=100,
        required=False,
        help_text=_("e.g. 团安委联〔2019〕12号. Printed on the certificates and the named list; leave empty if not issued yet."),
    )

    def clean_decision_reference(self):
        return " ".join(self.cleaned_data["decision_reference"].split())


class ScoreFilterForm(forms.Form):
    """What the score table shows: one committee's applications, proposed or not, a name; in which order."""

    committee = forms.TypedChoiceField(label=_("Committee"), coerce=int, empty_value=None, required=False)
    proposed = forms.TypedChoiceField(
        label=_("Proposed"),
        choices=[("", _("All")), ("yes", _("Proposed")), ("no", _("Not proposed"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
    )
    q = forms.CharField(label=_("Collective name"), max_length=100, required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        choices=[
            ("-mean", _("Mean score, highest first")),
            ("mean", _("Mean score, lowest first")),
            ("-spread", _("Spread, widest first")),
            ("spread", _("Spread, narrowest first")),
            ("name", _("Name")),
            ("committee", _("Committee")),
        ],
        required=False,
    )

    def __init__(self, *args, committees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.committees = {node.pk: node for node in committees}
        self.fields["committee"].choices = [("", _("All committees"))] + [(node.pk, node.name) for node in committees]

    def filters(self):
        """The keyword arguments of selection.filtered; an invalid filter shows everything."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "committee": self.committees.get(data.get("committee")),
            "proposed": data.get("proposed"),
            "search": (data.get("q") or "").strip(),
        }

    def ordering(self):
        return (self.cleaned_data.get("sort") if self.is_valid() else "") or "-mean"


class ProposeForm(StepForm):
    """One row of the proposed list: on it or not, with its star grade."""

    application = forms.IntegerField()
    proposed = forms.BooleanField(required=False)
    star_grade = forms.TypedChoiceField(choices=[("", "—"), *STAR_GRADES], coerce=int, empty_value=None, required=False)

    def clean_application(self):
        application = self.subject.applications.filter(pk=self.cleaned_data["application"], status=AppStatus.REVIEW).first()
        if application is None:
            raise forms.ValidationError(_("This application is not in the review of this round."))
        return application


class ProposeTopForm(StepForm):
    count = forms.IntegerField(label=_("How many"), min_value=1, max_value=100_000)


class ProposeFilteredForm(StepForm):
    """The filter of the score table, sent back to propose every application it shows."""

    committee = forms.IntegerField(required=False)
    proposed = forms.CharField(required=False)
    q = forms.CharField(max_length=100, required=False)

    def clean(self):
        table_filter = ScoreFilterForm(self.data, committees=Node.objects.get_children(self.subject.node))
        return {"filters": table_filter.filters()}


class RecommendForm(StepForm):
    rank = forms.IntegerField(
        label=_("Rank among your committee's recommendations"), min_value=1, max_value=10000
    )
    comment = forms.CharField(label=_("Comment (optional)"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)


class SendBackForm(StepForm):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("return", _("Return for revision")), ("decline", _("Do not recommend"))]
    )
    comment = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class AssignForm(StepForm):
    experts = forms.ModelMultipleChoiceField(label=_("Expert reviewers"), queryset=None, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        experts = eligible_experts(self.subject.round).values("user_id")
        self.fields["experts"].queryset = User.objects.filter(pk__in=experts).order_by("real_name")
        self.fields["experts"].label_from_instance = lambda user: user.get_full_name() or user.username


class BulkAssignForm(StepForm):
    """Experts for every application in review of a round: how many each, at most how many per expert."""

    experts = forms.ModelMultipleChoiceField(label=_("Expert reviewers"), queryset=None, widget=forms.CheckboxSelectMultiple)
    per_application = forms.IntegerField(label=_("Experts per application"), min_value=1, max_value=9, initial=3)
    cap = forms.IntegerField(label=_("At most per expert"), min_value=1, max_value=100_000, initial=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        experts = eligible_experts(self.subject).values("user_id")
        self.fields["experts"].queryset = User.objects.filter(pk__in=experts).order_by("real_name", "pk")
        self.fields["experts"].label_from_instance = lambda user: user.get_full_name() or user.username


class ScoreForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"item_{item.pk}"] = forms.IntegerField(
                label=_("%(item)s (max. %(points)s)") % {"item": item.name, "points": item.max_points},
                min_value=0,
                max_value=item.max_points,
            )
        self.order_fields([f"item_{item.pk}" for item in self.items] + ["comment"])

    def scores(self):
        return {str(item.pk): self.cleaned_data[f"item_{item.pk}"] for item in self.items}


class ConflictForm(forms.Form):
    comment = forms.CharField(label=_("Why you cannot review it"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


def _people_field(label, multiple=False):
    field_class = forms.ModelMultipleChoiceField if multiple else forms.ModelChoiceField
    extra = {"widget": forms.CheckboxSelectMultiple} if multiple else {"empty_label": CHOOSE}
    field = field_class(label=label, queryset=User.objects.none(), **extra)
    field.label_from_instance = lambda user: user.get_full_name() or user.username
    return field


class PlanInspectionForm(StepForm):
    """An on-site inspection (现场考核): when, who goes, who leads. The lead is one of the team."""

    planned_on = forms.DateField(label=_("Planned for"), widget=DateInput())
    team = _people_field(_("Inspection team"), multiple=True)
    lead = _people_field(_("Team lead"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = User.objects.filter(pk__in=inspectors(self.subject.round).values("user_id")).order_by("real_name", "pk")
        self.fields["team"].queryset = self.fields["lead"].queryset = people
        self.fields["team"].help_text = _("The round's experts, and staff of its committee or of the committees just below it.")

    def clean_planned_on(self):
        day = self.cleaned_data["planned_on"]
        if day < timezone.localdate():
            raise ValidationError(_("The planned date cannot be in the past."))
        return day

    def clean(self):
        data = super().clean()
        if data.get("lead") and data.get("team") is not None and data["lead"] not in data["team"]:
            self.add_error("lead", _("The lead must be one of the team."))
        return data


class InspectionFindingsForm(StepForm):
    inspected_on = forms.DateField(label=_("Inspected on"), widget=DateInput())
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    score = forms.IntegerField(label=_("Score"), min_value=0, max_value=100, help_text=_("Out of 100."))

    def clean_inspected_on(self):
        day = self.cleaned_data["inspected_on"]
        if day > timezone.localdate():
            raise ValidationError(_("The inspection date cannot be in the future."))
        return day


class ConcludeInspectionForm(StepForm):
    conclusion = forms.CharField(label=_("Conclusion"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    rectification_needed = forms.BooleanField(
        label=_("The collective must rectify"), required=False,
        help_text=_("Recorded with the conclusion; the rectification and its deadline are ordered from it."),
    )


class CancelInspectionForm(StepForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ObjectionForm(forms.ModelForm):
    # Bots fill every field; people never see this one (hidden by the stylesheet, skipped by screen readers).
    website = forms.CharField(required=False, label=_("Leave this empty"))
    evidence_file = forms.FileField(label=_("Evidence (optional: PDF, JPEG or PNG, up to 5 MB)"), required=False)

    class Meta:
        model = Objection
        fields = ["application", "name", "contact", "text"]
        labels = {"application": _("Entry you object to")}

    text = public_text_field(_("objection"))

    def __init__(self, *args, entries=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Chosen by the entry's link on the notice, not from a list: a national notice has thousands of entries.
        self.fields["application"].queryset = entries
        self.fields["application"].widget = forms.HiddenInput()
        self.fields["application"].error_messages = {
            "required": _("Choose the entry you object to: use the “Object” link on its row."),
            "invalid_choice": _("This entry is no longer on notice: choose another one from the list."),
        }
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def clean_contact(self):
        return clean_contact(self.cleaned_data["contact"])

    def clean_evidence_file(self):
        upload = self.cleaned_data.get("evidence_file")
        if upload:
            self.evidence_type = validate_upload(upload, EVIDENCE_MAX_MB)
        return upload

    def is_spam(self):
        return bool(self.data.get("website"))

    def save(self, notice):
        """The objection, not saved yet (workflow.file_objection saves it), its evidence stored."""
        objection = super().save(commit=False)
        objection.notice = notice
        upload = self.cleaned_data.get("evidence_file")
        if upload:
            objection.evidence_extension = EXTENSIONS[self.evidence_type]
            objection.evidence.save(upload.name, upload, save=False)
        return objection


class ResolveObjectionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("dismiss", _("Dismiss: the entry stays")), ("uphold", _("Uphold: withdraw the entry"))]
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)



class SpecialRecommendationForm(StepForm):
    """A special recommendation (特别推荐): the collective (by its registration number, among those registered in
    the round's area), the committee's written reason and its supporting material."""

    collective = forms.CharField(
        label=_("Registration number of the collective"), max_length=20, widget=CodeInput(), help_text=_("e.g. 340803-2024-00012")
    )
    reason = forms.CharField(
        label=_("Reason for the special recommendation"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        help_text=_("What the collective did in the emergency, the major project or the new field."),
        error_messages={"required": _("Please give the reason for the decision.")},
    )
    material = forms.FileField(label=_("Supporting material (PDF, JPEG or PNG, up to 10 MB)"))

    def clean_collective(self):
        number = clean_lookup_code(self.cleaned_data["collective"], Collective._meta.get_field("registration_number").max_length)
        collective = (
            Collective.objects.filter(registration_number=number, registering_node__path__startswith=self.subject.node.path)
            .select_related("registering_node")
            .first()
        )
        if collective is None:
            raise ValidationError(_("No registered collective with this number in the area of %(node)s.") % {"node": self.subject.node.name})
        return collective

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Please give the reason for the decision."))
        return reason

    def clean_material(self):
        upload = self.cleaned_data["material"]
        self.cleaned_data["material_type"] = validate_upload(upload, ATTACHMENT_MAX_MB)
        return upload
