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


class PhoneCodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Code received by text message"))
        kwargs.setdefault("max_length", 6)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))
        super().__init__(**kwargs)


class VerifiedSignUpForm(SignUpForm):
    """Sign-up with the mobile phone verified by a code (SMS_VERIFY_AT_SIGNUP)."""

    code = PhoneCodeField()

    def clean(self):
        from .phone_codes import check_code

        cleaned = super().clean()
        phone = cleaned.get("phone")
        if phone and cleaned.get("code") and not check_code(phone, "signup", cleaned["code"]):
            self.add_error("code", _("The code is wrong or has expired. Ask for a new one."))
        return cleaned


class PhoneForm(forms.Form):
    phone = PhoneField(label=_("Mobile phone"), max_length=20)

    def clean_phone(self):
        from .validators import MOBILE_RE

        phone = self.cleaned_data["phone"]
        if not MOBILE_RE.match(phone):
            raise forms.ValidationError(_("Enter an 11-digit mainland mobile phone number."))
        return phone


class SmsPasswordResetForm(PhoneForm):
    """A new password for the account of a mobile phone, proven by the code sent to it."""

    code = PhoneCodeField()
    new_password1 = forms.CharField(label=_("New password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False)
    new_password2 = forms.CharField(label=_("New password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False)

    def clean(self):
        from django.contrib.auth import password_validation

        from .phone_codes import check_code

        cleaned = super().clean()
        phone, code = cleaned.get("phone"), cleaned.get("code")
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", _("The two passwords differ."))
            return cleaned
        self.user = User.objects.filter(phone=phone, is_active=True).first() if phone else None
        if first and self.user is not None:
            try:
                password_validation.validate_password(first, self.user)
            except forms.ValidationError as error:
                self.add_error("new_password1", error)
                return cleaned
        if phone and code and (self.user is None or not check_code(phone, "reset", code)):
            self.add_error("code", _("The code is wrong or has expired. Ask for a new one."))
        return cleaned

    def save(self):
        self.user.set_password(self.cleaned_data["new_password1"])
        self.user.save(update_fields=["password"])
        return self.user
