from django.contrib import admin
from import_export.admin import ExportMixin

from .models import Collective, Member
from .resources import CollectiveResource


class MemberInline(admin.TabularInline):
    model = Member
    extra = 0


@admin.register(Collective)
class CollectiveAdmin(ExportMixin, admin.ModelAdmin):
    # Import is staff work in the workbench (/workbench/imports/, apps/imports): scoped, with 号长 accounts and audit.
    resource_classes = [CollectiveResource]
    list_display = ("name", "workplace_unit", "registering_node", "status", "registration_number", "member_count")
    list_filter = ("status", "industry")
    search_fields = ("name", "workplace_unit", "registration_number")
    list_select_related = ("registering_node",)
    raw_id_fields = ("registering_node", "region", "leader_account")
    # State and numbers belong to the workflow (apps/collectives/workflow.py), which writes the audit trail.
    readonly_fields = ("status", "registration_number", "registered_on", "member_count", "pledge_accepted_at")
    inlines = [MemberInline]
