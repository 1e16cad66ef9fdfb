from django.contrib import admin

from civpost.admin import ReadOnlyAdminMixin

from .models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Superusers see every export, and why one failed (its last error; the traceback is in Task results)."""

    list_display = ("created_at", "kind", "requester", "node", "status", "rows_done", "attempts", "finished_at")
    list_filter = ("status", "kind")
    list_select_related = ("requester", "node")
    search_fields = ("file_name", "requester__username")
    date_hierarchy = "created_at"
    readonly_fields = ("kind", "requester", "node", "query", "arguments", "language", "status", "rows_done", "file_name", "file_size", "attempts", "error", "created_at", "started_at", "finished_at")
    exclude = ("file",)
