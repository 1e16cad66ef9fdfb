"""Site-wide pages that belong to no single app: home, health check, error pages."""

from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from apps.collectives.models import Collective

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
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
