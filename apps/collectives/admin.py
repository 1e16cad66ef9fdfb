from django.contrib import admin
from import_export.admin import ExportMixin, ImportMixin

from apps.imports.formats import WorkbookFormat
from apps.imports.resources import ImportContext
from apps.imports.workbook import WorkbookError
from apps.organizations.models import Node

from .models import Collective, Member
from .resources import CollectiveImportResource, CollectiveResource


class MemberInline(admin.TabularInline):
    model = Member
    extra = 0


@admin.register(Collective)
class CollectiveAdmin(ImportMixin, ExportMixin, admin.ModelAdmin):
    # Staff import in the workbench (/workbench/imports/: scoped, large files in the background). Superusers may also
    # import here, with the workbench's resource and rules, acting for the national committee.
    resource_classes = [CollectiveResource]
    import_resource_classes = [CollectiveImportResource]
    list_display = ("name", "workplace_unit", "registering_node", "status", "registration_number", "member_count")
    list_filter = ("status", "industry")
    search_fields = ("name", "workplace_unit", "registration_number")
    list_select_related = ("registering_node",)
    raw_id_fields = ("registering_node", "region", "leader_account")
    # State and numbers belong to the workflow (apps/collectives/workflow.py), which writes the audit trail.
    readonly_fields = ("status", "registration_number", "registered_on", "member_count", "pledge_accepted_at")
    inlines = [MemberInline]

    def get_import_resource_classes(self, request):
        return self.import_resource_classes

    def get_import_formats(self):
        return [WorkbookFormat.for_resource(CollectiveImportResource)]

    def get_import_resource_kwargs(self, request, form=None, **kwargs):
        data = getattr(form, "cleaned_data", {})
        file_name = data.get("original_file_name") or getattr(data.get("import_file"), "name", "")
        return {"context": ImportContext(node=Node.objects.get(depth=1), actor=request.user, label=file_name)}

    def add_data_read_fail_error_to_form(self, form, error):
        if isinstance(error, WorkbookError):  # the workbench's message says what is wrong with the file, in Chinese
            form.add_error("import_file", str(error))
        else:
            super().add_data_read_fail_error_to_form(form, error)

    def has_import_permission(self, request):
        return request.user.is_superuser
