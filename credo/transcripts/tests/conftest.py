import pytest


@pytest.fixture(autouse=True)
def transcript_settings(settings, tmp_path):
    """Keep rendered PDFs and evidence files in a temporary folder; run tasks at once."""
    settings.CREDO_TRANSCRIPT_CACHE = str(tmp_path / "transcripts")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CREDO_BASE_URL = "https://credo.example.edu"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return settings
