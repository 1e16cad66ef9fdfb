from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from apps.organizations.models import Industry, Node, Region
from civpost.exports import escape_formula

from .models import Collective


class EscapeFormulasMixin:
    """Exports text cells so that a spreadsheet shows them as text and never runs them as formulas."""

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))


class CollectiveResource(EscapeFormulasMixin, resources.ModelResource):
    """Exports the collectives list (no members: they are personal data) and updates profiles on import."""

    industry = fields.Field(attribute="industry", column_name="industry", widget=ForeignKeyWidget(Industry, "code"))
    region = fields.Field(attribute="region", column_name="region", widget=ForeignKeyWidget(Region, "code"))
    registering_node = fields.Field(
        attribute="registering_node", column_name="registering_node", widget=ForeignKeyWidget(Node, "pk")
    )

    class Meta:
        model = Collective
        fields = [
            "id",
            "registration_number",
            "name",
            "workplace_unit",
            "industry",
            "region",
            "address",
            "registering_node",
            "has_league_branch",
            "supervision_phone",
            "service_promises",
            "status",
            "registered_on",
            "member_count",
        ]
        export_order = fields
        # Status, numbers and counts change only through the workflow, never through a spreadsheet.
        import_exclude = ["status", "registration_number", "registered_on", "member_count"]
        skip_unchanged = True
        clean_model_instances = True
