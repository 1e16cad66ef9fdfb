"""Playwright on Debian's Chromium against a live server. These tests fail, never skip, when the browser is missing."""

import os

import pytest
from django.core.management import call_command
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

@pytest.fixture(scope="session")
def browser():
    assert os.path.exists(CHROMIUM), "Browser tests need Debian's chromium: run `make browser` (apt-get install chromium)."
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def committee_tree(transactional_db):
    """A live server test runs outside the per-test transaction, so it loads the tree itself."""
    call_command("load_committee_tree", verbosity=0)
