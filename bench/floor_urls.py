"""The portal's URLs plus two pages that exist only for the benchmarks: the framework floors.

The staff floor is an empty workbench page: the same middleware, session, login, staff scope, context processors,
base layout and workbench navigation as every workbench page, and nothing else. The public floor is an empty page of
the public base layout for an anonymous visitor (no query), beside which the public pages are measured. Its time, measured in the same run as
the real pages, is what a page costs before it does any work of its own; dividing by it cancels most of the
machine's load and speed from the figures. Used with `override_settings(ROOT_URLCONF="floor_urls")`.
"""

from functools import cache

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

FLOOR_TEMPLATE = """{% extends "base.html" %}{% load i18n %}{% block title %}{% translate "Workbench" %}{% endblock %}
{% block content %}{% include "includes/workbench_nav.html" with section="registrations" %}
<h1>{% translate "Workbench" %}</h1>{% endblock %}"""


PUBLIC_FLOOR_TEMPLATE = """{% extends "base.html" %}{% load i18n %}{% block title %}{% translate "Home" %}{% endblock %}
{% block content %}<h1>{% translate "Youth Civilization Post" %}</h1>{% endblock %}"""


@cache
def compiled(source):
    # Compiled once, as the cached template loader keeps the real pages' templates.
    return engines["django"].from_string(source)


@login_required
def floor(request):
    return HttpResponse(compiled(FLOOR_TEMPLATE).render({}, request))


def public_floor(request):
    return HttpResponse(compiled(PUBLIC_FLOOR_TEMPLATE).render({}, request))


urlpatterns = [
    path("workbench/bench-floor/", floor, name="bench_floor"),
    path("bench-floor/", public_floor, name="bench_public_floor"),
    path("", include("civpost.urls")),
]
