"""Staff lists at national size: page size, sort order and a paginator whose last page costs what its first does."""

from functools import cached_property
from math import ceil

from django.core.paginator import Paginator
from django.db.models import Q

PAGE_SIZES = (25, 50, 100)
# Where counting every matching row would read the whole table (a search over 500,000 collectives), the list
# counts this far and says "1,000+": nobody pages through more, they narrow the search.
COUNT_LIMIT = 1000


def page_size(request):
    """The page size chosen on the request (?size=), one of PAGE_SIZES."""
    size = request.GET.get("size", "")
    return int(size) if size.isdigit() and int(size) in PAGE_SIZES else PAGE_SIZES[0]


def contains(field, keyword):
    """`field` contains `keyword`, case-insensitively. A keyword without case (Chinese, digits) is a plain LIKE:
    PostgreSQL estimates it from the column's statistics and tests it without upper-casing every row
    (UPPER(name) LIKE UPPER(...) has no statistics, and a wrong estimate picks a wrong plan)."""
    lookup = "contains" if keyword.lower() == keyword.upper() else "icontains"
    return Q(**{f"{field}__{lookup}": keyword})


def sort_order(request, orders, default):
    """(key, ORDER BY fields) of ?sort=, from the allowed `orders` ({key: fields}); `-key` reverses them."""
    key = request.GET.get("sort", default)
    fields = orders.get(key.removeprefix("-"))
    if fields is None:
        key, fields = default, orders[default.removeprefix("-")]
    if key.startswith("-"):
        fields = [field[1:] if field.startswith("-") else f"-{field}" for field in fields]
    return key, fields


class ScalingPaginator(Paginator):
    """A paginator that is told its count (or counts only to COUNT_LIMIT) and reads the back half backwards.

    OFFSET walks every row it skips: the last of 500,000 rows' pages read in order costs seconds, read from the other
    end of the same index it costs what the first page does. `count` is the exact figure when the caller knows it
    (counters kept by the workflow); without it the paginator counts at most COUNT_LIMIT + 1 rows.
    """

    def __init__(self, object_list, per_page, count=None, count_in_order=False):
        super().__init__(object_list, per_page)
        self.known_count = count
        # A list whose order an index serves may count its first COUNT_LIMIT + 1 rows in that order: walking the
        # index stops there, where the same count without the order is planned as a parallel scan of every row.
        self.count_in_order = count_in_order

    @cached_property
    def count(self):
        if self.known_count is not None:
            return self.known_count
        rows = self.object_list if self.count_in_order else self.object_list.order_by()
        return rows[: COUNT_LIMIT + 1].count()

    @property
    def is_capped(self):
        """Are there more rows than the pages show (the count stopped at COUNT_LIMIT)?"""
        return self.known_count is None and self.count > COUNT_LIMIT

    def page(self, number):
        number = self.validate_number(number)
        total = min(self.count, COUNT_LIMIT) if self.is_capped else self.count
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, total)
        # A list of values (the score table's ordered ids) is read as it is; a list of rows is read as ids first.
        narrow = self.object_list.query.values_select
        ids = self.object_list if narrow else self.object_list.values_list("pk", flat=True)
        if bottom > total // 2 and not self.is_capped:
            ids = list(ids.reverse()[total - top : total - bottom])[::-1]
        else:
            ids = list(ids[bottom:top])
        return self._get_page(ids if narrow else self._rows(ids), number, self)

    def _rows(self, ids):
        """The page's rows with everything the list joins (select_related), read by id: the rows the OFFSET skips
        are walked as bare ids, not joined to their collective, committee and round first (the page 40 of a
        province's applications: 0.1 s of joins for 25 rows, bench/)."""
        by_id = self.object_list.order_by().in_bulk(ids)
        return [by_id[pk] for pk in ids]

    @cached_property
    def num_pages(self):
        if self.is_capped:
            return ceil(COUNT_LIMIT / self.per_page)
        return super().num_pages
