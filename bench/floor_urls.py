"""The portal's URLs plus one page that exists only for the benchmarks: the framework floor.

The floor is an empty workbench page: the same middleware, session, login, staff scope, context processors, base
layout and workbench navigation as every workbench page, and nothing else. Its time, measured in the same run as
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


@cache
def floor_template():
    # Compiled once, as the cached template loader keeps the real pages' templates.
    return engines["django"].from_string(FLOOR_TEMPLATE)


@login_required
def floor(request):
    return HttpResponse(floor_template().render({}, request))


urlpatterns = [
    path("workbench/bench-floor/", floor, name="bench_floor"),
    path("", include("civpost.urls")),
]
