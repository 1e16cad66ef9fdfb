"""Site-wide pages that belong to no single app: home, health check, error pages."""

import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import (
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
)
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.views.decorators.cache import never_cache

from apps.collectives.models import Collective

logger = logging.getLogger(__name__)

HOME_LATEST = 12


def home(request):
    public = Collective.objects.public()
    return render(
        request,
        "home.html",
        {
            "latest": public.with_places().order_by("-registered_on", "-pk")[:HOME_LATEST],
            "public_count": public.count(),
        },
    )


@never_cache
def healthz(request):
    """200 only when a page can be served: the database answers and a template of the site's layout renders (its
    static files resolve through the manifest, its context processors run). 503 otherwise, with the reason."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    try:
        render_to_string("healthz.html", request=request)
    except Exception as error:  # noqa: BLE001 - whatever breaks the layout breaks every page: report it, never raise.
        logger.exception("healthz: the layout does not render")
        return HttpResponse(f"pages cannot render: {type(error).__name__}\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def _standalone_error(template, response_class):
    """Error pages render without the request: no context processor runs, so no database read can turn a 404 into
    a 500 while the database is down (the templates use no static files either: templates/error_base.html). They
    are in the site's language, Chinese, even when the failure came before LocaleMiddleware chose one."""

    def view(request, exception=None, reason=""):
        with translation.override(getattr(request, "LANGUAGE_CODE", None) or settings.LANGUAGE_CODE):
            return response_class(render_to_string(template))

    return view


bad_request = _standalone_error("400.html", HttpResponseBadRequest)
permission_denied = _standalone_error("403.html", HttpResponseForbidden)
page_not_found = _standalone_error("404.html", HttpResponseNotFound)
server_error = _standalone_error("500.html", HttpResponseServerError)
# settings.CSRF_FAILURE_VIEW: called as csrf_failure(request, reason=...).
csrf_failure = _standalone_error("403_csrf.html", HttpResponseForbidden)
