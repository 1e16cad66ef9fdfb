from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from apps.collectives.resources import EscapeFormulasMixin

from .models import Honor


def region_label(region):
    """安庆市大观区: the region with its parent, except when the parent is the whole country."""
    parent = region.parent
    if parent is None or parent.parent_id is None:
        return region.name
    return f"{parent.name}{region.name}"


class HonorResource(EscapeFormulasMixin, resources.ModelResource):
    """Exports honors (the named list) for spreadsheets. Export only: honors are created by naming, never imported."""

    certificate_number = fields.Field(
        attribute="certificate_number", column_name=capfirst(_("certificate number")), readonly=True
    )
    title = fields.Field(attribute="title", column_name=capfirst(_("title")), readonly=True)
    collective = fields.Field(attribute="collective__name", column_name=capfirst(_("collective")), readonly=True)
    workplace_unit = fields.Field(
        attribute="collective__workplace_unit", column_name=capfirst(_("workplace unit")), readonly=True
    )
    region = fields.Field(column_name=capfirst(_("region")), readonly=True)
    industry = fields.Field(attribute="collective__industry__name", column_name=capfirst(_("industry")), readonly=True)
    named_on = fields.Field(attribute="named_on", column_name=capfirst(_("named on")), readonly=True)
    named_by = fields.Field(attribute="named_by__name", column_name=capfirst(_("named by")), readonly=True)
    status = fields.Field(attribute="get_status_display", column_name=capfirst(_("status")), readonly=True)

    class Meta:
        model = Honor
        fields = [
            "certificate_number",
            "title",
            "collective",
            "workplace_unit",
            "region",
            "industry",
            "named_on",
            "named_by",
            "status",
        ]
        export_order = fields

    def get_queryset(self):
        return with_related(super().get_queryset())

    def dehydrate_region(self, honor):
        return region_label(honor.collective.region)

    def import_data(self, *args, **kwargs):
        raise NotImplementedError("Honors are created by naming, never imported.")


def with_related(honors):
    """Everything a certificate, a named list or an export reads, in one query."""
    if hasattr(honors, "select_related"):
        return honors.select_related("collective__region__parent", "collective__industry", "named_by", "round")
    return honors
