"""examples/vulnerable-app, scanned for real: six findings, six fixes, a clean rescan.

The Semgrep rule pack ``policies/semgrep/pearl-python.yml`` runs offline on a
copy of the app and must report exactly one finding per vulnerable module;
with ``examples/fixes/vulnerable-app`` copied over it, it must report nothing.
The committed ``scans/semgrep.sarif`` (the demo's report when Semgrep is not
installed) must say what Semgrep says today, and must ingest as six findings.
The app's own tests, which a task packet names as required, pass before and
after the fixes. Semgrep is found as in tests/scanners: outside CI a missing
Semgrep skips the scanning tests; in CI it fails them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pearl_core import RiskLevel
from pearl_core.ingest.pipeline import read_path
from pearl_core.ingest.records import NormalizedFinding
from tests.scanners.test_real_scanners import _semgrep

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "examples" / "vulnerable-app"
FIXES = ROOT / "examples" / "fixes" / "vulnerable-app"
RULES = ROOT / "policies" / "semgrep" / "pearl-python.yml"
COMMITTED_SARIF = APP / "scans" / "semgrep.sarif"

# rule id: (the one file it flags, its CWE, PeaRL's severity for the rule's level)
EXPECTED: dict[str, tuple[str, str, RiskLevel]] = {
    "pearl.python.sql-injection": ("app/db.py", "CWE-89", RiskLevel.HIGH),
    "pearl.python.subprocess-shell-true": ("app/shell.py", "CWE-78", RiskLevel.HIGH),
    "pearl.python.pickle-loads": ("app/sessions.py", "CWE-502", RiskLevel.HIGH),
    "pearl.python.hardcoded-secret": ("app/settings.py", "CWE-798", RiskLevel.HIGH),
    "pearl.python.weak-password-hash": ("app/passwords.py", "CWE-916", RiskLevel.MODERATE),
    "pearl.python.tls-verify-disabled": ("app/http_client.py", "CWE-295", RiskLevel.HIGH),
}


@dataclass(frozen=True)
class Scan:
    results: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    sarif: dict[str, Any]


def copy_app(destination: Path, *, fixed: bool) -> Path:
    shutil.copytree(APP, destination, ignore=shutil.ignore_patterns("__pycache__", ".*cache"))
    if fixed:
        for fix in FIXES.rglob("*.py"):
            shutil.copyfile(fix, destination / fix.relative_to(FIXES))
    return destination


def scan(app: Path) -> Scan:
    """Semgrep with the rule pack, as the README's command runs it, from the app's folder."""
    sarif = app.parent / f"{app.name}.sarif"
    # A fixed argument list and no shell; the only paths are the test's own and the pack.
    done = subprocess.run(  # noqa: S603
        [
            _semgrep(),
            "scan",
            "--json",
            f"--sarif-output={sarif}",
            "--metrics=off",
            "--disable-version-check",
            "--no-rewrite-rule-ids",
            "--config",
            str(RULES),
            "--exclude=tests",
            "--exclude=scans",
            ".",
        ],
        cwd=app,
        capture_output=True,
        check=False,
        timeout=300,
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(app.parent),
            "SEMGREP_ENABLE_VERSION_CHECK": "0",
            "SEMGREP_SEND_METRICS": "off",
        },
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    return Scan(report["results"], report["errors"], json.loads(sarif.read_text()))


@pytest.fixture(scope="module")
def vulnerable_scan(tmp_path_factory: pytest.TempPathFactory) -> Scan:
    return scan(copy_app(tmp_path_factory.mktemp("scan") / "vulnerable", fixed=False))


@pytest.fixture(scope="module")
def fixed_scan(tmp_path_factory: pytest.TempPathFactory) -> Scan:
    return scan(copy_app(tmp_path_factory.mktemp("scan") / "fixed", fixed=True))


def sarif_results(sarif: dict[str, Any]) -> set[tuple[str, str, int, str]]:
    """(rule id, path, start line, message) of every result of every run."""
    found = set()
    for run in sarif["runs"]:
        for result in run["results"]:
            location = result["locations"][0]["physicalLocation"]
            found.add(
                (
                    result["ruleId"],
                    location["artifactLocation"]["uri"],
                    location["region"]["startLine"],
                    result["message"]["text"],
                )
            )
    return found


def run_app_tests(app: Path) -> subprocess.CompletedProcess[str]:
    # A fixed argument list and no shell: the app's tests, as a task packet requires them.
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=app,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


def test_the_rule_pack_finds_each_vulnerability_once_in_its_own_module(
    vulnerable_scan: Scan,
) -> None:
    found = sorted((r["check_id"], r["path"]) for r in vulnerable_scan.results)

    assert vulnerable_scan.errors == []
    assert found == sorted((rule, path) for rule, (path, _, _) in EXPECTED.items())


def test_every_fix_replaces_exactly_one_flagged_module() -> None:
    fixes = sorted(str(fix.relative_to(FIXES)) for fix in FIXES.rglob("*.py"))

    assert fixes == sorted(path for path, _, _ in EXPECTED.values())
    assert all((APP / fix).is_file() for fix in fixes)


def test_the_rule_pack_finds_nothing_once_the_fixes_are_applied(fixed_scan: Scan) -> None:
    assert (fixed_scan.results, fixed_scan.errors) == ([], [])


def test_the_committed_sarif_reports_what_semgrep_reports_today(vulnerable_scan: Scan) -> None:
    committed = json.loads(COMMITTED_SARIF.read_text())

    assert sarif_results(committed) == sarif_results(vulnerable_scan.sarif)


def test_the_committed_sarif_ingests_as_six_findings_in_the_vulnerable_modules() -> None:
    with read_path(COMMITTED_SARIF) as report:
        items = list(report.items)
        assert (report.format, report.info.scan_errors) == ("sarif", [])

    findings = [item.finding for item in items if isinstance(item, NormalizedFinding)]
    assert len(findings) == len(items)
    seen = {
        finding.rule_id: (finding.locations[0].path, *finding.cwe_ids, finding.severity)
        for finding in findings
    }
    assert len(findings) == len(seen)
    assert seen == EXPECTED


def test_the_apps_own_tests_pass_before_the_fixes(tmp_path: Path) -> None:
    done = run_app_tests(copy_app(tmp_path / "vulnerable", fixed=False))

    assert done.returncode == 0, done.stdout + done.stderr


def test_the_apps_own_tests_pass_after_the_fixes(tmp_path: Path) -> None:
    done = run_app_tests(copy_app(tmp_path / "fixed", fixed=True))

    assert done.returncode == 0, done.stdout + done.stderr
