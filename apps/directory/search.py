"""Keyword search on a post's name and workplace unit, down to a single Chinese character ("供电", "税").

Chinese has no spaces, so a keyword is a substring, often of one or two characters. A trigram index (pg_trgm) cannot
serve those: a two-character substring holds no trigram. Instead, on PostgreSQL, every post is indexed by the set of
its *grams*: each character and each pair of adjacent characters of its name and of its workplace unit, lower-cased
(the pg_bigm idea). The set is computed by the IMMUTABLE SQL function ``civpost_grams(name, workplace_unit)``, and a
GIN index on that expression (migration 0001 of this app) answers ``grams @> keyword_grams`` from posting lists:

- one character ("税"): the posts whose grams contain "税";
- two characters ("供电"): the posts whose grams contain the bigram "供电";
- longer keywords ("营业厅"): the posts that contain every bigram of the keyword ("营业", "业厅").

For one or two characters the match is exact; for longer ones the bigrams may occur apart, so the ordinary
``icontains`` test is always added too, and the database applies it only to the rows the index returned. The
keyword's grams are computed by the database as well (``civpost_keyword_grams``), so both sides are lower-cased by
the same function, and the planner folds that call into a constant before it chooses the index.

Being an expression index, it needs no extra column and no code to keep it current: bulk_create, update(), admin
imports and raw SQL all keep it right. It needs no extension (not even pg_trgm). On SQLite (development, the test
suite) the same ``icontains`` runs as a scan: correct, only slower.
"""

from django.db import connections
from django.db.models import BooleanField, F, Func

from civpost import lists

MAX_KEYWORD_LENGTH = 50


class GramsMatch(Func):
    """``civpost_grams(name, workplace_unit) @> civpost_keyword_grams(keyword)``: served by the GIN index."""

    function = "civpost_grams"
    template = "%(function)s(%(expressions)s) @> civpost_keyword_grams(%%s)"
    output_field = BooleanField()

    def __init__(self, keyword):
        super().__init__(F("name"), F("workplace_unit"))
        self.keyword = keyword

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = super().as_sql(compiler, connection, **extra_context)
        return sql, (*params, self.keyword)


def normalize(keyword):
    """The keyword as searched: surrounding and repeated spaces removed, at most MAX_KEYWORD_LENGTH characters."""
    return " ".join((keyword or "").split())[:MAX_KEYWORD_LENGTH]


def has_gram_index(queryset):
    return connections[queryset.db].vendor == "postgresql"


def search(queryset, keyword, use_index=True):
    """Posts whose name or workplace unit contains the keyword, case-insensitively.

    `use_index=False` leaves the gram condition out: for a keyword that most pages match, walking the list in its
    order and testing each row with LIKE finds the first 30 sooner than reading every match (see queries.py)."""
    keyword = normalize(keyword)
    if not keyword:
        return queryset
    contains = lists.contains("name", keyword) | lists.contains("workplace_unit", keyword)
    if use_index and has_gram_index(queryset):
        return queryset.filter(GramsMatch(keyword), contains)
    return queryset.filter(contains)
