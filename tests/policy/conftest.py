"""Fixtures: the mini bundle of ``policy_bundle.py`` written to a temporary directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from policy_bundle import DATA, FILES, Write


@pytest.fixture
def rego_dir(tmp_path: Path) -> Path:
    root = tmp_path / "rego"
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    root = tmp_path / "policies"
    root.mkdir()
    (root / "guardrails.json").write_text(DATA)
    return root


@pytest.fixture
def write(rego_dir: Path) -> Write:
    """Write (or overwrite) one module of the bundle: ``write(rel_path, text)``."""

    def _write(rel: str, text: str) -> Path:
        path = rego_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    return _write
