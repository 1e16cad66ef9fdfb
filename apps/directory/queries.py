"""The directory's page of results: a constant number of queries whatever the filters and the page.

What keeps a page cheap at national size (500,000 posts; measured by `make bench`):

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
   generation, as the count is, and each process keeps its copy as long; a deep page then starts at the bookmark
   before it, an index range from that key (`(registered_on, id) <= (…)`), and walks fewer than BOOKMARK_EVERY
   entries. The "newest named" order is two runs
   of the index, the named posts by (latest_named_on, registered_on, id) and then the aspiring ones (no naming date)
   by (registered_on, id); each run has its own bookmarks, and a page across the two takes the end of one and the
   start of the other. A filtered list is shorter (a province holds some 16,000 posts) and keeps the walk.

5. The pages of the whole list (no filter: what a crawler walks) are read by queries compiled once per shape and
   prepared once per PostgreSQL session (civpost/compiled.py), and need no filter form (filters.whole_list_sort).
"""

import hashlib
import time
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
from apps.organizations.names import place_name
from apps.rechecks.models import StarAdjustment
from civpost.compiled import CompiledQuery
from civpost.links import url_format

from .filters import whole_list

PAGE_SIZE = 30
COUNT_TTL = 60
RESULTS_TTL = 60
BOOKMARK_EVERY = 10 * PAGE_SIZE
BOOKMARKS_TTL = 60  # as the count: another process's bookmarks are at most this old (see 2.)
GENERATION_KEY = "directory:generation"


def bump_generation():
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


def cached_count(queryset, key, generation):
    key = f"directory:count:{generation}:{key}"
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


ROW_FIELDS = ("pk", "name", "workplace_unit", "region__name", "region__parent_id", "region__parent__name", "industry__name", "latest_named_on")


def selected_posts(selected, ordering):
    """The posts that the condition selects (ids from sliced querysets), in this order, with their valid titles: two
    queries, one when none of them is named (latest_named_on follows the valid titles: signals.py)."""
    return _posts(list(Collective.objects.filter(selected).order_by(*ordering).values(*ROW_FIELDS)))


def _posts(rows):
    named = [row["pk"] for row in rows if row["latest_named_on"] is not None]
    titles = _titles(named) if named else {}
    url = url_format("collectives:public_page")
    posts = []
    for row in rows:
        place = place_name(row["region__name"], row["region__parent_id"], row["region__parent__name"])
        posts.append(Post(row["pk"], row["name"], row["workplace_unit"], place, row["industry__name"], tuple(titles.get(row["pk"], ())), url.format(row["pk"])))
    return posts


def _valid_titles(*collective_ids):
    # The star grade is the current one; a title whose grade was changed says when (its page shows the history).
    last_adjusted = StarAdjustment.objects.filter(honor=OuterRef("pk")).order_by("-decided_on", "-pk").values("decided_on")[:1]
    honors = Honor.objects.valid().filter(collective_id__in=collective_ids).annotate(adjusted_on=Subquery(last_adjusted)).order_by("-year", "-pk")
    return honors.values("collective_id", "level", "star_grade", "edition", "year", "adjusted_on")


# Compiled once for each number of named posts on a page (civpost/compiled.py).
VALID_TITLES = CompiledQuery(Honor, lambda *ids, shape: _valid_titles(*ids))


def _titles(collective_ids):
    """{collective id: [title]}: the valid titles of these collectives, newest first."""
    titles = defaultdict(list)
    for honor in VALID_TITLES.rows(*collective_ids, shape=len(collective_ids)):
        title = f"{honor_title(honor['level'], honor['star_grade'], honor['edition'])}（{honor['year']}）"
        if honor["adjusted_on"]:
            title += _("(star grade changed on %(date)s)") % {"date": honor["adjusted_on"].isoformat()}
        titles[honor["collective_id"]].append(title)
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


class Bookmark(NamedTuple):
    position: int  # of the post in the whole list, from 0
    run: int  # index in RUNS[sort]
    key: tuple  # the post's values of the run's fields
    run_end: int | None  # where the next run starts; None for the last run


# This process's copy of the bookmarks, by generation and order, kept as long as in the cache: unpickling a thousand
# bookmarks from the shared cache at every deep page cost more than the page's queries.
_bookmarks_here = {}


def bookmarks(queryset, sort, generation):
    """The bookmarks of the whole list in this order, from this process or the cache; computed if missing, unless
    another request is computing them (then None: that request walks from the start, as before)."""
    marks, kept_until = _bookmarks_here.get((generation, sort), (None, 0))
    if marks is not None and time.monotonic() < kept_until:
        return marks
    key = f"directory:bookmarks:{generation}:{sort}"
    marks = cache.get(key)
    if marks is None and cache.add(f"{key}:computing", True, BOOKMARKS_TTL):
        try:
            marks = _read_bookmarks(queryset, RUNS[sort])
            cache.set(key, marks, BOOKMARKS_TTL)
        finally:
            cache.delete(f"{key}:computing")
    if marks is not None:
        if any(held != generation for held, _sort in _bookmarks_here):
            _bookmarks_here.clear()  # an older generation's
        _bookmarks_here[(generation, sort)] = (marks, time.monotonic() + BOOKMARKS_TTL)
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


class Stretch(NamedTuple):
    """Posts of the whole list read in one go: `limit` posts from `offset` on, in the run from `key` (a bookmark), or
    from the start of the whole list (run None)."""

    run: int | None
    key: tuple
    offset: int
    limit: int


def stretches(marks, bottom, top):
    """The stretches of the posts at positions bottom to top of the whole list, each run read from the bookmark before
    it; from the start of the list when there are no bookmarks."""
    if not marks:
        return [Stretch(None, (), bottom, top - bottom)]
    positions = [mark.position for mark in marks]
    found = []
    while bottom < top:
        mark = marks[bisect_right(positions, bottom) - 1]
        stop = top if mark.run_end is None else min(top, mark.run_end)
        found.append(Stretch(mark.run, mark.key, bottom - mark.position, stop - bottom))
        bottom = stop
    return found


def _whole_list_rows(*keys, shape):
    """The rows of a page of the whole list: shape is the order and the stretches (without their keys), keys are the
    stretches' bookmarks' values in turn."""
    sort, parts = shape
    queryset, keys, selected = whole_list(sort), iter(keys), Q()
    for run, offset, limit in parts:
        posts = queryset if run is None else RUNS[sort][run].posts_from(queryset, tuple(next(keys) for _field in RUNS[sort][run].fields))
        selected |= Q(pk__in=posts.values("pk")[offset : offset + limit])
    return Collective.objects.filter(selected).order_by(*queryset.query.order_by).values(*ROW_FIELDS)


# Compiled once per order and stretches: a stretch starts fewer than BOOKMARK_EVERY posts after its bookmark, so
# there are a few hundred shapes at most (the walk from the start, without bookmarks, is compiled only that far).
WHOLE_LIST_ROWS = CompiledQuery(Collective, _whole_list_rows)


def whole_list_posts(sort, parts):
    """The posts of these stretches of the whole list in this order, with their titles (two queries, compiled)."""
    shape = (sort, tuple((part.run, part.offset, part.limit) for part in parts))
    return _posts(WHOLE_LIST_ROWS.rows(*(value for part in parts for value in part.key), shape=shape))


class DirectoryPaginator(Paginator):
    """Pages of a filtered, ordered queryset of posts: cached count, ids first, deep pages of the whole list from a
    bookmark (see above)."""

    def __init__(self, queryset, per_page, key, generation, walk=None, sort=None):
        super().__init__(queryset, per_page)
        self.key, self.generation = key, generation
        self.walk = walk  # the same posts without the gram index, for a keyword that many posts match
        self.sort = sort  # the order of the whole list (no filter), whose deep pages start at bookmarks

    @cached_property
    def count(self):
        return cached_count(self.object_list, self.key, self.generation)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        queryset = self.object_list
        if self.walk is not None:
            total = cached_count(Collective.objects.public(), count_key(None), self.generation)
            if top * total < self.count**2:
                queryset = self.walk
        if top <= bottom:
            return self._get_page([], number, self)
        marks = bookmarks(queryset, self.sort, self.generation) if self.sort and bottom >= BOOKMARK_EVERY else None
        if marks or (self.sort and bottom < BOOKMARK_EVERY):
            return self._get_page(whole_list_posts(self.sort, stretches(marks, bottom, top)), number, self)
        return self._get_page(selected_posts(Q(pk__in=queryset.values("pk")[bottom:top]), queryset.query.order_by), number, self)


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


def rendered_filter_form(request, render, generation):
    """The filter form as render() makes it, shared by every page of the same filters: a visitor paging through
    results renders only the list of each new page (the form with its region and year lists was a third of it)."""
    key = f"{_query_key('form', request, ignore={'page'})}:{generation}"
    form = cache.get(key)
    if form is None:
        form = render()
        cache.set(key, form, RESULTS_TTL)
    return form


def results_page(filterset, page_number, generation):
    sort = None if filterset.is_filtered else filterset.form.cleaned_data.get("sort") or "newest"
    paginator = DirectoryPaginator(filterset.qs, PAGE_SIZE, count_key(filterset), generation, walk=filterset.without_keyword_index(), sort=sort)
    return paginator.get_page(page_number)


def whole_list_page(sort, page_number, generation):
    """A page of the whole list in this order (filters.whole_list_sort): the same page as results_page() with the
    filters of an empty form, without building and validating that form."""
    paginator = DirectoryPaginator(whole_list(sort), PAGE_SIZE, count_key(None), generation, sort=sort)
    return paginator.get_page(page_number)
