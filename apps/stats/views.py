"""Statistics pages: the public `/stats/` for any league committee's area, and `/workbench/stats/` for the
subtree a staff member may see. The figures and how they are cached: `figures.py`."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from apps.organizations.enums import Action, Level, NodeKind
from apps.organizations.models import Node
from apps.organizations.scope import staff_scope

from civpost import versions

from .figures import LEVELS, VERSION_KEY, figures, max_age

# The area a visitor chose on /stats/, opened again the next time they come (a year, like any preference).
AREA_COOKIE = "stats_area"
AREA_COOKIE_AGE = 365 * 24 * 3600


def _ancestors(node):
    """The nodes above `node`, from the root down, in one query."""
    prefixes = [node.path[:end] for end in range(Node.steplen, len(node.path), Node.steplen)]
    return list(Node.objects.filter(path__in=prefixes).select_related("region").order_by("depth")) if prefixes else []


def _node_id(request):
    node_id = request.GET.get("node", "")
    if not node_id:
        return None
    if not node_id.isdigit():
        raise Http404
    return int(node_id)


def _remembered_area(request):
    """The area the visitor last chose (a cookie), when it is still a committee id; else None."""
    value = request.COOKIES.get(AREA_COOKIE, "")
    return int(value) if value.isdigit() else None


def public(request):
    """Statistics of a league committee's area, for everyone: the one asked for (?node=), which the visitor's
    browser then remembers, else the area the visitor chose last time, else the national committee's.

    The page's content is cached per area asked for, version of the snapshots (figures.VERSION_KEY) and language,
    and read without a query while its figures are recent enough (STATS_MAX_AGE)."""
    node_id = _node_id(request)
    wanted = node_id if node_id is not None else _remembered_area(request)
    page = versions.cached(
        f"stats:public:{wanted}:{get_language()}",
        [VERSION_KEY],
        lambda: _public_page(request, node_id, wanted),
        settings.STATS_MAX_AGE,
        usable=lambda page: timezone.now() - page["computed_at"] <= max_age(),
    )
    response = render(request, "stats/public.html", {**page, "content": mark_safe(page["content"])})
    if node_id is not None:
        response.set_cookie(AREA_COOKIE, str(page["node"]), max_age=AREA_COOKIE_AGE, samesite="Lax", secure=request.is_secure(), httponly=True)
    return response


def _public_page(request, node_id, wanted):
    """The public page of the committee asked for (404 for one that is not an active league committee), else of
    the area remembered (`wanted`), else the national committee's: its content rendered, with what the layout
    needs."""
    committees = Node.objects.filter(kind=NodeKind.LEAGUE_COMMITTEE, is_active=True).select_related("region")
    node = committees.filter(pk=wanted).first() if wanted is not None else None
    if node is None:
        if node_id is not None:
            raise Http404
        node = committees.filter(depth=1).order_by("path").first()
        if node is None:
            raise Http404
    blocks = figures(node)
    context = {
        "node": node,
        "breadcrumb": [n for n in _ancestors(node) if n.kind == NodeKind.LEAGUE_COMMITTEE],
        "levels": LEVELS,
        **blocks,
    }
    content = render_to_string("stats/includes/public_content.html", context, request)
    return {"node": node.pk, "area": node.region.name, "computed_at": blocks["computed_at"], "content": content}


@login_required
def workbench(request):
    """The same figures for the subtree of a committee the staff member may see, with aspiring collectives."""
    scope = staff_scope(request)
    if not scope.can(Action.VIEW):
        raise PermissionDenied
    node_id = _node_id(request)
    roots = scope.root_nodes(Action.VIEW)
    if node_id is None:
        node = roots[0] if roots else Node.objects.filter(level=Level.NATIONAL, depth=1).order_by("path").first()
        if node is None:
            raise Http404
    else:
        node = scope.nodes(Action.VIEW).select_related("region").filter(pk=node_id).first()
        if node is None:
            raise Http404  # Outside the user's subtree: as if it did not exist.
    blocks = figures(node)
    return render(
        request,
        "stats/workbench.html",
        {
            "node": node,
            "breadcrumb": [n for n in _ancestors(node) if scope.can(Action.VIEW, n)],
            "roots": roots if len(roots) > 1 else [],
            "levels": LEVELS,
            **blocks,
        },
    )
