"""``pearl demo``, the README's first command: the whole loop through an MCP
client on a fresh SQLite database, with the real Semgrep and without it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from pearl_mcp.cli import main

pytestmark = pytest.mark.slow


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PEARL_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'pearl.db'}")
    monkeypatch.setenv("PEARL_SIGNING_KEY_FILE", str(tmp_path / "signing-key.pem"))
    monkeypatch.setenv("PEARL_LOG_LEVEL", "error")
    return tmp_path


def run_demo(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    try:
        main(["demo", *argv])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, _ = capsys.readouterr()
    return code, out


def test_the_demo_fixes_and_verifies_every_finding_with_the_real_semgrep(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run_demo(capsys, "--json")

    result = json.loads(out)
    assert code == 0
    assert result["ok"] is True
    assert set(result["findings"].values()) == {"fixed_verified"}
    assert len(result["findings"]) == 6
    assert set(result["packets"].values()) == {"verified"}
    assert result["guard_rail_decisions"]["deny"] >= 2
    assert result["guard_rail_decisions"]["needs_approval"] == 6


def test_without_semgrep_the_demo_says_so_and_uses_the_committed_scans(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "prefix", str(env))
    monkeypatch.setenv("PATH", str(env))

    code, out = run_demo(capsys)

    assert code == 0
    assert "Semgrep is not installed: using the committed report scans/semgrep.sarif" in out
    assert "findings by status: 6 fixed_verified" in out
