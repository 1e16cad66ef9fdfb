"""The HTTP side of the bench: the portal under gunicorn with the production settings, a browser-like client (one
keep-alive connection, cookies, forms with their CSRF token) and the closed-loop load generator."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from figures import Block

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 300  # seconds: at the deadline peak a request may wait long in the backlog; only an answer counts


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`gunicorn -c deploy/gunicorn.conf.py civpost.wsgi` (the production configuration) on a free port, with the
    environment given (the production settings plus the floor pages). The bench only overrides where it listens,
    the number of workers if asked and the access log (no lines between the figures)."""

    def __init__(self, env, workers=None):
        self.port = free_port()
        self.log = open(ROOT / "bench" / f".gunicorn-{self.port}.log", "w")  # noqa: SIM115
        command = [
            str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "civpost.wsgi",
            "--pythonpath", str(ROOT / "bench"), "--bind", f"127.0.0.1:{self.port}", "--access-logfile", "/dev/null",
        ]  # fmt: skip
        if workers:
            command += ["--workers", str(workers)]
        self.process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if Browser(self.port).get("/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        sys.exit(f"gunicorn did not start: see {self.log.name}")

    def worker_pids(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def peak_worker_mib(self):
        """The largest peak resident memory (VmHWM) of the workers alive."""
        peaks = []
        for pid in self.worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return max(peaks, default=0)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


class Browser:
    """One person's browser: a keep-alive connection (reopened when the server closes it, as sync workers do) and the
    cookies the portal sets."""

    def __init__(self, port, cookies=None):
        self.port = port
        self.cookies = dict(cookies or {})
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)

    def clone(self):
        """Another connection with the same session."""
        return Browser(self.port, self.cookies)

    def request(self, method, path, fields=None):
        """(status, headers, body) of one request."""
        headers = {"Accept-Language": "zh-CN", "Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        try:
            response = self._send(method, path, body, headers)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # The server closed the kept-alive connection between two requests: send it again on a new one.
            response = self._send(method, path, body, headers)
        content = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, dict((k.lower(), v) for k, v in response.getheaders()), content

    def _send(self, method, path, body, headers):
        try:
            self.connection.request(method, path, body=body, headers=headers)
            return self.connection.getresponse()
        except (OSError, http.client.HTTPException):
            self.connection.close()  # a fresh connection for the next request, whatever state this one was left in
            raise

    def get(self, path):
        status, headers, body = self.request("GET", path)
        return status, body, headers

    def post(self, path, fields):
        fields = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **fields}
        status, headers, body = self.request("POST", path, fields)
        return status, headers.get("location", ""), body

    def login(self, username, password):
        self.get("/accounts/login/")
        status, location, _ = self.post("/accounts/login/", {"username": username, "password": password})
        if status != 302:
            raise RuntimeError(f"{username} could not sign in (HTTP {status}): is the database seeded by seed_scale?")
        return location


class FormFields(HTMLParser):
    """The named fields of the form whose action is `action`, with the values a browser would send unchanged:
    inputs' values, checked boxes, selected options (else the first), textareas' text."""

    def __init__(self, action):
        super().__init__()
        self.action, self.inside, self.fields = action, False, {}
        self.select = self.textarea = None
        self.options = {}  # every option of each select, in order

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = urlsplit(attrs.get("action") or self.action).path == self.action
        elif not self.inside:
            return
        elif tag == "input" and attrs.get("name") and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.fields[attrs["name"]] = attrs.get("value", "")
        elif tag == "select":
            self.select = attrs.get("name")
        elif tag == "option" and self.select:
            self.options.setdefault(self.select, []).append(attrs.get("value", ""))
            if "selected" in attrs:
                self.fields[self.select] = attrs.get("value", "")
        elif tag == "textarea":
            self.textarea = attrs.get("name")
            self.fields[self.textarea] = ""

    def handle_data(self, data):
        if self.inside and self.textarea:
            self.fields[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    @classmethod
    def of(cls, html, action):
        """(fields, options of each select): a select with nothing selected sends its first option."""
        parser = cls(action)
        parser.feed(html.decode() if isinstance(html, bytes) else html)
        first = {name: values[0] for name, values in parser.options.items() if values}
        return {**first, **parser.fields}, parser.options


def closed_loop(browsers, next_path, seconds, expect=200):
    """Each browser on its own thread sends its next request as soon as the last one answered, for `seconds`.
    `next_path()` gives the next URL (thread-safe)."""
    block, lock = Block(), threading.Lock()
    deadline = time.perf_counter() + seconds

    def loop(browser):
        while time.perf_counter() < deadline:
            path = next_path()
            started = time.perf_counter()
            try:
                status = browser.get(path)[0]
            except (OSError, http.client.HTTPException) as error:
                status = repr(error)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                block.record(elapsed, None if status == expect else (status, path))

    started = time.perf_counter()
    threads = [threading.Thread(target=loop, args=(browser,)) for browser in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    block.seconds = time.perf_counter() - started
    return block


class Urls:
    """The URLs of a page in turn, from any thread: round and round, or each once (pages not yet cached) until they
    run out, then round again (counted, so the report can say so)."""

    def __init__(self, urls):
        self.urls, self.index, self.lock = list(urls), 0, threading.Lock()

    def __call__(self):
        with self.lock:
            url = self.urls[self.index % len(self.urls)]
            self.index += 1
            return url

    @property
    def wrapped(self):
        return self.index > len(self.urls)
