from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "interop"


@pytest.fixture
def shared_interop() -> Path:
    """The conformance files in ../shared/interop (skip, saying why, when this clone has none)."""
    if not SHARED.is_dir():
        pytest.skip(
            f"conformance files not found at {SHARED} (they live beside the project, in shared/interop)"
        )
    return SHARED
