"""Version numbers of cached public content, for exact invalidation.

A public page whose content is the same for every visitor is cached under the version numbers of what it shows
(`current`); every change to that data bumps its number (`bump`), so the next visitor renders the new content and
nobody is served the old one. A number is bumped twice: at once, so that the rest of the request sees the change,
and again when the transaction commits, because a visitor who rendered the page between the first bump and the commit
read the data as it was and cached it under the new number.

A number missing from the cache (never set, or evicted) starts again from the clock in nanoseconds, above any number
it held before: content cached under an old number is never served again."""

import time

from django.core.cache import cache
from django.db import transaction


def current(*keys):
    """The numbers of these keys, in one round trip to the cache (two the first time)."""
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, time.time_ns(), None)
            found[key] = cache.get(key)
    return tuple(found[key] for key in keys)


def _increment(key):
    try:
        cache.incr(key)
    except ValueError:  # missing: see above
        cache.add(key, time.time_ns(), None)


def bump(key):
    _increment(key)
    transaction.on_commit(lambda: _increment(key))
