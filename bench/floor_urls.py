"""The portal's URLs plus two pages that exist only for the benchmarks: the framework floors.

A floor is an empty page of the same base layout: the same middleware, session, context processors and base
template as the pages measured, and nothing else. Its throughput, measured in the same run beside the real pages, is
what a page costs before it does any work of its own; dividing by it cancels most of the machine's load and speed
from the figures. The staff floor adds what every workbench page has: the login, the staff scope and the workbench
navigation. Served by bench_settings (ROOT_URLCONF) under gunicorn, or with override_settings(ROOT_URLCONF="floor_urls")
in process.
"""

from functools import cache

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

STAFF_FLOOR_URL = "/workbench/bench-floor/"
PUBLIC_FLOOR_URL = "/bench-floor/"
STAFF_FLOOR_TEMPLATE = """{% extends "base.html" %}{% load i18n %}{% block title %}{% translate "Workbench" %}{% endblock %}
{% block content %}{% include "includes/workbench_nav.html" with section="registrations" %}
<h1>{% translate "Workbench" %}</h1>{% endblock %}"""
PUBLIC_FLOOR_TEMPLATE = """{% extends "base.html" %}{% load i18n %}{% block title %}{% translate "Home" %}{% endblock %}
{% block content %}<h1>{% translate "Home" %}</h1>{% endblock %}"""


@cache
def compiled(source):
    # Compiled once, as the cached template loader keeps the real pages' templates.
    return engines["django"].from_string(source)


@login_required
def floor(request):
    return HttpResponse(compiled(STAFF_FLOOR_TEMPLATE).render({}, request))


def public_floor(request):
    return HttpResponse(compiled(PUBLIC_FLOOR_TEMPLATE).render({}, request))


urlpatterns = [
    path(STAFF_FLOOR_URL.lstrip("/"), floor, name="bench_floor"),
    path(PUBLIC_FLOOR_URL.lstrip("/"), public_floor, name="bench_public_floor"),
    path("", include("civpost.urls")),
]
