from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from apps.organizations.scope import StaffScope
from civpost.ratelimit import limit_reached, too_many_requests

from .forms import LoginForm, SignUpForm


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
PASSWORD_RESETS_PER_HOUR = 10  # mails asked for from one address


@sensitive_post_parameters("password1", "password2")
def signup(request):
    if request.user.is_authenticated:
        return redirect("collectives:my")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if limit_reached(request, "signup", SIGNUPS_PER_HOUR, 3600):
            return too_many_requests(request, _("Too many accounts were created from your network in the last hour. Please try again later."))
        user = form.save()
        login(request, user, backend="apps.accounts.backends.UsernameOrPhoneBackend")
        messages.success(request, _("Your account has been created. Now register your collective."))
        return redirect("collectives:create")
    return render(request, "accounts/signup.html", {"form": form})


def password_reset(request):
    """Django's reset form, limited per address: each request sends a mail (and later a text message)."""
    if request.method == "POST" and limit_reached(request, "password_reset", PASSWORD_RESETS_PER_HOUR, 3600):
        return too_many_requests(request, _("Too many password reset requests from your network in the last hour. Please try again later."))
    return auth_views.PasswordResetView.as_view()(request)


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out sign-in (AXES_LOCKOUT_CALLABLE): a page that says for how long, and how to
    get unlocked sooner."""
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)}
    return render(request, "accounts/locked_out.html", context, status=429)
