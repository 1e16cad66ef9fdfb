from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from . import views
from .sitemaps import SITEMAPS

app_name = "directory"

urlpatterns = [
    path("posts/", views.directory, name="directory"),
    path("posts/<int:pk>/qr.png", views.qr, name="qr"),
    path("posts/<int:pk>/poster.pdf", views.poster, name="poster"),
    path("open-data/", views.open_data, name="open_data"),
    path("open-data/posts.csv", views.open_data_csv, name="open_data_csv"),
    path("open-data/posts.json", views.open_data_json, name="open_data_json"),
    path("robots.txt", views.robots_txt, name="robots"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "directory:sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
]
