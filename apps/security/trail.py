"""Writing the security trail: `log(...)` from anywhere a request is being served.

The address and browser come from the request being served, which SecurityTrailMiddleware keeps in a context
variable for code that is not handed the request (a role given deep in a workflow, a password saved by a form):
the client address is civpost.ratelimit.client_address, REMOTE_ADDR or, behind a trusted proxy (BEHIND_PROXY), the
address the proxy put in PROXY_CLIENT_ADDRESS_HEADER.
"""

import ipaddress
import re
from contextvars import ContextVar
from urllib.parse import unquote

from civpost.ratelimit import client_address

from .models import Event, Result, SecurityEvent

current_request = ContextVar("security_current_request", default=None)


def log(event, *, request=None, actor=None, account=None, username="", result=Result.SUCCESS, detail=""):
    """Write one security event. `actor` is who acted (None: an anonymous visitor); `account` the account it
    concerns (defaults to the actor)."""
    request = request or current_request.get()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    account = account if account is not None else actor
    return SecurityEvent.objects.create(
        event=event,
        result=result,
        actor=actor,
        account=account,
        username=(username or (account.get_username() if account else ""))[:150],
        address=_address(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request else "")[:200],
        detail=str(detail)[:500],
    )


def _address(request):
    if request is None:
        return None
    try:
        return str(ipaddress.ip_address(client_address(request)))
    except ValueError:  # a proxy header that holds no address
        return None


class SecurityTrailMiddleware:
    """Keeps the request at hand for the trail and records every download of a file by a signed-in person (exports of
    staff lists, the named list, attachments, data downloads): the view, the file and the query it was made with."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            response = self.get_response(request)
            disposition = response.get("Content-Disposition", "")
            if disposition.startswith("attachment") and request.user.is_authenticated:
                log(Event.EXPORT, request=request, detail=f"{_filename(disposition)} · {request.get_full_path()}")
            return response
        finally:
            current_request.reset(token)


def _filename(disposition):
    """The file's name from a Content-Disposition header, RFC 5987 (filename*=UTF-8'') or plain."""
    encoded = re.search(r"filename\*=UTF-8''([^;]+)", disposition, re.IGNORECASE)
    if encoded:
        return unquote(encoded.group(1))
    plain = re.search(r'filename="?([^";]+)"?', disposition)
    return plain.group(1) if plain else ""
