from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from .models import Industry, Node, Region


class RegionResource(resources.ModelResource):
    parent = fields.Field(attribute="parent", column_name="parent", widget=ForeignKeyWidget(Region, "code"))

    class Meta:
        model = Region
        import_id_fields = ["code"]
        fields = ["code", "name", "parent"]


class IndustryResource(resources.ModelResource):
    class Meta:
        model = Industry
        import_id_fields = ["code"]
        fields = ["code", "name", "sort_order"]


class NodeResource(resources.ModelResource):
    """Committees by id; a new row names its parent's id and is inserted into the tree under it."""

    parent = fields.Field(column_name="parent", readonly=False)
    region = fields.Field(attribute="region", column_name="region", widget=ForeignKeyWidget(Region, "code"))
    industry = fields.Field(attribute="industry", column_name="industry", widget=ForeignKeyWidget(Industry, "code"))

    class Meta:
        model = Node
        fields = ["id", "name", "level", "kind", "region", "industry", "is_active", "parent"]
        export_order = fields

    def dehydrate_parent(self, node):
        parent = Node.objects.get_parent(node)
        return parent.pk if parent else ""

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.column_name != "parent":
            super().import_field(field, instance, row, is_m2m, **kwargs)

    def before_save_instance(self, instance, row, **kwargs):
        instance.import_parent_id = row.get("parent")

    def do_instance_save(self, instance, is_create):
        if not is_create:
            instance.save()
        elif instance.import_parent_id:
            Node.objects.add_child(Node.objects.get(pk=int(instance.import_parent_id)), instance=instance)
        else:
            Node.objects.add_root(instance=instance)
