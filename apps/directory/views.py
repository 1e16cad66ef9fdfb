"""The public directory of posts, each post's QR code and poster, the open data, robots.txt."""

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from apps.collectives.models import Collective
from apps.evaluations.models import Honor
from civpost.links import public_address, url_format
from civpost.pdf import qr_png

from . import opendata
from .filters import DirectoryFilter, whole_list_sort
from .poster import poster_pdf
from .queries import cache_results, cached_results, rendered_filter_form, results_page, whole_list_page


@require_safe
def directory(request):
    results, generation = cached_results(request)
    if results is None:
        sort = whole_list_sort(request.GET)
        filterset = None if sort else DirectoryFilter(request.GET)
        if filterset is None:
            page = whole_list_page(sort, request.GET.get("page"), generation)
        else:
            page = results_page(filterset, request.GET.get("page"), generation)
        query = request.GET.copy()
        query.pop("page", None)
        context = {"page": page, "query": query.urlencode()}

        def filter_form():
            return render_to_string("directory/includes/filter_form.html", {"filter": filterset or DirectoryFilter(request.GET)}, request)

        form = rendered_filter_form(request, filter_form, generation)
        html = render_to_string("directory/includes/results.html", {**context, "filter_form": mark_safe(form)}, request)
        filtered = filterset is not None and filterset.is_filtered
        results = {"html": html, "count": page.paginator.count, "number": page.number, "filtered": filtered}
        cache_results(request, results, generation)
    return render(request, "directory/directory.html", {**results, "results": mark_safe(results["html"])})


def _public_post(pk):
    """A collective on the public lists; a delisted one keeps its page but gets no QR code or poster."""
    return get_object_or_404(Collective.objects.public(), pk=pk)


def _page_url(collective):
    """The post page at the portal's public address, as printed and scanned (never the request's host)."""
    return public_address(collective.get_absolute_url())


@require_safe
@cache_control(public=True, max_age=86400)
def qr(request, pk):
    collective = _public_post(pk)
    return HttpResponse(qr_png(_page_url(collective)), content_type="image/png")


@require_safe
def poster(request, pk):
    collective = _public_post(pk)
    honors = Honor.objects.valid().filter(collective=collective).select_related("named_by__region").order_by("-year", "-pk")
    response = HttpResponse(poster_pdf(collective, list(honors)), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="post-{collective.pk}-poster.pdf"'
    return response


# Open data -------------------------------------------------------------------------------------------------


@require_safe
def open_data(request):
    query = request.GET.urlencode()
    return render(
        request,
        "directory/open_data.html",
        {"fields": opendata.FIELDS, "licence": opendata.LICENCE, "licence_url": opendata.LICENCE_URL, "query": query},
    )


def _export(request, stream, content_type, extension):
    filterset = DirectoryFilter(request.GET)
    response = StreamingHttpResponse(stream(filterset.qs, url_format("collectives:public_page", request=request)), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="youth-civilization-posts-{timezone.localdate():%Y%m%d}.{extension}"'
    response["Access-Control-Allow-Origin"] = "*"  # Open data: any site may read it.
    return response


@require_safe
def open_data_csv(request):
    return _export(request, opendata.csv_stream, "text/csv; charset=utf-8", "csv")


@require_safe
def open_data_json(request):
    source = request.build_absolute_uri(reverse("directory:open_data"))

    def stream(queryset, page_url):
        return opendata.json_stream(queryset, page_url, source)

    return _export(request, stream, "application/json; charset=utf-8", "json")


# Crawlers --------------------------------------------------------------------------------------------------


@require_safe
def robots_txt(request):
    return render(
        request,
        "directory/robots.txt",
        {"sitemap_url": request.build_absolute_uri(reverse("directory:sitemap"))},
        content_type="text/plain; charset=utf-8",
    )
