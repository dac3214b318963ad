import os

import pytest


@pytest.fixture
def hill(db):
    from credo.testing import make_small_school

    return make_small_school("hill")


@pytest.fixture
def dale(db):
    from credo.testing import make_small_school

    return make_small_school("dale")


from credo.browser import _close_browser_contexts, browser, page  # noqa: E402,F401  (fixtures for browser tests)


def pytest_configure(config):
    """Test accounts need no key stretching (PBKDF2 costs ~0.5 s a user; tests make hundreds).

    Set once for the whole run, not per test, so fixtures of wider scope (the demo loaded once per
    module) hash with the same hasher the tests check with; PBKDF2 stays listed so a hash made
    before this point still verifies.
    """
    from django.conf import settings

    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    # On PostgreSQL, a commit need not wait for the disk: the test database is thrown away, and
    # the transactional tests' commits and table truncations were most of that run's time.
    database = settings.DATABASES["default"]
    if "postgresql" in database["ENGINE"] and not os.environ.get("CREDO_TEST_SYNC_COMMIT"):
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()


def pytest_collection_modifyitems(config, items):
    """The PostgreSQL run skips what the SQLite run already answers: tests that start their own
    SQLite installation in a subprocess, and the sweeps of every page's markup (accessibility,
    Content-Security-Policy, reflow), whose pages are the same on both databases — every URL of
    every role is still fetched on PostgreSQL by the authority matrix."""
    from django.conf import settings

    if "sqlite" in settings.DATABASES["default"]["ENGINE"]:
        return
    skip = pytest.mark.skip(reason="same on every database: the SQLite run covers it")
    for item in items:
        if item.get_closest_marker("any_database"):
            item.add_marker(skip)


@pytest.fixture
def admin_mounted(settings):
    """Mount the Django admin for one test (CREDO_ADMIN=1 does it for a real server)."""
    settings.CREDO_ADMIN = True
    settings.ROOT_URLCONF = "credo.web.tests.admin_urls"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counts live in the cache: every test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
