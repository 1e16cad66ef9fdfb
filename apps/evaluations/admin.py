from django.contrib import admin
from import_export.admin import ImportExportMixin

from civpost.admin import ReadOnlyAdminMixin

from .models import Honor
from .resources import TitleResource


@admin.register(Honor)
class HonorAdmin(ReadOnlyAdminMixin, ImportExportMixin, admin.ModelAdmin):
    """Titles, read-only: they are named by the workflow or imported here (historical titles, TitleResource) and
    revoked through apps/rechecks, each of which writes the audit trail."""

    resource_classes = [TitleResource]
    list_display = ("certificate_number", "collective", "level", "year", "named_by", "status", "imported_at")
    list_filter = ("level", "status", "year")
    search_fields = ("certificate_number", "collective__name", "decision_reference")
    list_select_related = ("collective", "named_by")

    def get_import_resource_kwargs(self, request, **kwargs):
        return {"user": request.user}
