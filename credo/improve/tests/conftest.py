import pytest


@pytest.fixture(autouse=True)
def _forget_milestones():
    """Each test starts without the per-process milestones of an earlier test's school."""
    from credo.improve import selectors

    selectors._MILESTONES.clear()
    yield
    selectors._MILESTONES.clear()
