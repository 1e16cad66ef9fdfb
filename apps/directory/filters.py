"""The directory's filters, shared by /posts/ and the open data: plain GET parameters, so every result has a URL.

    ?q=供电&level=city&status=named&province=340000&city=340800&county=340803&industry=power&year=2026&sort=name

The region selects cascade on the server: the city list holds the cities of the chosen province and the county list
the counties of the chosen city. A city or county that does not belong to the province or city above it (left over
after the visitor chose another province) is dropped, not reported as an error.
"""

import django_filters
from django.core.cache import cache
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.collectives.models import Collective
from apps.evaluations.models import Honor
from apps.organizations.enums import Level
from apps.organizations.models import NATIONAL_REGION, Industry
from apps.organizations.regions import FIELDS as REGION_FIELDS
from apps.organizations.regions import cascade

from . import search

ASPIRING = "aspiring"
NAMED = "named"
FIRST_YEAR = 1994  # The first 青年文明号 were named in 1994.
SORTS = {
    "newest": (F("latest_named_on").desc(nulls_last=True), "-registered_on", "-pk"),
    "name": ("name", "pk"),
}
CHOICES_TTL = 300
INDUSTRIES_KEY = "directory:industries"


def region_range(code):
    """The region codes inside `code`, as a half-open string range: GB/T 2260 codes are positional, so the
    collectives of 安徽省 (340000) are those with "34" <= region < "35", and an index on region serves it."""
    if code == NATIONAL_REGION:
        return None
    prefix = code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code
    if prefix == code:
        return Q(region_id=code)  # a county: nothing below it
    upper = str(int(prefix) + 1).zfill(len(prefix))
    if len(upper) > len(prefix):
        return Q(region_id__gte=prefix)
    return Q(region_id__gte=prefix, region_id__lt=upper)


def _cached(keys, load):
    """Values by key from the cache, the missing ones from load(missing keys) in one go, kept CHOICES_TTL seconds."""
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        loaded = load(missing)
        cache.set_many(loaded, CHOICES_TTL)
        found.update(loaded)
    return found


def industry_choices():
    """[(code, name, pk)] of the industries, cached (signals.py forgets the list when an industry is saved)."""
    return _cached([INDUSTRIES_KEY], lambda missing: {INDUSTRIES_KEY: list(Industry.objects.values_list("code", "name", "pk"))})[INDUSTRIES_KEY]


def whole_list(sort):
    """Every post on the public lists, in this order of SORTS: the list with no filter."""
    return Collective.objects.public().order_by(*SORTS[sort])


def whole_list_sort(query):
    """The order of the whole list when the query string asks for nothing else (a page of it, in a known order), else
    None: a crawler walks the whole list page by page, and such a page needs no filter form to be built and checked."""
    if any(name not in ("page", "sort") and value.strip() for name, value in query.items()):
        return None
    sort = query.get("sort", "").strip() or "newest"
    return sort if sort in SORTS else None


def year_choices():
    return [(str(year), str(year)) for year in range(timezone.localdate().year + 1, FIRST_YEAR - 1, -1)]


class DirectoryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Keyword"), method="filter_keyword", max_length=search.MAX_KEYWORD_LENGTH)
    level = django_filters.ChoiceFilter(
        label=_("Title level"),
        choices=[*Level.choices, (ASPIRING, _("Aspiring collective"))],
        empty_label=_("All"),
        method="filter_level",
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(NAMED, _("Named")), (ASPIRING, _("Aspiring collective"))],
        empty_label=_("All"),
        method="filter_status",
    )
    province = django_filters.ChoiceFilter(label=_("Province"), empty_label=_("All"), method="filter_nothing")
    city = django_filters.ChoiceFilter(label=pgettext_lazy("region", "City"), empty_label=_("All"), method="filter_nothing")
    county = django_filters.ChoiceFilter(label=pgettext_lazy("region", "County"), empty_label=_("All"), method="filter_nothing")
    industry = django_filters.ChoiceFilter(label=_("Industry"), empty_label=_("All"), method="filter_industry")
    year = django_filters.ChoiceFilter(label=_("Year named"), empty_label=_("Any year"), method="filter_year")
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[("newest", _("Newest named")), ("name", pgettext_lazy("sort order", "Name"))],
        empty_label=None,
        method="filter_nothing",
    )

    class Meta:
        model = Collective
        fields = ["q", "level", "status", "province", "city", "county", "industry", "year", "sort"]

    def __init__(self, data=None, queryset=None, **kwargs):
        if queryset is None:
            queryset = Collective.objects.public()
        data = data.copy() if data is not None else None
        regions = self._region_choices(data)
        industries = industry_choices()
        super().__init__(data, queryset=queryset, **kwargs)
        # The lists go on the form's own fields: given to the filters, the form would deep-copy them once more.
        fields = self.form.fields
        for name in REGION_FIELDS:
            fields[name].choices = regions[name]
        fields["industry"].choices = [(code, name) for code, name, _pk in industries]
        fields["year"].choices = year_choices()
        self.industry_ids = {code: pk for code, _name, pk in industries}

    @staticmethod
    def _region_choices(data):
        """The three region lists in one query; drops a chosen city or county that is not inside its parent."""
        selects = cascade(data or {})
        for field in REGION_FIELDS:
            if data is not None and data.get(field) and not selects.chosen[field]:
                data.pop(field, None)
        return selects.choices

    # Filters --------------------------------------------------------------------------------------------

    def filter_nothing(self, queryset, name, value):
        return queryset  # Applied together in filter_queryset().

    def filter_keyword(self, queryset, name, value):
        return search.search(queryset, value, use_index=self.keyword_index)

    # Aspiring posts come last in the "newest named" order (no naming date): saying so (latest_named_on is null)
    # lets PostgreSQL start the walk where they begin instead of reading past every named post first. Both
    # columns follow the valid titles, so the conditions agree (manage.py refresh_directory if a bulk load skipped it).
    ASPIRING_Q = Q(honor_level="", latest_named_on__isnull=True)
    NAMED_Q = ~Q(honor_level="") & Q(latest_named_on__isnull=False)

    def filter_level(self, queryset, name, value):
        return queryset.filter(self.ASPIRING_Q if value == ASPIRING else Q(honor_level=value, latest_named_on__isnull=False))

    def filter_status(self, queryset, name, value):
        return queryset.filter(self.ASPIRING_Q if value == ASPIRING else self.NAMED_Q)

    def filter_industry(self, queryset, name, value):
        return queryset.filter(industry_id=self.industry_ids[value])

    def filter_year(self, queryset, name, value):
        return queryset.filter(Exists(Honor.objects.valid().filter(collective=OuterRef("pk"), year=int(value))))

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        region = data.get("county") or data.get("city") or data.get("province")
        if region and (within := region_range(region)) is not None:
            queryset = queryset.filter(within)
        return queryset.order_by(*SORTS[data.get("sort") or "newest"])  # as whole_list()

    keyword_index = True

    def without_keyword_index(self):
        """The same posts, found without the gram index (PostgreSQL, with a keyword), else None: for a keyword that
        many posts match, walking the list in its order finds a page sooner (queries.DirectoryPaginator)."""
        self.form.errors  # noqa: B018  (validates the form once)
        if not search.normalize(self.form.cleaned_data.get("q")) or not search.has_gram_index(self.queryset):
            return None
        self.keyword_index = False
        try:
            return self.filter_queryset(self.queryset.all())
        finally:
            self.keyword_index = True

    # For the templates ----------------------------------------------------------------------------------

    @property
    def is_filtered(self):
        """Whether any filter (not only the sort or the page) narrows the list: such pages are not indexed."""
        self.form.errors  # noqa: B018  (validates the form once)
        data = getattr(self.form, "cleaned_data", {})
        return any(data.get(name) for name in self.filters if name != "sort")
