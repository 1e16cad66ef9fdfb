from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from apps.organizations.scope import StaffScope
from civpost.ratelimit import limit_reached, too_many_requests

from apps.notifications import sms

from . import phone_codes
from .models import User
from .forms import LoginForm, PhoneForm, SignUpForm, SmsPasswordResetForm, VerifiedSignUpForm


class LoginView(auth_views.LoginView):
    """Staff land on their to-do list, a 号长 on their collectives; a `?next=` still wins."""

    authentication_form = LoginForm

    def get_default_redirect_url(self):
        return landing_url(self.request.user)


def landing_url(user):
    """Where a person lands once signed in (after the second factor too): staff on 待办, a 号长 on /my/."""
    if StaffScope(user).is_staff_member:
        return reverse("workbench:todo")
    return reverse("collectives:my")


SIGNUPS_PER_HOUR = 5  # accounts from one address; a school's or a company's network shares one
PASSWORD_RESETS_PER_HOUR = 10  # mails or text messages asked for from one address
SIGNUP_CODES_PER_HOUR = 10  # sign-up codes asked for from one address


def _verify_at_signup():
    return settings.SMS_VERIFY_AT_SIGNUP and sms.enabled()


def _send_code(request, phone, purpose):
    """Send a code; the message to show (sent, or why not). Says the same whether the number has an account."""
    try:
        if not phone_codes.send_code(phone, purpose):
            return messages.WARNING, _("A code was sent to this number less than a minute ago. Please wait before asking again.")
    except sms.SmsError:
        return messages.ERROR, _("The text message could not be sent. Please try again later.")
    return messages.SUCCESS, _("If the number is valid, a code has been sent to it. It is valid for %(minutes)s minutes.") % {"minutes": phone_codes.CODE_MINUTES}


@sensitive_post_parameters("password1", "password2")
def signup(request):
    if request.user.is_authenticated:
        return redirect("collectives:my")
    verify = _verify_at_signup()
    form = (VerifiedSignUpForm if verify else SignUpForm)(request.POST or None)
    if verify and "send_code" in request.POST:
        # Only the phone is checked: the rest of the form is kept as typed (not the passwords).
        phone_form = PhoneForm(request.POST)
        if limit_reached(request, "signup_code", SIGNUP_CODES_PER_HOUR, 3600):
            return too_many_requests(request, _("Too many codes were asked for from your network in the last hour. Please try again later."))
        if phone_form.is_valid():
            level, text = _send_code(request, phone_form.cleaned_data["phone"], "signup")
            messages.add_message(request, level, text)
        else:
            messages.error(request, phone_form.errors["phone"][0])
        return render(request, "accounts/signup.html", {"form": VerifiedSignUpForm(initial=_typed(request.POST)), "verify": verify})
    if request.method == "POST" and form.is_valid():
        if limit_reached(request, "signup", SIGNUPS_PER_HOUR, 3600):
            return too_many_requests(request, _("Too many accounts were created from your network in the last hour. Please try again later."))
        user = form.save(commit=False)
        if verify:
            user.phone_verified_at = timezone.now()
        user.save()
        login(request, user, backend="apps.accounts.backends.UsernameOrPhoneBackend")
        messages.success(request, _("Your account has been created. Now register your collective."))
        return redirect("collectives:create")
    return render(request, "accounts/signup.html", {"form": form, "verify": verify})


def _typed(data):
    return {name: data.get(name, "") for name in ("username", "real_name", "phone", "email")}


def password_reset(request):
    """Django's reset form, limited per address: each request sends a mail (and later a text message)."""
    if request.method == "POST" and limit_reached(request, "password_reset", PASSWORD_RESETS_PER_HOUR, 3600):
        return too_many_requests(request, _("Too many password reset requests from your network in the last hour. Please try again later."))
    return auth_views.PasswordResetView.as_view(extra_context={"sms_enabled": sms.enabled()})(request)


@sensitive_post_parameters("new_password1", "new_password2", "code")
def password_reset_sms(request):
    """Reset by text message, for accounts without email: a code to the account's mobile phone, then a new password.
    Asking for a code counts against the same per-address limit as the reset mail."""
    if not sms.enabled():
        return redirect("password_reset")
    if request.method == "POST" and "send_code" in request.POST:
        if limit_reached(request, "password_reset", PASSWORD_RESETS_PER_HOUR, 3600):
            return too_many_requests(request, _("Too many password reset requests from your network in the last hour. Please try again later."))
        phone_form = PhoneForm(request.POST)
        if phone_form.is_valid():
            phone = phone_form.cleaned_data["phone"]
            if User.objects.filter(phone=phone, is_active=True).exists():
                level, text = _send_code(request, phone, "reset")
            else:  # the same answer: the page must not tell which numbers have an account
                level, text = messages.SUCCESS, _("If the number is valid, a code has been sent to it. It is valid for %(minutes)s minutes.") % {"minutes": phone_codes.CODE_MINUTES}
            messages.add_message(request, level, text)
        else:
            messages.error(request, phone_form.errors["phone"][0])
        return render(request, "registration/password_reset_sms.html", {"form": SmsPasswordResetForm(initial={"phone": request.POST.get("phone", "")})})
    form = SmsPasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your password has been set. You may log in now."))
        return redirect("login")
    return render(request, "registration/password_reset_sms.html", {"form": form})


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out sign-in (AXES_LOCKOUT_CALLABLE): a page that says for how long, and how to
    get unlocked sooner."""
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)}
    return render(request, "accounts/locked_out.html", context, status=429)
