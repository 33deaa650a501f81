"""Shared test fixtures: the anyio backend and paths to the shared contract and corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SPEC_DIR = SHARED / "pearl-spec"
CORPUS_DIR = SHARED / "corpus" / "scanners"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def spec_dir() -> Path:
    """The PeaRL v1.1 contract; tests that need it skip only when ../shared is absent."""
    if not SPEC_DIR.is_dir():
        pytest.skip("../shared/pearl-spec is not present")
    return SPEC_DIR
