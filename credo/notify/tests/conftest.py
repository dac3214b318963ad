import pytest

from credo.web.tests.conftest import world  # noqa: F401  (the web tests' small world)


@pytest.fixture
def tasks_now(settings):
    """Run queued tasks at once, as the worker would."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
