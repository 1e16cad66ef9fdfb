from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from apps.accounts.models import accounts_by_login
from apps.accounts.views import landing_url
from apps.audit.workflow import TransitionError
from civpost.lists import PAGE_SIZES, ScalingPaginator, page_size

from . import trail, twofactor
from .forms import CodeForm, EventSearchForm, PasswordForm, SignInCodeForm
from .models import Event, Result, SecurityEvent


@login_required
def two_factor(request):
    """The person's two-factor page: on or off, recovery codes left, and the forms to renew them or turn it off."""
    user = request.user
    context = {
        "enabled": twofactor.has_two_factor(user),
        "required": twofactor.is_required(user),
        "codes_left": twofactor.recovery_codes_left(user),
        "password_form": PasswordForm(user),
    }
    return render(request, "security/two_factor.html", context)


@never_cache
@login_required
def setup(request):
    """Scan the QR code (or type the key) into an authenticator app, then confirm with the code it shows."""
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = twofactor.confirm(request.user, form.cleaned_data["code"])
        except TransitionError as error:
            form.add_error("code", str(error))
        else:
            request.session.pop(twofactor.SESSION_STATE, None)
            request.session[twofactor.NEW_CODES] = codes
            messages.success(request, _("Two-factor authentication is on. From now on you enter a code from your app after your password."))
            return redirect("security:recovery_codes")
    device = twofactor.pending_device(request.user)
    context = {
        "form": form,
        "qr_code": twofactor.qr_code(device),
        "secret": twofactor.secret(device),
        "required": request.session.get(twofactor.SESSION_STATE) == twofactor.ENROL,
        "replacing": twofactor.has_two_factor(request.user),
    }
    return render(request, "security/setup.html", context)


@never_cache
@login_required
def recovery_codes(request):
    """The recovery codes just made, shown this once."""
    codes = request.session.pop(twofactor.NEW_CODES, None)
    if not codes:
        messages.info(request, _("Recovery codes are shown only once. Make new ones if you lost them."))
        return redirect("security:two_factor")
    return render(request, "security/recovery_codes.html", {"codes": codes})


@require_POST
@login_required
@sensitive_post_parameters("password")
def renew_codes(request):
    form = PasswordForm(request.user, request.POST)
    if not form.is_valid():
        messages.error(request, _("The password is wrong. The recovery codes were not changed."))
        return redirect("security:two_factor")
    try:
        request.session[twofactor.NEW_CODES] = twofactor.regenerate_codes(request.user)
    except TransitionError as error:
        messages.error(request, str(error))
        return redirect("security:two_factor")
    return redirect("security:recovery_codes")


@require_POST
@login_required
@sensitive_post_parameters("password")
def disable(request):
    form = PasswordForm(request.user, request.POST)
    if not form.is_valid():
        messages.error(request, _("The password is wrong. Two-factor authentication stays on."))
        return redirect("security:two_factor")
    twofactor.remove(request.user)
    if twofactor.is_required(request.user):
        request.session[twofactor.SESSION_STATE] = twofactor.ENROL
        messages.warning(request, _("Two-factor authentication is off. Your role requires it: set it up again with your new phone."))
        return redirect("security:setup")
    messages.success(request, _("Two-factor authentication is off."))
    return redirect("security:two_factor")


@never_cache
@sensitive_post_parameters("code")
def verify(request):
    """The second step of signing in: the code from the app, or a recovery code."""
    user = request.user
    if not user.is_authenticated or request.session.get(twofactor.SESSION_STATE) != twofactor.VERIFY:
        return redirect("login")
    next_url = request.POST.get("next") or request.GET.get("next", "")
    form = SignInCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = twofactor.verify(user, form.cleaned_data["code"])
        except TransitionError as error:
            trail.log(Event.LOGIN_FAILED, request=request, actor=user, result=Result.FAILURE, detail="second factor")
            form.add_error("code", str(error))
        else:
            del request.session[twofactor.SESSION_STATE]
            request.session.cycle_key()
            recovery = device.__class__.__name__ == "StaticDevice"
            trail.log(Event.LOGIN, request=request, actor=user, detail="recovery code" if recovery else "second factor")
            if recovery:
                left = twofactor.recovery_codes_left(user)
                messages.warning(request, _("You signed in with a recovery code; it cannot be used again. %(left)s codes are left.") % {"left": left})
            if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
                next_url = landing_url(user)
            return redirect(next_url)
    return render(request, "security/verify.html", {"form": form, "next": next_url})


def events(request):
    """The security trail, searched by a superuser: by account, event, address and period, newest first."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.is_superuser:
        raise PermissionDenied
    form = EventSearchForm(request.GET or None)
    rows = SecurityEvent.objects.select_related("actor", "account")
    if form.is_bound and form.is_valid():
        rows = _search(rows, form.cleaned_data)
    elif form.is_bound:
        rows = rows.none()
    page = ScalingPaginator(rows, page_size(request)).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "page_sizes": PAGE_SIZES}
    return render(request, "security/events.html", context)


def _search(rows, data):
    if data["user"]:
        accounts = list(accounts_by_login(data["user"]).values_list("pk", flat=True))
        rows = rows.filter(Q(account__in=accounts) | Q(actor__in=accounts) | Q(username=data["user"].strip()))
    if data["event"]:
        rows = rows.filter(event=data["event"])
    if data["address"]:
        rows = rows.filter(address=data["address"])
    zone = timezone.get_current_timezone()
    if data["date_from"]:
        rows = rows.filter(created_at__gte=datetime.combine(data["date_from"], time.min, zone))
    if data["date_to"]:
        rows = rows.filter(created_at__lt=datetime.combine(data["date_to"] + timedelta(days=1), time.min, zone))
    return rows
