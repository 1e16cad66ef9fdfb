import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.accounts.forms import PhoneField
from apps.accounts.models import User
from apps.accounts.validators import MOBILE_RE, normalize_phone

from .enums import Role
from .models import Membership, Node

CURRENT, ENDED = "current", "ended"


class StaffFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name, username or mobile phone"), method="search")
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Role.choices, empty_label=_("All"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=[(CURRENT, _("Current")), (ENDED, _("Ended"))], empty_label=None, method="by_status"
    )

    class Meta:
        model = Membership
        fields = ["q", "role", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        found = Q(user__real_name__contains=value) | Q(user__username__icontains=value)
        digits = normalize_phone(value)
        if digits.isdigit():
            found |= Q(user__phone__contains=digits)
        return queryset.filter(found)

    def by_status(self, queryset, name, value):
        return queryset.filter(ended_at__isnull=value != ENDED)


class NodeField(forms.ModelChoiceField):
    """A committee: any active node is valid (the workflow decides who may act there); the menu offers only
    the few the admin is looking at, never the whole country's 3,500."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Node.objects.filter(is_active=True), label=_("Committee"), **kwargs)

    def offer(self, nodes, chosen):
        self.widget.choices = [(node.pk, ("— " if node != chosen else "") + node.name) for node in nodes]


class RoleAtNodeForm(forms.Form):
    node = NodeField()
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args, offered_nodes=(), chosen_node=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].offer(offered_nodes, chosen_node)
        self.fields["node"].initial = chosen_node


class FindAccountForm(forms.Form):
    find = forms.CharField(label=_("Mobile phone or username"), max_length=150)


class GrantForm(RoleAtNodeForm):
    """A role for an account that already exists."""

    user = forms.ModelChoiceField(queryset=User.objects.all(), widget=forms.HiddenInput)


class NewAccountForm(forms.ModelForm):
    """A new account (without a password) and its first role."""

    node = NodeField()
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    class Meta:
        model = User
        fields = ["real_name", "phone", "username", "email"]
        field_classes = {"phone": PhoneField}
        help_texts = {
            "username": _("Leave it empty to use the mobile phone number."),
            "email": _("If given, the password link is also mailed there."),
        }

    def __init__(self, *args, offered_nodes=(), chosen_node=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].required = True
        self.fields["real_name"].required = True
        self.fields["username"].required = False
        self.fields["node"].offer(offered_nodes, chosen_node)
        self.fields["node"].initial = chosen_node

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("username") and cleaned.get("phone"):
            cleaned["username"] = cleaned["phone"]
        return cleaned

    @staticmethod
    def initial_for(find):
        """What the admin searched for, put where it belongs in the new account."""
        phone = normalize_phone(find)
        return {"phone": phone} if MOBILE_RE.match(phone) else {"username": find.strip()}


class ChangeRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("New role"), choices=Role.choices)


class EndForm(forms.Form):
    reason = forms.CharField(label=_("Reason for ending the role"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
