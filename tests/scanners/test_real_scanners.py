"""Bandit and Semgrep, run for real and offline on small vulnerable code, then ingested.

The count of findings PeaRL creates equals the count of results the tool
itself reports, and a full rescan after one fix resolves exactly that one.
Bandit comes from the ``dev`` extra; Semgrep from its own venv
(``.venv/semgrep``, see ``requirements/semgrep.txt``), or ``PEARL_SEMGREP``.
Semgrep runs with a local rule file only, metrics and version checks off.
Outside CI a missing Semgrep skips its test; in CI it fails.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pearl_core import Environment, IngestLimits, IngestRequest, IngestSummary, ingest_report
from pearl_core.errors import ScannerUnavailable
from pearl_core.scanners import find_semgrep
from pearl_core.store import SqlStore
from pearl_core.testing import FakeClock, make_org, make_principal, make_project

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

ORG = "org_scanners"
OPERATOR = make_principal(org_id=ORG)
PROJECT = "proj_scanned"

VULNERABLE = {
    "shell.py": (
        "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"
    ),
    "unpickle.py": "import pickle\n\n\ndef load(data):\n    return pickle.loads(data)\n",
    "digest.py": "import hashlib\n\n\ndef digest(x):\n    return hashlib.md5(x).hexdigest()\n",
    "settings.py": 'DATABASE_USER = "app"\npassword = "hunter2"\n',
    "config.py": "import yaml\n\n\ndef read(f):\n    return yaml.load(f)\n",
}
FIXED_DIGEST = "import hashlib\n\n\ndef digest(x):\n    return hashlib.sha256(x).hexdigest()\n"

RULES = """
rules:
  - id: subprocess-shell-true
    languages: [python]
    severity: ERROR
    message: subprocess called with shell=True
    pattern: subprocess.$F(..., shell=True, ...)
    metadata: {cwe: ["CWE-78: OS Command Injection"]}
  - id: pickle-loads
    languages: [python]
    severity: WARNING
    message: pickle.loads on untrusted data
    pattern: pickle.loads(...)
    metadata: {cwe: ["CWE-502: Deserialization of Untrusted Data"]}
  - id: weak-hash-md5
    languages: [python]
    severity: WARNING
    message: MD5 is not collision resistant
    pattern: hashlib.md5(...)
  - id: yaml-unsafe-load
    languages: [python]
    severity: ERROR
    message: yaml.load without a safe loader
    pattern: yaml.load($X)
"""


def _semgrep() -> str:
    """PeaRL's own Semgrep lookup; missing fails in CI and skips elsewhere."""
    try:
        return str(find_semgrep(os.environ.get("PEARL_SEMGREP")))
    except ScannerUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))


@pytest.fixture
def code(tmp_path: Path) -> Path:
    folder = tmp_path / "code"
    folder.mkdir()
    for name, text in VULNERABLE.items():
        (folder / name).write_text(text)
    return folder


def run_bandit(code: Path) -> bytes:
    # A fixed argument list and no shell; the only path is the test's own folder.
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bandit", "-q", "-f", "json", "-r", code.name],
        cwd=code.parent,
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert done.returncode in (0, 1), done.stderr  # 1: issues found
    return done.stdout


def run_semgrep(code: Path) -> bytes:
    rules = code.parent / "rules.yml"
    rules.write_text(RULES)
    # A fixed argument list and no shell; the only paths are the test's own.
    done = subprocess.run(  # noqa: S603
        [
            _semgrep(),
            "scan",
            "--json",
            "--metrics=off",
            "--disable-version-check",
            "--config",
            str(rules),
            code.name,
        ],
        cwd=code.parent,
        capture_output=True,
        check=False,
        timeout=300,
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(code.parent),
            "SEMGREP_ENABLE_VERSION_CHECK": "0",
            "SEMGREP_SEND_METRICS": "off",
        },
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def results(report: bytes) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(report)["results"]
    return found


@pytest.fixture
async def scanned(store: SqlStore) -> SqlStore:
    async with store.unit_of_work(OPERATOR) as uow:
        await uow.orgs.add(make_org(org_id=ORG))
        await uow.projects.add(make_project(project_id=PROJECT))
        await uow.audit.record("test.seeded", resource_type="org", resource_id=ORG)
        await uow.commit()
    return store


async def ingest(store: SqlStore, report: bytes, clock: FakeClock, name: str) -> IngestSummary:
    request = IngestRequest(project_id=PROJECT, environment=Environment.DEV, source_name=name)
    return await ingest_report(
        store.unit_of_work(OPERATOR),
        request,
        io.BytesIO(report),
        clock=clock,
        limits=IngestLimits(),
    )


async def test_bandit_results_ingest_one_to_one_and_a_fix_resolves_its_finding(
    scanned: SqlStore, clock: FakeClock, code: Path
) -> None:
    report = run_bandit(code)
    tests = sorted(r["test_id"] for r in results(report))
    assert {"B602", "B301", "B324", "B105", "B506"} <= set(tests)  # the tool found them

    first = await ingest(scanned, report, clock, "bandit.json")

    assert (first.format, first.created, first.quarantined) == ("bandit", len(tests), 0)
    (code / "digest.py").write_text(FIXED_DIGEST)
    rescan = await ingest(scanned, run_bandit(code), clock, "bandit.json")
    assert (rescan.resolved_by_rescan, rescan.created) == (1, 0)
    assert rescan.unchanged + rescan.updated == len(tests) - 1


async def test_semgrep_results_ingest_one_to_one_and_a_fix_resolves_its_finding(
    scanned: SqlStore, clock: FakeClock, code: Path
) -> None:
    report = run_semgrep(code)
    rules = sorted(r["check_id"].rsplit(".", 1)[-1] for r in results(report))
    assert rules == ["pickle-loads", "subprocess-shell-true", "weak-hash-md5", "yaml-unsafe-load"]

    first = await ingest(scanned, report, clock, "semgrep.json")

    assert (first.format, first.created, first.quarantined) == ("semgrep", len(rules), 0)
    assert first.resolution == "applied"
    (code / "digest.py").write_text(FIXED_DIGEST)
    rescan = await ingest(scanned, run_semgrep(code), clock, "semgrep.json")
    assert (rescan.resolved_by_rescan, rescan.created, rescan.unchanged) == (1, 0, 3)
