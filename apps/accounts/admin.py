from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User
from .validators import mask_phone


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "real_name", "masked_phone", "email", "is_staff", "is_active")
    search_fields = ("username", "real_name", "phone", "email")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("real_name", "phone", "email")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "real_name", "phone", "password1", "password2")}),
    )

    @admin.display(description=_("mobile phone"), ordering="phone")
    def masked_phone(self, user):
        """Masked in the list; in full on the user's page."""
        return mask_phone(user.phone)
