from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.admin import UserAdmin
from apps.accounts.models import User
from civpost.admin import ReadOnlyAdminMixin

from . import twofactor
from .models import SecurityEvent

# Devices are reset through the user list (recorded in the trail), never edited one by one; their keys stay hidden.
for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.action(description=_("Reset two-factor authentication"))
def reset_two_factor(modeladmin, request, queryset):
    if not request.user.is_superuser:
        messages.error(request, _("Only a superuser may reset two-factor authentication."))
        return
    count = sum(twofactor.remove(person, actor=request.user) for person in queryset)
    messages.success(
        request,
        ngettext(
            "Two-factor authentication was reset for %(count)d person: they set it up again at their next sign-in.",
            "Two-factor authentication was reset for %(count)d people: they set it up again at their next sign-in.",
            count,
        )
        % {"count": count},
    )


admin.site.unregister(User)


@admin.register(User)
class SecureUserAdmin(UserAdmin):
    actions = [reset_two_factor]


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read only, like the audit trail; the search page is /security/events/."""

    list_display = ("created_at", "event", "result", "actor", "account", "username", "address", "detail")
    list_filter = ("event", "result")
    list_select_related = ("actor", "account")
    show_full_result_count = False
