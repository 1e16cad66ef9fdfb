from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from apps.organizations.scope import staff_scope

from . import todo as todo_list


@login_required
def todo(request):
    scope = staff_scope(request)
    if not scope.is_staff_member:
        return redirect("collectives:my")
    today = timezone.localdate()
    return render(
        request,
        "workbench/todo.html",
        {
            "items": todo_list.items(scope, today),
            "deadlines": todo_list.deadlines(scope, today),
            "holding": todo_list.holding_past_deadline(scope, today),
            "nodes": list({m.node.pk: m.node for m in scope.memberships}.values()),
        },
    )
