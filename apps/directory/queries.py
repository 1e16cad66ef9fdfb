"""The directory's page of results: a constant number of queries whatever the filters and the page.

Three things keep a page cheap at national size (500,000 posts; measured by `make bench`):

1. The page is read in two steps, in one SQL statement: the ids of the page first (`id IN (SELECT id ... ORDER BY
   ... LIMIT 30 OFFSET n)`), then those 30 rows with their region and industry (and one more query for their
   titles). The inner select reads only
   columns that the order's index holds (migration 0001: the filter columns are INCLUDEd), so PostgreSQL walks the
   index alone (an index-only scan) and never the wide rows of the posts it passes over: a filter whose matches
   come late in the order (a province sorted by name, a past year in the newest-first order) stays cheap.

2. What is cached, and how it stays fresh. Counting the matches is the one query whose cost grows with the size
   of the list (COUNT over up to 500,000 posts), and it is the same for every page of a search: the count is
   cached per filter combination for COUNT_TTL seconds. A rendered page of results (form, list, page links) is
   cached per query string and language for RESULTS_TTL seconds: the landing page and popular searches are then
   served without a query. Both keys hold a generation number that any save of a registered collective or of an
   honour bumps (signals.py), so this process recomputes at once; with the default per-process cache, another
   process may serve a page or a count at most 60 seconds old (a shared cache such as Redis, CACHE_URL, makes
   every process recompute at once). The region and industry lists of the form are cached for 5 minutes (filters.py).

3. With a keyword, the count also decides how the page is found (PostgreSQL). The gram index finds every match at
   once, but reading all of them to sort them costs about as much per match as walking the list in its order and
   testing each post with LIKE costs per post walked. For `count` matches among `total` posts, the page at
   `offset` costs about `count` rows through the index, or `(offset + 30) * total / count` rows by the walk, and
   the cheaper is taken: "供电" (36,000 of 500,000) is found by the walk (about 400 rows), a rare name by the index.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.functional import cached_property

from apps.collectives.models import Collective
from apps.evaluations.models import Honor
from apps.evaluations.titles import honor_title
from apps.rechecks.models import StarAdjustment
from civpost.links import url_format

from .filters import NATIONAL_REGION

PAGE_SIZE = 30
COUNT_TTL = 60
RESULTS_TTL = 60
GENERATION_KEY = "directory:generation"


def bump_generation():
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


def cached_count(queryset, key):
    key = f"directory:count:{cache.get(GENERATION_KEY, 0)}:{key}"
    count = cache.get(key)
    if count is None:
        count = queryset.count()
        cache.set(key, count, COUNT_TTL)
    return count


def count_key(filterset):
    """The filters that change the count (not the sort, not the page), as a short stable key."""
    data = {}
    if filterset is not None:
        filterset.form.errors  # noqa: B018  (validates the form once)
        data = getattr(filterset.form, "cleaned_data", {})
    text = "&".join(f"{name}={data[name]}" for name in sorted(data) if name != "sort" and data[name])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Post:
    """A post as the list shows it. Plain values, not model instances: a page of 30 posts with their regions,
    industries and titles would be some 150 instances, a good part of the page's time."""

    pk: int
    name: str
    workplace_unit: str
    place: str
    industry: str
    titles: tuple
    url: str


def posts(ids_queryset, ordering):
    """The posts whose ids the (sliced) queryset selects, in this order, with their valid titles: two queries."""
    rows = list(
        Collective.objects.filter(pk__in=ids_queryset)
        .order_by(*ordering)
        .values_list("pk", "name", "workplace_unit", "region__name", "region__parent_id", "region__parent__name", "industry__name")
    )
    titles = defaultdict(list)
    # The star grade is the current one; a title whose grade was changed says when (its page shows the history).
    last_adjusted = StarAdjustment.objects.filter(honor=OuterRef("pk")).order_by("-decided_on", "-pk").values("decided_on")[:1]
    honors = (
        Honor.objects.valid().filter(collective_id__in=[row[0] for row in rows]).annotate(adjusted_on=Subquery(last_adjusted)).order_by("-year", "-pk")
    )
    for collective_id, level, stars, edition, year, adjusted_on in honors.values_list("collective_id", "level", "star_grade", "edition", "year", "adjusted_on"):
        title = f"{honor_title(level, stars, edition)}（{year}）"
        if adjusted_on:
            title += _("(star grade changed on %(date)s)") % {"date": adjusted_on.isoformat()}
        titles[collective_id].append(title)
    url = url_format("collectives:public_page")
    return [
        Post(pk, name, unit, (parent if parent and parent_code != NATIONAL_REGION else "") + region, industry, tuple(titles[pk]), url.format(pk))
        for pk, name, unit, region, parent_code, parent, industry in rows
    ]


class DirectoryPaginator(Paginator):
    """Pages of a filtered, ordered queryset of posts: cached count, ids first (see above)."""

    def __init__(self, queryset, per_page, key, walk=None):
        super().__init__(queryset, per_page)
        self.key = key
        self.walk = walk  # the same posts without the gram index, for a keyword that many posts match

    @cached_property
    def count(self):
        return cached_count(self.object_list, self.key)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        queryset = self.object_list
        if self.walk is not None:
            total = cached_count(Collective.objects.public(), count_key(None))
            if top * total < self.count**2:
                queryset = self.walk
        rows = posts(queryset.values("pk")[bottom:top], queryset.query.order_by) if top > bottom else []
        return self._get_page(rows, number, self)


def _rendered_key(kind, request, ignore=()):
    query = sorted((name, value) for name, values in request.GET.lists() if name not in ignore for value in values if value.strip())
    digest = hashlib.sha256(repr(query).encode()).hexdigest()[:32]
    return f"directory:{kind}:{translation.get_language()}:{cache.get(GENERATION_KEY, 0)}:{digest}"


def cached_results(request):
    """The rendered results (form, list, pages) of this query string, if a request rendered them in the last
    RESULTS_TTL seconds and no post changed since (the generation is part of the key). They hold nothing personal
    and nothing of the visitor's (the filter form is a GET form: no CSRF token)."""
    return cache.get(_rendered_key("results", request))


def cache_results(request, results):
    cache.set(_rendered_key("results", request), results, RESULTS_TTL)


def rendered_filter_form(request, render):
    """The filter form as render() makes it, shared by every page of the same filters: a visitor paging through
    results renders only the list of each new page (the form with its region and year lists was a third of it)."""
    key = _rendered_key("form", request, ignore={"page"})
    form = cache.get(key)
    if form is None:
        form = render()
        cache.set(key, form, RESULTS_TTL)
    return form


def results_page(filterset, page_number):
    paginator = DirectoryPaginator(filterset.qs, PAGE_SIZE, key=count_key(filterset), walk=filterset.without_keyword_index())
    return paginator.get_page(page_number)
