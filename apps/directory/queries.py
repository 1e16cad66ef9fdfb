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
   served without a query. Both hold a generation number that any save of a registered collective or of an
   honour bumps (signals.py): the count in its key, the page beside its content (read with the current generation
   in one round trip, and served only if they match), so this process recomputes at once; with the default
   per-process cache, another process may serve a page or a count at most 60 seconds old (a shared cache such as
   Redis, CACHE_URL, makes every process recompute at once). The region and industry lists of the form are cached for 5 minutes (filters.py).

3. With a keyword, the count also decides how the page is found (PostgreSQL). The gram index finds every match at
   once, but reading all of them to sort them costs about as much per match as walking the list in its order and
   testing each post with LIKE costs per post walked. For `count` matches among `total` posts, the page at
   `offset` costs about `count` rows through the index, or `(offset + 30) * total / count` rows by the walk, and
   the cheaper is taken: "供电" (36,000 of 500,000) is found by the walk (about 400 rows), a rare name by the index.

4. A deep page of the whole list starts at a bookmark. OFFSET n walks n entries of the index: page 10,000 of the
   500,000 posts walked 300,000 (about 280 ms at 16 connections, `make bench`). The sort key of every
   BOOKMARK_EVERY-th post of each order is read once (one pass over the index, about 0.3 s) and cached under the
   generation, as the count is; a deep page then starts at the bookmark before it, an index range from that key
   (`(registered_on, id) <= (…)`), and walks fewer than BOOKMARK_EVERY entries. The "newest named" order is two runs
   of the index, the named posts by (latest_named_on, registered_on, id) and then the aspiring ones (no naming date)
   by (registered_on, id); each run has its own bookmarks, and a page across the two takes the end of one and the
   start of the other. A filtered list is shorter (a province holds some 16,000 posts) and keeps the walk.
"""

import hashlib
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import F, OuterRef, Q, Subquery, Window
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThanOrEqual, TupleLessThanOrEqual
from django.db.models.functions import RowNumber
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
BOOKMARK_EVERY = 50 * PAGE_SIZE
BOOKMARKS_TTL = 60  # as the count: another process's bookmarks are at most this old (see 2.)
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
    return selected_posts(Q(pk__in=ids_queryset), ordering)


def selected_posts(selected, ordering):
    """The posts that the condition selects (ids from sliced querysets), in this order, with their valid titles: two
    queries, one when none of them is named (latest_named_on follows the valid titles: signals.py)."""
    rows = list(
        Collective.objects.filter(selected)
        .order_by(*ordering)
        .values_list("pk", "name", "workplace_unit", "region__name", "region__parent_id", "region__parent__name", "industry__name", "latest_named_on")
    )
    named = [row[0] for row in rows if row[-1] is not None]
    titles = _titles(named) if named else {}
    url = url_format("collectives:public_page")
    return [
        Post(pk, name, unit, (parent if parent and parent_code != NATIONAL_REGION else "") + region, industry, tuple(titles.get(pk, ())), url.format(pk))
        for pk, name, unit, region, parent_code, parent, industry, _named_on in rows
    ]


def _titles(collective_ids):
    """{collective id: [title]}: the valid titles of these collectives, newest first."""
    titles = defaultdict(list)
    # The star grade is the current one; a title whose grade was changed says when (its page shows the history).
    last_adjusted = StarAdjustment.objects.filter(honor=OuterRef("pk")).order_by("-decided_on", "-pk").values("decided_on")[:1]
    honors = Honor.objects.valid().filter(collective_id__in=collective_ids).annotate(adjusted_on=Subquery(last_adjusted)).order_by("-year", "-pk")
    for collective_id, level, stars, edition, year, adjusted_on in honors.values_list("collective_id", "level", "star_grade", "edition", "year", "adjusted_on"):
        title = f"{honor_title(level, stars, edition)}（{year}）"
        if adjusted_on:
            title += _("(star grade changed on %(date)s)") % {"date": adjusted_on.isoformat()}
        titles[collective_id].append(title)
    return titles


@dataclass(frozen=True)
class Run:
    """A stretch of an order (filters.SORTS) along one tuple of its columns, all ascending or all descending: the posts
    from a given key on are a range of the order's index. Its posts keep the whole order (ORDER BY all the index's
    columns: ordered by the run's columns alone, PostgreSQL would not see that the index serves it)."""

    where: Q
    fields: tuple
    descending: bool

    def posts(self, queryset):
        return queryset.filter(self.where)

    def posts_from(self, queryset, key):
        at_or_after = TupleLessThanOrEqual if self.descending else TupleGreaterThanOrEqual
        return self.posts(queryset).filter(at_or_after(Tuple(*(F(field) for field in self.fields)), key))


# Each order of filters.SORTS as its runs, in the same order: "newest" is the named posts, then the aspiring ones.
RUNS = {
    "newest": (
        Run(Q(latest_named_on__isnull=False), ("latest_named_on", "registered_on", "pk"), descending=True),
        Run(Q(latest_named_on__isnull=True), ("registered_on", "pk"), descending=True),
    ),
    "name": (Run(Q(), ("name", "pk"), descending=False),),
}


class Bookmark(NamedTuple):  # a tuple: the cache unpickles some 320 of them for each deep page
    position: int  # of the post in the whole list, from 0
    run: int  # index in RUNS[sort]
    key: tuple  # the post's values of the run's fields
    run_end: int | None  # where the next run starts; None for the last run


def bookmarks(queryset, sort):
    """The bookmarks of the whole list in this order, from the cache; computed if missing, unless another request is
    computing them (then None: that request walks from the start, as before)."""
    key = f"directory:bookmarks:{cache.get(GENERATION_KEY, 0)}:{sort}"
    marks = cache.get(key)
    if marks is None and cache.add(f"{key}:computing", True, BOOKMARKS_TTL):
        try:
            marks = _read_bookmarks(queryset, RUNS[sort])
            cache.set(key, marks, BOOKMARKS_TTL)
        finally:
            cache.delete(f"{key}:computing")
    return marks


def _read_bookmarks(queryset, runs):
    """Every BOOKMARK_EVERY-th post of each run, from its first: one query a run (a pass over its index), and the size
    of every run but the last."""
    found, starts = [], [0]
    for index, run in enumerate(runs):
        numbered = run.posts(queryset).annotate(number=Window(RowNumber(), order_by=list(queryset.query.order_by)))
        marked = numbered.annotate(skip=(F("number") - 1) % BOOKMARK_EVERY).filter(skip=0).values_list("number", *run.fields)
        found += [(starts[index] + number - 1, index, tuple(key)) for number, *key in marked]
        if index < len(runs) - 1:
            starts.append(starts[index] + run.posts(queryset).count())
    return [Bookmark(position, index, key, starts[index + 1] if index + 1 < len(runs) else None) for position, index, key in found]


def bookmarked(queryset, marks, runs, bottom, top):
    """The condition that selects the posts at positions bottom to top of the list, each run read from the bookmark
    before it."""
    positions = [mark.position for mark in marks]
    selected = Q()
    while bottom < top:
        mark = marks[bisect_right(positions, bottom) - 1]
        stop = top if mark.run_end is None else min(top, mark.run_end)
        ids = runs[mark.run].posts_from(queryset, mark.key).values("pk")[bottom - mark.position : stop - mark.position]
        selected |= Q(pk__in=ids)
        bottom = stop
    return selected


class DirectoryPaginator(Paginator):
    """Pages of a filtered, ordered queryset of posts: cached count, ids first, deep pages of the whole list from a
    bookmark (see above)."""

    def __init__(self, queryset, per_page, key, walk=None, sort=None):
        super().__init__(queryset, per_page)
        self.key = key
        self.walk = walk  # the same posts without the gram index, for a keyword that many posts match
        self.sort = sort  # the order of the whole list (no filter), whose deep pages start at bookmarks

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
        ordering = queryset.query.order_by
        if top <= bottom:
            return self._get_page([], number, self)
        marks = bookmarks(queryset, self.sort) if self.sort and bottom >= BOOKMARK_EVERY else None
        if marks:
            selected = bookmarked(queryset, marks, RUNS[self.sort], bottom, top)
        else:
            selected = Q(pk__in=queryset.values("pk")[bottom:top])
        return self._get_page(selected_posts(selected, ordering), number, self)


def _query_key(kind, request, ignore=()):
    query = sorted((name, value) for name, values in request.GET.lists() if name not in ignore for value in values if value.strip())
    digest = hashlib.sha256(repr(query).encode()).hexdigest()[:32]
    return f"directory:{kind}:{translation.get_language()}:{digest}"


def cached_results(request):
    """(results, generation): the rendered results (form, list, pages) of this query string if a request rendered them
    in the last RESULTS_TTL seconds and no post changed since (else None), and the current generation, read together
    in one round trip. They hold nothing personal and nothing of the visitor's (the filter form is a GET form: no
    CSRF token)."""
    key = _query_key("results", request)
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY, 0)
    results = found.get(key)
    return (results if results is not None and results["generation"] == generation else None), generation


def cache_results(request, results, generation):
    """Keeps results rendered after reading this generation (a post changed while they were rendered: they are
    rendered again at the next visit)."""
    cache.set(_query_key("results", request), {**results, "generation": generation}, RESULTS_TTL)


def rendered_filter_form(request, render):
    """The filter form as render() makes it, shared by every page of the same filters: a visitor paging through
    results renders only the list of each new page (the form with its region and year lists was a third of it)."""
    key = f"{_query_key('form', request, ignore={'page'})}:{cache.get(GENERATION_KEY, 0)}"
    form = cache.get(key)
    if form is None:
        form = render()
        cache.set(key, form, RESULTS_TTL)
    return form


def results_page(filterset, page_number):
    sort = None if filterset.is_filtered else filterset.form.cleaned_data.get("sort") or "newest"
    paginator = DirectoryPaginator(filterset.qs, PAGE_SIZE, key=count_key(filterset), walk=filterset.without_keyword_index(), sort=sort)
    return paginator.get_page(page_number)
