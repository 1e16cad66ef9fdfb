"""A fixed-window rate limit per client address for public forms, kept in the cache."""

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render


def client_address(request):
    """The client's address: REMOTE_ADDR, or behind a trusted reverse proxy (BEHIND_PROXY) the last address of the
    header it sets (PROXY_CLIENT_ADDRESS_HEADER: X-Forwarded-For by default, X-Real-IP also works)."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get(settings.PROXY_CLIENT_ADDRESS_HEADER, "")
        if forwarded:
            # The proxy appends the address it saw; earlier entries are whatever the client claimed.
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def limit_reached(request, scope, limit, period_seconds):
    """Count this request against `scope`; True once the address made more than `limit` in the window."""
    key = f"ratelimit:{scope}:{client_address(request)}"
    cache.add(key, 0, timeout=period_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # The entry expired between add and incr: this is the first of a new window.
        cache.set(key, 1, timeout=period_seconds)
        count = 1
    return count > limit


def too_many_requests(request, message):
    """The one answer every public form gives once its limit is reached: a 429 page that says why, in words."""
    return render(request, "429.html", {"message": message}, status=429)
