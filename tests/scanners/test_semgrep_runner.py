"""pearl_core.scanners.run_semgrep: offline runs, and typed errors on bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_real_scanners import _semgrep

from pearl_core import PearlError
from pearl_core.scanners import find_semgrep, run_semgrep

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "examples" / "vulnerable-app"
RULES = ROOT / "policies" / "semgrep" / "pearl-python.yml"


@pytest.mark.slow
def test_the_example_app_scans_to_six_sarif_results_with_relative_paths() -> None:
    run = run_semgrep(APP, RULES, executable=Path(_semgrep()))

    results = json.loads(run.sarif)["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert len(results) == 6
    assert all(uri.startswith("app/") for uri in uris)
    assert run.version[0].isdigit()
    assert not list(APP.parent.glob(".*.semgrep.sarif"))  # the scratch report is gone


def test_a_missing_folder_is_a_scanner_failure(tmp_path: Path) -> None:
    with pytest.raises(PearlError) as caught:
        run_semgrep(tmp_path / "nothing", RULES, executable=Path(sys.executable))

    assert caught.value.code == "scanner_failed"


def test_a_missing_rule_pack_is_a_scanner_failure(tmp_path: Path) -> None:
    with pytest.raises(PearlError) as caught:
        run_semgrep(tmp_path, tmp_path / "rules.yml", executable=Path(sys.executable))

    assert caught.value.code == "scanner_failed"


def test_bad_rules_make_semgrep_fail_with_its_message(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text("rules: [{id: broken}]\n")
    (tmp_path / "code").mkdir()

    with pytest.raises(PearlError) as caught:
        run_semgrep(tmp_path / "code", rules, executable=Path(_semgrep()))

    assert caught.value.code == "scanner_failed"


def test_no_semgrep_anywhere_is_scanner_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(PearlError) as caught:
        find_semgrep(str(tmp_path / "semgrep"))

    assert caught.value.code == "scanner_unavailable"


@pytest.mark.slow
def test_a_folder_git_ignores_is_still_scanned_and_left_untouched(tmp_path: Path) -> None:
    """The demo's working copy lives in .pearl-demo/, which the repository ignores."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)  # noqa: S603, S607
    (tmp_path / ".gitignore").write_text("work/\n")
    work = tmp_path / "work" / "app"
    shutil.copytree(APP, work, ignore=shutil.ignore_patterns("scans", "__pycache__"))
    before = sorted(p.relative_to(work) for p in work.rglob("*"))

    run = run_semgrep(work, RULES, executable=Path(_semgrep()))

    assert len(json.loads(run.sarif)["runs"][0]["results"]) == 6
    assert sorted(p.relative_to(work) for p in work.rglob("*")) == before
