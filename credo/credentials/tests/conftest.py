"""Fixtures for the credentials tests; they need neither Django settings nor a database."""

import json
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
INTEROP = REPO_ROOT.parent / "shared" / "interop"


@pytest.fixture
def interop() -> Path:
    """Return the shared interop folder, or skip when this clone has none beside it."""
    if not INTEROP.is_dir():
        pytest.skip(f"interop test material not found at {INTEROP}")
    return INTEROP


def read_json(path: Path) -> dict:
    return json.loads(path.read_text("utf-8"))
