from django.contrib import admin

from civpost.admin import ReadOnlyAdminMixin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The trail is evidence: nobody edits or deletes it, not even superusers."""

    list_display = ("created_at", "actor", "content_type", "object_id", "action", "from_state", "to_state")
    list_filter = ("action", "content_type")
    list_select_related = ("actor", "content_type")
    date_hierarchy = "created_at"

