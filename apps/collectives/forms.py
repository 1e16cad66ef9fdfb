from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.forms import PhoneField
from apps.organizations.enums import NodeKind
from apps.organizations.models import Node, Region
from civpost.forms import DateInput

from .models import CREDIT_PLEDGE, Collective, Member, Status
from .validation import validate_birth_date

CHOOSE = _("Choose…")


class RegistrationNodeField(forms.ModelChoiceField):
    def label_from_instance(self, node):
        return f"{node.name}（{node.get_kind_display()}）" if node.is_industry_unit else node.name


class RegionField(forms.ModelChoiceField):
    def label_from_instance(self, region):
        return f"{region.parent.name} {region.name}" if region.parent_id else region.name


def collapse_spaces(value):
    return " ".join(value.split())


class CollectiveForm(forms.ModelForm):
    accept_pledge = forms.BooleanField(
        label=_("We accept the credit pledge: %(pledge)s") % {"pledge": CREDIT_PLEDGE}, required=False
    )

    class Meta:
        model = Collective
        fields = [
            "name",
            "workplace_unit",
            "industry",
            "region",
            "address",
            "registering_node",
            "has_league_branch",
            "service_promises",
            "supervision_phone",
        ]
        field_classes = {"registering_node": RegistrationNodeField, "region": RegionField, "supervision_phone": PhoneField}
        widgets = {"service_promises": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Collectives register with a county-level league committee or with an industry unit.
        self.fields["registering_node"].queryset = Node.registering_nodes()
        for name in ("industry", "region", "registering_node"):
            self.fields[name].empty_label = CHOOSE
        self.fields["region"].queryset = Region.objects.filter(parent__parent__isnull=False).select_related("parent")
        self.fields["accept_pledge"].initial = bool(self.instance.pledge_accepted_at)
        for checkbox in ("has_league_branch", "accept_pledge"):
            self.fields[checkbox].label_suffix = ""  # The label follows the box: no colon.
        if self.instance.status == Status.REGISTERED:
            # The registering committee and area decide who supervises the collective: fixed once registered.
            for name in ("registering_node", "region"):
                self.fields[name].disabled = True

    def clean_name(self):
        return collapse_spaces(self.cleaned_data["name"])

    def clean_workplace_unit(self):
        return collapse_spaces(self.cleaned_data["workplace_unit"])

    def clean(self):
        cleaned = super().clean()
        node, region = cleaned.get("registering_node"), cleaned.get("region")
        if node and region and node.kind == NodeKind.LEAGUE_COMMITTEE and not node.region.contains(region):
            self.add_error(
                "registering_node",
                _("%(node)s does not cover %(region)s. Choose the league committee of the collective's county or district, or its industry unit.")
                % {"node": node.name, "region": region.name},
            )
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


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What should be revised"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class ApproveForm(forms.Form):
    comment = forms.CharField(label=_("Comment (optional)"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)
