"""Site-wide pages that belong to no single app: home, health check, error pages."""

import logging
from functools import partial

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import (
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from apps.collectives.models import Collective, NodeListedCount
from apps.complaints.forms import TrackingLookupForm
from apps.directory.filters import SORTS
from apps.directory.queries import GENERATION_KEY, RESULTS_TTL, posts
from apps.evaluations.forms import CertificateLookupForm
from apps.evaluations.models import Notice
from apps.evaluations.public import NOTICES_KEY

from . import versions
from .context_processors import ELDER_COOKIE

logger = logging.getLogger(__name__)

HOME_NAMED = 8
HOME_NOTICES = 5
# How long the home page's content is kept. It is renewed at once when a post, a title or a notice changes (the versions
# in its key), but the directory's generation is bumped before the change commits: a visitor in between may cache the
# list as it was, for this long at most (the directory's own caches keep its results as long: RESULTS_TTL).
HOME_TTL = RESULTS_TTL


def home(request):
    """The citizen's entry: the checks (certificate, complaint), current notices, recently named posts, the counts.

    Its content is the same for every visitor but for the sign-in buttons: rendered once per generation of the
    directory (bumped by any change to a public collective or a title: apps/directory/signals.py), version of the
    notices (apps/evaluations/public.py), day (which notices are open) and language, then read from the cache with
    the versions, in one round trip (civpost/versions.py). Rendering it takes four queries: the notices, the named posts and their
    titles, and both figures from the committees' counters (NodeListedCount, kept exact by triggers), whatever the
    number of collectives."""
    content = versions.cached(
        f"home:{timezone.localdate()}:{translation.get_language()}", [GENERATION_KEY, NOTICES_KEY], partial(_home_content, request), HOME_TTL
    )
    return render(request, "home.html", {part: mark_safe(html) for part, html in content.items()})


def _home_content(request):
    context = _home_context()
    return {part: render_to_string(f"includes/home_{part}.html", context, request) for part in ("hero", "sections")}


def _home_context():
    ordering = SORTS["newest"]
    figures = NodeListedCount.totals()
    return {
        "named": posts(Collective.objects.named().order_by(*ordering).values("pk")[:HOME_NAMED], ordering),
        "notices": Notice.objects.listed()[:HOME_NOTICES],
        "public_count": figures["listed"],
        "named_count": figures["named"],
        "certificate_form": CertificateLookupForm(auto_id="home-%s"),
        "tracking_form": TrackingLookupForm(auto_id="home-%s"),
    }


# A year: the visitor chose how the site should read for them; it lasts until they choose again.
ELDER_COOKIE_AGE = 365 * 24 * 3600


@require_POST
def display_mode(request):
    """The header's 长辈模式 button: remembered in a cookie (no account needed), then back to the page."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = "/"
    response = redirect(target)
    if request.POST.get("elder") == "1":
        response.set_cookie(ELDER_COOKIE, "1", max_age=ELDER_COOKIE_AGE, samesite="Lax", secure=request.is_secure(), httponly=True)
    else:
        response.delete_cookie(ELDER_COOKIE, samesite="Lax")
    return response


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
