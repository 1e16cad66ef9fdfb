"""Admin pieces the apps share."""


class ReadOnlyAdminMixin:
    """A model the admin shows but never adds, changes or deletes: its rows come from a workflow (or an import) that
    writes the audit trail, or are themselves the trail."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
