"""Browser tests: Playwright driving the system Chromium against pytest-django's live server.

Never downloads a browser. Skips, saying why, when /usr/bin/chromium or Playwright is missing.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CREDO_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser tests need the playwright Python package")
    # Playwright runs an event loop in this thread; the ORM calls the tests make are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _close_browser_contexts(request):
    """Close every browser context a test opened, at the end of that test.

    An open context keeps connections to the live server alive; when they are dropped later, their
    request threads close the shared in-memory database connection in the middle of another test.
    """
    yield
    if "browser" in request.fixturenames:
        for context in request.getfixturevalue("browser").contexts:
            context.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def signed_in_page(browser, live_server, username=None, **options):
    """A new browser context on the live server, its page signed in as `username` when given.

    `options` go to the context (the viewport is 1360 × 900 unless given); a slower default
    timeout than `page`'s, for pages a test drives through several answers."""
    options.setdefault("viewport", {"width": 1360, "height": 900})
    context = browser.new_context(base_url=live_server.url, **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    if username:
        sign_in(page, username)
    return page


def sign_in(page, username: str, password: str = "pw-for-tests-only") -> None:  # noqa: S107
    """Sign in through the real form."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")
