from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from . import twofactor

# What a session waiting for its code, or for its owner's enrolment, may still reach.
ALLOWED_VIEWS = {
    twofactor.VERIFY: {"security:verify", "logout", "set_language"},
    twofactor.ENROL: {"security:two_factor", "security:setup", "security:recovery_codes", "logout", "set_language"},
}
TARGETS = {twofactor.VERIFY: "security:verify", twofactor.ENROL: "security:setup"}


class TwoFactorMiddleware:
    """Keeps a signed-in session on the code page (or the enrolment pages) until the second factor is given (or a
    device enrolled): every other page redirects there, with the page asked for as ?next=. Reads the session only, so
    it costs nothing to everyone else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        state = request.session.get(twofactor.SESSION_STATE)
        if state not in ALLOWED_VIEWS or request.resolver_match.view_name in ALLOWED_VIEWS[state]:
            return None
        target = reverse(TARGETS[state])
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)
