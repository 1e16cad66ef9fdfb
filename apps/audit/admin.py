from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor", "content_type", "object_id", "action", "from_state", "to_state")
    list_filter = ("action", "content_type")
    list_select_related = ("actor", "content_type")
    date_hierarchy = "created_at"

    # The trail is evidence: nobody edits or deletes it, not even superusers.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
