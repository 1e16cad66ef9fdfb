"""Two app servers over one PostgreSQL and one Redis (run by .ci/two-servers): a login on one works on the other, a
rate limit counts across both, a change through one is seen at once through the other, and a task enqueued by one
is run by the worker. Talks HTTP to both; reads the shared database to check the worker's result."""

import http.cookiejar
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import django

sys.path.insert(0, os.getcwd())
django.setup()

from apps.collectives.models import Collective  # noqa: E402
from apps.notifications.models import Message  # noqa: E402

A, B = sys.argv[1], sys.argv[2]
PASSWORD = os.environ["CHECK_PASSWORD"]
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


class Browser:
    """Cookies shared by whichever server answers, as behind a load balancer."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def get(self, url):
        return self._open(urllib.request.Request(url))

    def post(self, url, data, referer_from=None):
        token = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        return self._open(urllib.request.Request(url, data=body, headers={"Referer": url}))

    def _open(self, request):
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# 1. A login through A is a session on B.
staff = Browser()
staff.get(f"{A}/accounts/login/")
status, headers, _body = staff.post(f"{A}/accounts/login/", {"username": "ci_reviewer", "password": PASSWORD})
check(status == 302, f"login through A answers a redirect ({status})")
status, _h, body = staff.get(f"{B}/workbench/registrations/")
check(status == 200, f"the session from A is signed in on B ({status}; a 302 would be the login page)")

# 2. Rate limits count across both: failed logins (django-axes, in the database) and the reset form (the cache).
attacker = Browser()
attacker.get(f"{A}/accounts/login/")
for n in range(5):
    attacker.post(f"{(A, B)[n % 2]}/accounts/login/", {"username": "ci_victim", "password": "wrong-password"})
status, _h, _b = attacker.post(f"{B}/accounts/login/", {"username": "ci_victim", "password": PASSWORD})
check(status == 429, f"5 failed logins spread over A and B lock the account on B ({status})")
resetter = Browser()
resetter.get(f"{A}/accounts/password_reset/")
statuses = [resetter.post(f"{(A, B)[n % 2]}/accounts/password_reset/", {"email": f"nobody{n}@example.cn"})[0] for n in range(11)]
check(statuses[:10].count(429) == 0 and statuses[10] == 429, f"the 11th reset request is refused whichever server counts it ({statuses})")

# 3. A change through A is seen at once through B (the directory's cached results are invalidated in Redis).
name = "两台服务器验证班组"
public = Browser()
collective = Collective.objects.get(name=name)
link = f'href="/posts/{collective.pk}/"'
status, _h, body = public.get(f"{B}/posts/?q=" + urllib.parse.quote(name))
check(status == 200 and link not in body, "before approval B does not list the collective (and caches that)")
staff.get(f"{A}/workbench/registrations/{collective.pk}/")
status, _h, _b = staff.post(f"{A}/workbench/registrations/{collective.pk}/approve/", {"comment": "", "confirmed": "1"})
check(status == 302, f"approval through A ({status})")
status, _h, body = public.get(f"{B}/posts/?q=" + urllib.parse.quote(name))
check(status == 200 and link in body, "right after approval B lists the collective")

# 4. The approval enqueued the 号长's mail; the worker (started beside the servers) sends it.
for _ in range(60):
    sent = Message.objects.filter(notification__recipient=collective.leader_account, status="sent").exists()
    if sent:
        break
    time.sleep(1)
check(sent, "the mail enqueued by A's request was sent by the worker")

if failures:
    print(f"{len(failures)} check(s) failed")
    sys.exit(1)
print("two-server check passed")
