"""How titles are written: 三星级全国青年文明号, 第22届全国青年文明号, 省级青年文明号."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

LEVEL_TITLES = {
    "national": gettext_lazy("National Youth Civilization Post"),
    "provincial": gettext_lazy("Provincial Youth Civilization Post"),
    "city": gettext_lazy("City-level Youth Civilization Post"),
    "county": gettext_lazy("County-level Youth Civilization Post"),
}
STAR_PREFIXES = {1: gettext_lazy("One-star"), 2: gettext_lazy("Two-star"), 3: gettext_lazy("Three-star")}


def honor_title(level, star_grade=None, edition=None):
    title = LEVEL_TITLES[level]
    if star_grade:
        return _("%(stars)s %(title)s") % {"stars": STAR_PREFIXES[star_grade], "title": title}
    if edition:
        return _("No. %(edition)s %(title)s") % {"edition": edition, "title": title}
    return str(title)
