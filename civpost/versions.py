"""Version numbers of cached public content, for exact invalidation.

A public page whose content is the same for every visitor is cached with the version numbers of what it shows
(`cached`); every change to that data bumps its number (`bump`), so the next visitor renders the new content and
nobody is served the old one. A number is bumped twice: at once, so that the rest of the request sees the change,
and again when the transaction commits, because a visitor who rendered the page between the first bump and the commit
read the data as it was and cached it with the new number.

A number missing from the cache (never set, or evicted) starts again from the clock in nanoseconds, above any number
it held before: content cached with an old number is never served again."""

import time

from django.core.cache import cache
from django.db import transaction


def cached(key, version_keys, render, timeout, usable=None):
    """The content cached at `key` when it was rendered under the current numbers of `version_keys` (and, if given,
    `usable(content)` holds), read with them in one round trip to the cache; else `render()`, cached with them."""
    found = cache.get_many([*version_keys, key])
    numbers = tuple(found[name] if name in found else _start(name) for name in version_keys)
    entry = found.get(key)
    if entry is not None and entry[0] == numbers and (usable is None or usable(entry[1])):
        return entry[1]
    content = render()
    cache.set(key, (numbers, content), timeout)
    return content


def _start(key):
    cache.add(key, time.time_ns(), None)
    return cache.get(key)


def _increment(key):
    try:
        cache.incr(key)
    except ValueError:  # missing: see above
        _start(key)


def bump(key):
    _increment(key)
    transaction.on_commit(lambda: _increment(key))
