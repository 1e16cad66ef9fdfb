from apps.organizations.scope import staff_scope


def navigation(request):
    """What the header needs on every page: whether to offer the staff workbench."""
    return {"is_staff_member": staff_scope(request).is_staff_member if request.user.is_authenticated else False}
