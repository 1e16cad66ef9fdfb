"""sitemap.xml: an index of sections, so that 500,000 post pages fit (50,000 URLs per section page)."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from apps.collectives.models import Collective


class PostSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Collective.objects.public().order_by("pk").only("pk", "updated_at")

    def lastmod(self, collective):
        return collective.updated_at


class PageSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.5

    def items(self):
        return ["home", "directory:directory", "evaluations:notice_list", "directory:open_data"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {"posts": PostSitemap, "pages": PageSitemap}
