from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.accounts.forms import PhoneField
from apps.organizations import regions
from apps.organizations.models import Node, Region
from civpost.forms import CHOOSE, DateInput

from .cells import UnreadableSheet, read_sheet, split_text
from .models import CREDIT_PLEDGE, MEMBER_DATA_STATEMENT, Collective, Member, Status
from .validation import validate_birth_date

class RegistrationNodeField(forms.ModelChoiceField):
    def label_from_instance(self, node):
        return f"{node.name}（{node.get_kind_display()}）" if node.is_industry_unit else node.name


def collapse_spaces(value):
    return " ".join(value.split())


class CollectiveForm(forms.ModelForm):
    """The collective's registration. Its region is chosen in three selects (province → city → county, see
    apps/organizations/regions.py) that the server fills: each list follows the choice above it after a round trip
    (the refresh button, pressed by static/js/region-cascade.js on every change), and so does the list of registering
    committees, narrowed to those that cover the chosen region."""

    province = forms.ChoiceField(label=_("Province"), required=False)
    city = forms.ChoiceField(label=pgettext_lazy("region", "City"), required=False)
    county = forms.ChoiceField(label=pgettext_lazy("region", "County"), required=False)
    accept_pledge = forms.BooleanField(
        label=_("We accept the credit pledge: %(pledge)s") % {"pledge": CREDIT_PLEDGE}, required=False
    )
    # Required (by the view, through services.members_consent_needed) when the save registers or changes members.
    member_data_consent = forms.BooleanField(label=MEMBER_DATA_STATEMENT, required=False)

    class Meta:
        model = Collective
        fields = [
            "name",
            "workplace_unit",
            "industry",
            "address",
            "registering_node",
            "has_league_branch",
            "service_promises",
            "supervision_phone",
        ]
        field_classes = {"registering_node": RegistrationNodeField, "supervision_phone": PhoneField}
        widgets = {"service_promises": forms.Textarea(attrs={"rows": 4})}
        error_messages = {
            "registering_node": {
                "invalid_choice": _(
                    "Choose a committee from the list: the league committee of the collective's county or district, or an industry unit."
                )
            }
        }

    def __init__(self, *args, refreshing=False, **kwargs):
        """refreshing: the form came back for its next list (the refresh button): suggest the committee again."""
        super().__init__(*args, **kwargs)
        fixed = self.instance.status == Status.REGISTERED
        self.regions = regions.cascade(self._wanted_regions(fixed))
        if self.is_bound and not fixed:
            # A city or county left over from the province chosen before is dropped, not reported as an error.
            self.data = self.data.copy()
            for name in regions.FIELDS:
                self.data[self.add_prefix(name)] = self.regions.chosen[name]
        for name in regions.FIELDS:
            self.fields[name].choices = [("", CHOOSE), *self.regions.choices[name]]
            self.initial[name] = self.regions.chosen[name]
        nodes = self.fields["registering_node"]
        if fixed:
            # The registering committee and area decide who supervises the collective: fixed once registered.
            nodes.queryset = Node.objects.filter(pk=self.instance.registering_node_id)
            for name in (*regions.FIELDS, "registering_node"):
                self.fields[name].disabled = True
        elif self.regions.leaf:
            nodes.queryset = Node.registering_nodes_for(self.regions.region)
            if refreshing or not self.is_bound:
                self._suggest_committee(nodes.queryset)
        else:
            nodes.queryset = Node.objects.none()
            nodes.help_text = _("Choose the county or district first: the committees that cover it are listed then.")
        for name in ("industry", "registering_node"):
            self.fields[name].empty_label = CHOOSE
        # The committee suggested follows the industry too (static/js/region-cascade.js refreshes on its change).
        self.fields["industry"].widget.attrs["data-cascade-refresh"] = ""
        self.fields["accept_pledge"].initial = bool(self.instance.pledge_accepted_at)
        for checkbox in ("has_league_branch", "accept_pledge", "member_data_consent"):
            self.fields[checkbox].label_suffix = ""  # The label follows the box: no colon.

    def _suggest_committee(self, nodes):
        """Choose the committee the collective most likely registers with, from its region and industry: the industry
        unit of its industry closest to the region, else the league committee of its county or district. A committee
        already chosen that still covers the region is kept."""
        industry = self.data.get(self.add_prefix("industry")) if self.is_bound else self.instance.industry_id
        chosen = self.data.get(self.add_prefix("registering_node")) if self.is_bound else self.instance.registering_node_id
        candidates = list(nodes)
        if any(str(node.pk) == str(chosen) for node in candidates):
            return
        same_industry = [node for node in candidates if node.is_industry_unit and str(node.industry_id) == str(industry)]
        league = [node for node in candidates if not node.is_industry_unit]
        suggestion = max(same_industry, key=lambda node: node.depth) if same_industry else next(iter(league), None)
        if suggestion is None:
            return
        if self.is_bound:
            self.data[self.add_prefix("registering_node")] = str(suggestion.pk)
        else:
            self.initial["registering_node"] = suggestion.pk
        self.fields["registering_node"].help_text = _(
            "Suggested from the region and the industry; choose another if your collective registers elsewhere."
        )

    def _wanted_regions(self, fixed):
        """The region codes to show chosen: those sent, else (and always once registered) the collective's."""
        if self.is_bound and not fixed:
            return {name: self.data.get(self.add_prefix(name)) for name in regions.FIELDS}
        if self.instance.region_id is None:
            return {}
        return regions.chain(Region.objects.select_related("parent__parent").get(pk=self.instance.region_id))

    def clean_name(self):
        return collapse_spaces(self.cleaned_data["name"])

    def clean_workplace_unit(self):
        return collapse_spaces(self.cleaned_data["workplace_unit"])

    def clean(self):
        cleaned = super().clean()
        if self.instance.status == Status.REGISTERED:
            return cleaned
        if self.regions.leaf:
            self.instance.region_id = self.regions.region
        else:
            missing = next((name for name in regions.FIELDS if not self.regions.chosen[name]), regions.FIELDS[-1])
            self.add_error(missing, _("Choose the province, city and county or district where the collective works."))
        return cleaned

    def save(self, commit=True):
        collective = super().save(commit=False)
        if self.cleaned_data["accept_pledge"] and not collective.pledge_accepted_at:
            collective.pledge_accepted_at = timezone.now()
        elif not self.cleaned_data["accept_pledge"]:
            collective.pledge_accepted_at = None
        if commit:
            collective.save()
        return collective


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = ["name", "birth_date", "position", "is_leader"]
        widgets = {"birth_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The table header labels the columns visually; screen readers get the label on each input.
        for field in self.fields.values():
            field.widget.attrs.setdefault("aria-label", field.label)

    def clean_name(self):
        return collapse_spaces(self.cleaned_data["name"])

    def validate_constraints(self):
        # "One 号长 per collective" is checked across all rows by the formset: a single row checked
        # against the database would clash with the old 号长 while the role moves to someone else.
        pass

    def clean_birth_date(self):
        birth_date = self.cleaned_data["birth_date"]
        validate_birth_date(birth_date)
        return birth_date


class BaseMemberFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        leaders = [f for f in kept if f.cleaned_data.get("is_leader")]
        if not kept:
            raise ValidationError(_("Add the collective's members."), code="no_members")
        if len(leaders) != 1:
            raise ValidationError(
                _("Mark exactly one member as the 号长: the 号长 must be one of the members."), code="leader"
            )


MemberFormSet = forms.inlineformset_factory(
    Collective,
    Member,
    form=MemberForm,
    formset=BaseMemberFormSet,
    extra=0,
    min_num=1,
    max_num=200,
    validate_max=True,
    can_delete=True,
)


def without_errors(form):
    """Show a bound form (or formset) as it was typed, with no error: for the round trip that only refreshes the
    region lists, where nothing is checked or saved. Django computes the errors on first use; they are set empty."""
    if isinstance(form, forms.BaseFormSet):
        form._errors, form._non_form_errors = [], form.error_class(error_class="nonform", renderer=form.renderer)
        for member_form in form.forms:
            without_errors(member_form)
    else:
        form._errors, form.cleaned_data = ErrorDict(), {}
    return form


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What should be revised"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class ApproveForm(forms.Form):
    comment = forms.CharField(label=_("Comment (optional)"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)


class DecisionForm(forms.Form):
    """The staff page's one comment box: optional to approve (which asks for confirmation), required to return."""

    comment = forms.CharField(
        label=_("Comment (required to return for revision)"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )


MAX_MEMBERS_FILE_BYTES = 1024 * 1024  # The template with 200 members is about 10 KB.


class MemberRowsForm(forms.Form):
    """Members pasted from Excel or uploaded in the template, and whether they replace or join the current list."""

    rows = forms.CharField(
        label=_("Rows copied from Excel"),
        required=False,
        max_length=100_000,
        strip=False,  # Tabs separate the cells: keep them.
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "autocomplete": "off", "wrap": "off"}),
        help_text=_("Select the rows in Excel (name, birth date, position, 号长 是/否), copy, and paste them here."),
    )
    file = forms.FileField(
        label=_("or upload the filled-in template (.xlsx)"), required=False, widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )
    mode = forms.ChoiceField(
        label=_("These rows"),
        choices=[
            ("replace", _("replace the member list: members not in the rows are removed")),
            ("add", _("are added to the current members")),
        ],
        initial="replace",
        widget=forms.RadioSelect,
    )
    # Asked on the confirmation, which saves: see services.save_member_rows.
    consent = forms.BooleanField(
        label=MEMBER_DATA_STATEMENT, required=False, label_suffix="", widget=forms.CheckboxInput(attrs={"required": True})
    )

    def clean(self):
        cleaned = super().clean()
        upload, text = cleaned.get("file"), cleaned.get("rows") or ""
        if upload:
            if upload.size > MAX_MEMBERS_FILE_BYTES:
                raise ValidationError(_("The file is larger than 1 MB: is it the members template?"), code="too_big")
            try:
                cleaned["sheet_rows"] = read_sheet(upload.read())
            except UnreadableSheet as error:
                self.add_error("file", str(error))
        elif text.strip():
            cleaned["sheet_rows"] = split_text(text)
        else:
            raise ValidationError(_("Paste the rows copied from Excel, or choose the filled-in template."), code="empty")
        return cleaned


class DissolveForm(forms.Form):
    """The dissolution's one input: why the collective no longer exists (its titles end with this reason)."""

    comment = forms.CharField(
        label=_("Reason for the dissolution"),
        help_text=_("e.g. the service window closed, the team merged into another. The collective's titles end with this reason."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
