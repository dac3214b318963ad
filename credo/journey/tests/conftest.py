import pytest


@pytest.fixture(autouse=True)
def journey_cache(settings, tmp_path):
    """Keep the journey report's stored PDFs in a temporary folder."""
    settings.CREDO_JOURNEY_CACHE = str(tmp_path / "journey")
    return settings
