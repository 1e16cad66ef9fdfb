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

from .models import Collective, Status

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


def cache_page(collective, language, page):
    """Keeps the content just rendered from this row of the collective, under the row's version."""
    version = collective.updated_at.timestamp()
    cache.add(_key(collective.pk), version, VERSION_TTL)
    cache.set(_content_key(collective.pk, language), {**page, "version": version}, CONTENT_TTL)


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
