from apps.organizations.enums import Action
from apps.organizations.scope import staff_scope


def navigation(request):
    """What the header and the workbench menu need on every page: whether to offer the workbench, and staff
    management to those who may manage a committee."""
    if not request.user.is_authenticated:
        return {"is_staff_member": False, "may_manage_staff": False}
    scope = staff_scope(request)
    return {"is_staff_member": scope.is_staff_member, "may_manage_staff": scope.can(Action.MANAGE_NODE)}
