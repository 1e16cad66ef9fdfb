from django.contrib import admin
from import_export.admin import ImportExportMixin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import Industry, Membership, Node, Region
from .resources import IndustryResource, NodeResource, RegionResource


@admin.register(Region)
class RegionAdmin(ImportExportMixin, admin.ModelAdmin):
    resource_classes = [RegionResource]
    list_display = ("code", "name", "parent")
    search_fields = ("code", "name")
    list_select_related = ("parent",)
    raw_id_fields = ("parent",)


@admin.register(Industry)
class IndustryAdmin(ImportExportMixin, admin.ModelAdmin):
    resource_classes = [IndustryResource]
    list_display = ("name", "code", "sort_order")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)
    fields = ("user", "role", "ended_at")
    readonly_fields = ("ended_at",)


@admin.register(Node)
class NodeAdmin(ImportExportMixin, TreeAdmin):
    resource_classes = [NodeResource]
    form = movenodeform_factory(Node)
    list_display = ("name", "level", "kind", "region", "industry", "is_active")
    list_filter = ("level", "kind", "is_active")
    search_fields = ("name", "region__code")
    list_select_related = ("region", "industry")
    raw_id_fields = ("region",)
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """For the first national admin only: from then on committees give and end roles at /workbench/staff/,
    where each change is checked and audited."""

    list_display = ("user", "node", "role", "created_at", "ended_at")
    list_filter = ("role", "node__level", ("ended_at", admin.EmptyFieldListFilter))
    search_fields = ("user__username", "user__real_name", "node__name")
    list_select_related = ("user", "node")
    raw_id_fields = ("user", "node")
    readonly_fields = ("granted_by", "ended_at", "ended_by", "end_reason")
