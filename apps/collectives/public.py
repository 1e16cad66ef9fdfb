"""The version of a post's public page and the page's rendered content, read from the cache together (one round trip):
a visit of a post page whose rendered content is cached reads no table at all. The first visitor of a version reads
the page stored for it (PostPage, one row), which the task worker renders once each change commits; only a visitor
in another language than the portal's, or one who comes before the worker has stored the new version, has the page
rendered afresh.

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

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import translation

from apps.activities.public import recent_public_reports, recent_public_reports_of
from apps.evaluations.models import Honor
from apps.organizations.names import place_name
from apps.rechecks.public import with_public_rectification, with_star_histories
from civpost.compiled import CompiledQuery
from civpost.tasks import enqueue_on_commit

from .models import CREDIT_PLEDGE, Collective, PostPage, Status
from .tasks import store_post_pages

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
    renew_stored_pages(versions)


def renew_stored_pages(pks):
    """Has the task worker store these posts' pages afresh once the change commits (nothing if it is rolled back)."""
    pks = sorted(pks)
    for start in range(0, len(pks), STORE_BATCH):
        enqueue_on_commit(store_post_pages, pks[start : start + STORE_BATCH])


def forget_version(pk):
    """A deleted post: its page is gone (the table says so)."""
    cache.delete(_key(pk))


def _post_rows(collectives):
    places = {"region_name": F("region__name"), "parent_code": F("region__parent_id"), "parent_name": F("region__parent__name")}
    places |= {"industry_name": F("industry__name"), "committee_name": F("registering_node__name")}
    return with_public_rectification(collectives).values(*POST_FIELDS, "under_rectification", "rectification_deadline", **places)


def _post_row(pk):
    return _post_rows(Collective.objects.filter(status__in=Status.with_page(), pk=pk))


POST_FIELDS = (
    "pk", "name", "workplace_unit", "status", "address", "registration_number", "registered_on", "service_promises", "supervision_phone",
    "volunteer_hours", "latest_named_on", "delisted_on", "dissolved_on", "updated_at",
)  # fmt: skip
POST_ROW = CompiledQuery(Collective, _post_row)


def _valid_honours(collectives):
    return with_star_histories(Honor.objects.valid().filter(collective__in=collectives).select_related("named_by").order_by("collective_id", "-named_on"))


def render_page(pk):
    """(page, version): the post page's title, description and content rendered afresh from the tables, and the version
    of the row it was rendered from; None for a collective that has no page.

    The collective with its rectification under way and the names of its region, industry and committee (one query),
    its valid titles with their star grade histories (read only for a post that holds one: most hold none, which
    latest_named_on says) and its latest public reports. Its queries are compiled once, and prepared once per
    PostgreSQL session (civpost/compiled.py): planning the join of the names at every visit cost more than running
    it."""
    rows = POST_ROW.rows(pk)
    if not rows:
        return None, None
    post = rows[0]
    honours = _valid_honours([pk]) if post["latest_named_on"] is not None else []
    return _page(post, honours, recent_public_reports(pk)), post["updated_at"]


def render_pages(pks):
    """{pk: (page, version)} of render_page for many posts at once, in four or five queries (stored in bulk, store_pages)."""
    posts = list(_post_rows(Collective.objects.filter(status__in=Status.with_page(), pk__in=pks)))
    honours = {}
    for honour in _valid_honours([post["pk"] for post in posts if post["latest_named_on"] is not None]):
        honours.setdefault(honour.collective_id, []).append(honour)
    reports = recent_public_reports_of(pks)
    return {post["pk"]: (_page(post, honours.get(post["pk"], []), reports.get(post["pk"], [])), post["updated_at"]) for post in posts}


def _page(post, honours, reports):
    """The page's title, description and content, from plain values and one template."""
    post["status_label"] = Status(post["status"]).label
    post["promise_lines"] = [line.strip() for line in post["service_promises"].splitlines() if line.strip()]
    post["listed"] = not post["delisted_on"] and not post["dissolved_on"]
    post["shared"] = post["status"] in Status.public() and not post["delisted_on"]
    region = place_name(post["region_name"], post["parent_code"], post["parent_name"], separator=" ")  # 安庆市 大观区
    context = {
        "collective": post,
        "places": {"region": region, "industry": post["industry_name"], "committee": post["committee_name"]},
        "honours": honours,
        "reports": reports,
        "pledge": CREDIT_PLEDGE,
    }
    return {
        "title": post["name"],
        "description": f"{post['name']} · {post['workplace_unit']} · {post['status_label']}",
        "content": render_to_string("collectives/includes/post_content.html", context),
    }


# Stored pages --------------------------------------------------------------------------------------------------------

STORE_BATCH = 500  # posts rendered per batch of queries, and per task


def _stored_page(pk):
    current = PostPage.objects.filter(collective_id=pk, collective__status__in=Status.with_page(), version=F("collective__updated_at"))
    return current.values("title", "description", "content", "version")


STORED_PAGE = CompiledQuery(PostPage, _stored_page)


def stored_page(pk, language):
    """(page, version) as stored for the post's current version, or (None, None): not stored in this language, not
    yet stored since the post last changed, or no page at all."""
    if language != settings.LANGUAGE_CODE:
        return None, None
    rows = STORED_PAGE.rows(pk)
    if not rows:
        return None, None
    page = rows[0]
    return page, page.pop("version")


def store_pages(pks):
    """Renders these posts' pages in the portal's language and stores them (store_rendered). Returns the number
    stored."""
    stored = 0
    with translation.override(settings.LANGUAGE_CODE):
        for start in range(0, len(pks), STORE_BATCH):
            rendered = render_pages(pks[start : start + STORE_BATCH])
            store_rendered(rendered)
            stored += len(rendered)
    return stored


def store_rendered(rendered):
    """Stores {pk: (page, version)} as rendered, each page under the version it was rendered from, unless a newer one
    is stored already: two workers storing the same post in the wrong order keep the newer page."""
    if not rendered:
        return
    connection = connections[router.db_for_write(PostPage)]
    table = connection.ops.quote_name(PostPage._meta.db_table)
    columns = ("collective_id", "version", "title", "description", "content")
    rows = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(rendered))
    params = []
    for pk, (page, version) in rendered.items():
        params += [pk, connection.ops.adapt_datetimefield_value(version), page["title"], page["description"], page["content"]]
    updated = ", ".join(f"{column} = excluded.{column}" for column in columns[1:])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES {rows} "
            f"ON CONFLICT (collective_id) DO UPDATE SET {updated} WHERE {table}.version <= excluded.version",
            params,
        )
