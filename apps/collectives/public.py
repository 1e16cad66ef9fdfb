"""The version of a post's public page and the page's rendered content, read from the cache together (one round trip):
a visit of a post page whose rendered content is cached reads no table at all.

The version is `Collective.updated_at` (as a timestamp), which apps/directory/signals.py renews whenever what the page
shows changes (the post, its honours, reports and photos); those signals publish the new version here at once
(`publish_versions`), so a visitor gets the new page at once. The view stores a page it renders under the version
of the row it read, not the one it was asked for: a visitor who learns a version before its transaction commits
renders the committed page under the old version, and the next visitor the new one: the content is kept with the
version it was rendered from and served only while that is the page's version. A version missing from the cache is
read from the table (from the collective's row when the page is rendered afresh) and added only if no newer one was
published meanwhile (`cache.add`). With the default
per-process cache, another process learns a new version within VERSION_TTL seconds (the shared cache of production,
CACHE_URL=redis://..., at once), as the directory's own caches do (apps/directory/queries.py)."""

from django.core.cache import cache
from django.db.models import F
from django.template.loader import render_to_string

from apps.activities.public import recent_public_reports
from apps.evaluations.models import Honor
from apps.organizations.models import NATIONAL_REGION
from apps.rechecks.public import with_public_rectification, with_star_histories
from civpost.compiled import CompiledQuery

from .models import CREDIT_PLEDGE, Collective, Status

VERSION_TTL = 60
# How long a post's rendered page is kept: it bounds how long a renamed region, industry or committee shows its old
# name there (everything else the page shows renews the post's version at once: apps/directory/signals.py).
CONTENT_TTL = 3600


def _key(pk):
    return f"post_page:version:{pk}"


def _content_key(pk, language):
    return f"post_page:content:{pk}:{language}"


def cached_page(pk, language):
    """The post page's content in this language as cached for its current version, else None (not cached, cached for
    another version, or no page at all: the caller reads the table)."""
    found = cache.get_many([_key(pk), _content_key(pk, language)])
    page = found.get(_content_key(pk, language))
    if page is None:
        return None
    version = found.get(_key(pk)) or page_version(pk)
    return page if page["version"] == version else None


def cache_page(pk, updated_at, language, page):
    """Keeps the content just rendered from the collective's row as last updated at updated_at, under that version."""
    version = updated_at.timestamp()
    cache.add(_key(pk), version, VERSION_TTL)
    cache.set(_content_key(pk, language), {**page, "version": version}, CONTENT_TTL)


def page_version(pk):
    """The version of the post's public page, or None for a collective that has none (a draft, a registration under
    review)."""
    version = cache.get(_key(pk))
    if version is None:
        updated_at = Collective.objects.filter(status__in=Status.with_page(), pk=pk).values_list("updated_at", flat=True).first()
        if updated_at is None:
            return None
        version = updated_at.timestamp()
        cache.add(_key(pk), version, VERSION_TTL)
    return version


def publish_versions(versions):
    """{pk: updated_at} just written: the new versions, for every visitor. (A change rolled back leaves a version no
    row has: the page is rendered on each visit until it expires, never shown wrong.)"""
    cache.set_many({_key(pk): updated_at.timestamp() for pk, updated_at in versions.items()}, VERSION_TTL)


def forget_version(pk):
    """A deleted post: its page is gone (the table says so)."""
    cache.delete(_key(pk))


def _post_row(pk):
    collectives = Collective.objects.filter(status__in=Status.with_page(), pk=pk)
    places = {"region_name": F("region__name"), "parent_code": F("region__parent_id"), "parent_name": F("region__parent__name")}
    places |= {"industry_name": F("industry__name"), "committee_name": F("registering_node__name")}
    return with_public_rectification(collectives).values(*POST_FIELDS, "under_rectification", "rectification_deadline", **places)


POST_FIELDS = (
    "pk", "name", "workplace_unit", "status", "address", "registration_number", "registered_on", "service_promises", "supervision_phone",
    "volunteer_hours", "latest_named_on", "delisted_on", "dissolved_on", "updated_at",
)  # fmt: skip
POST_ROW = CompiledQuery(Collective, _post_row)


def render_page(pk):
    """(page, version): the post page's title, description and content rendered afresh from the tables, and the version
    of the row it was rendered from; None for a collective that has no page.

    Plain values and one template: the collective with its rectification under way and the names of its region (after
    its parent's), industry and committee (one query), its valid titles with their star grade histories (read only
    for a post that holds one: most hold none, which latest_named_on says) and its latest public reports. Its
    queries are compiled once, and prepared once per PostgreSQL session (civpost/compiled.py): planning the join of
    the names at every visit cost more than running it."""
    rows = POST_ROW.rows(pk)
    if not rows:
        return None, None
    post = rows[0]
    post["status_label"] = Status(post["status"]).label
    post["promise_lines"] = [line.strip() for line in post["service_promises"].splitlines() if line.strip()]
    post["listed"] = not post["delisted_on"] and not post["dissolved_on"]
    post["shared"] = post["status"] in Status.public() and not post["delisted_on"]
    # 安庆市 大观区; a province alone: 江苏省, not 全国 江苏省
    region = post["region_name"] if post["parent_code"] in (None, NATIONAL_REGION) else f"{post['parent_name']} {post['region_name']}"
    honours = []
    if post["latest_named_on"] is not None:
        honours = with_star_histories(Honor.objects.valid().filter(collective_id=pk).select_related("named_by").order_by("-named_on"))
    context = {
        "collective": post,
        "places": {"region": region, "industry": post["industry_name"], "committee": post["committee_name"]},
        "honours": honours,
        "reports": recent_public_reports(pk),
        "pledge": CREDIT_PLEDGE,
    }
    page = {
        "title": post["name"],
        "description": f"{post['name']} · {post['workplace_unit']} · {post['status_label']}",
        "content": render_to_string("collectives/includes/post_content.html", context),
    }
    return page, post["updated_at"]
