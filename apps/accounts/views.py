from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from apps.organizations.scope import StaffScope

from .forms import LoginForm, SignUpForm


class LoginView(auth_views.LoginView):
    """Staff land on their to-do list, a 号长 on their collectives; a `?next=` still wins."""

    authentication_form = LoginForm

    def get_default_redirect_url(self):
        if StaffScope(self.request.user).is_staff_member:
            return reverse("workbench:todo")
        return reverse("collectives:my")


@sensitive_post_parameters("password1", "password2")
def signup(request):
    if request.user.is_authenticated:
        return redirect("collectives:my")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="apps.accounts.backends.UsernameOrPhoneBackend")
        messages.success(request, _("Your account has been created. Now register your collective."))
        return redirect("collectives:create")
    return render(request, "accounts/signup.html", {"form": form})
