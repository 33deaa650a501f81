"""Semgrep, run offline with a local rule pack.

Where Semgrep is looked for, in order: ``PEARL_SEMGREP`` (passed in by the
entrypoint as ``explicit``), ``semgrep`` in the ``semgrep`` venv beside the
running interpreter's (``.venv/semgrep``, where ``scripts/setup`` puts it,
because Semgrep pins an MCP SDK 1.x that PeaRL cannot share a venv with), and
``semgrep`` on ``PATH``. None found is ``scanner_unavailable``.

The run never touches the network: metrics off, no version check, a local
``--config`` file only, and ``--no-rewrite-rule-ids`` so rule ids stay as the
pack writes them. It runs from the scanned folder, so reported paths are
relative to it (``app/db.py``), which is what task packets scope.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pearl_core.errors import ScannerFailed, ScannerUnavailable

__all__ = ["SemgrepRun", "find_semgrep", "run_semgrep"]

_TIMEOUT_S = 600
#: Exit codes meaning "ran and reported" (1: findings with --error; 0: clean).
_REPORTED = frozenset({0, 1})


@dataclass(frozen=True, slots=True)
class SemgrepRun:
    """One finished Semgrep run: its SARIF report and the tool's version."""

    sarif: bytes
    version: str


def find_semgrep(explicit: str | None = None) -> Path:
    """The Semgrep executable (see the module docstring)."""
    candidates = [
        explicit,
        str(Path(sys.prefix) / "semgrep" / "bin" / "semgrep"),
        shutil.which("semgrep"),
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    raise ScannerUnavailable(
        "semgrep is not installed: run scripts/setup (it installs .venv/semgrep) "
        "or set PEARL_SEMGREP",
        scanner="semgrep",
    )


def run_semgrep(
    target: Path,
    rules: Path,
    *,
    exclude: Sequence[str] = ("tests", "scans"),
    executable: Path | None = None,
) -> SemgrepRun:
    """Scan ``target`` with the rule file ``rules``; SARIF bytes, offline."""
    semgrep = executable or find_semgrep()
    target = target.resolve()
    if not target.is_dir():
        raise ScannerFailed(f"{target} is not a folder to scan", scanner="semgrep")
    if not rules.is_file():
        raise ScannerFailed(f"the rule pack {rules} does not exist", scanner="semgrep")
    output = target.parent / f".{target.name}.semgrep.sarif"
    command = [
        str(semgrep),
        "scan",
        "--sarif",
        f"--output={output}",
        "--metrics=off",
        "--disable-version-check",
        "--no-rewrite-rule-ids",
        "--no-git-ignore",  # scan what PeaRL names, even inside an ignored folder
        "--quiet",
        f"--config={rules.resolve()}",
        *(f"--exclude={pattern}" for pattern in exclude),
        ".",
    ]
    home = Path(tempfile.mkdtemp(prefix="pearl-semgrep-"))  # its settings and logs, not ours
    try:
        # A fixed argument list, no shell; the paths are the caller's folder and pack.
        done = subprocess.run(  # noqa: S603
            command,
            cwd=target,
            capture_output=True,
            check=False,
            timeout=_TIMEOUT_S,
            env=_environment(home),
        )
    except subprocess.TimeoutExpired:
        raise ScannerFailed(f"semgrep ran longer than {_TIMEOUT_S} s", scanner="semgrep") from None
    finally:
        shutil.rmtree(home, ignore_errors=True)
    try:
        if done.returncode not in _REPORTED or not output.is_file():
            tail = done.stderr.decode("utf-8", "replace").strip()[-2000:]
            raise ScannerFailed(f"semgrep exited {done.returncode}: {tail}", scanner="semgrep")
        return SemgrepRun(output.read_bytes(), _version(semgrep))
    finally:
        output.unlink(missing_ok=True)


def _environment(home: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "SEMGREP_ENABLE_VERSION_CHECK": "0",
        "SEMGREP_SEND_METRICS": "off",
        "LANG": "C.UTF-8",
    }


def _version(semgrep: Path) -> str:
    done = subprocess.run(  # noqa: S603
        [str(semgrep), "--version"],
        capture_output=True,
        check=False,
        timeout=60,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "SEMGREP_ENABLE_VERSION_CHECK": "0"},
    )
    return done.stdout.decode("utf-8", "replace").strip() or "unknown"
