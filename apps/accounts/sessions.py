"""Idle sessions end: after SESSION_IDLE_STAFF_MINUTES for committee staff and superusers, after
SESSION_IDLE_LEADER_DAYS for everyone else (号长 on their phones) (等保 2.0: session timeout).

The time of the last request is kept in the session and rewritten at most once a minute, so a page with many
requests does not write the session each time as SESSION_SAVE_EVERY_REQUEST would. The session's own expiry follows
the same limit, so an abandoned session also leaves the store (clearsessions).
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext as _

LAST_SEEN, IDLE_LIMIT = "idle:last_seen", "idle:limit"
RENEW_AFTER_SECONDS = 60


def idle_limit(user):
    """Seconds without a request after which the user's session ends."""
    if user.is_superuser or user.is_staff or user.memberships.current().exists():
        return settings.SESSION_IDLE_STAFF_MINUTES * 60
    return settings.SESSION_IDLE_LEADER_DAYS * 24 * 3600


def start_idle_clock(sender, request, user, **kwargs):
    """At sign-in (user_logged_in): the limit is decided once, while the session is being saved anyway."""
    if request is not None and hasattr(request, "session"):
        _touch(request.session, int(time.time()), idle_limit(user))


def _touch(session, now, limit):
    session[LAST_SEEN], session[IDLE_LIMIT] = now, limit
    session.set_expiry(limit)


class IdleSessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            session, now = request.session, int(time.time())
            limit = session.get(IDLE_LIMIT) or idle_limit(request.user)  # sessions begun before this middleware
            last_seen = session.get(LAST_SEEN, now)
            if now - last_seen > limit:
                logout(request)
                messages.info(request, _("You were signed out after a period of inactivity. Please sign in again."))
                return redirect_to_login(request.get_full_path())
            if now - last_seen >= RENEW_AFTER_SECONDS or LAST_SEEN not in session:
                _touch(session, now, limit)
        return self.get_response(request)
