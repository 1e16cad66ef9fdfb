from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from .models import User
from .validators import normalize_phone


class PhoneField(forms.CharField):
    """A phone number typed the way people write it ("138 0013 8000", "(0556)5551234"), stored bare."""

    def to_python(self, value):
        return normalize_phone(super().to_python(value))


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username or mobile phone"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _("The username/mobile phone or the password is wrong. Both are case-sensitive."),
        "inactive": _("This account has been disabled."),
    }


class SignUpForm(UserCreationForm):
    """Self-service sign-up for a collective's 号长; staff accounts are created by their committee."""

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "real_name", "phone", "email")
        labels = {"email": _("Email (for password reset)")}
        field_classes = {**UserCreationForm.Meta.field_classes, "phone": PhoneField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].required = True
        self.fields["real_name"].required = True
