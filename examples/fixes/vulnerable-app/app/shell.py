"""Compressing order exports with the system's gzip."""

from __future__ import annotations

import subprocess
from pathlib import Path


def compress_export(path: Path) -> Path:
    """Gzip the export at ``path``, keeping the original; return the ``.gz`` path."""
    # FIXED (CWE-78): a fixed argument list and no shell, so the file name is one
    # argument whatever it contains; "--" stops a name like "-rf" being an option.
    subprocess.run(["gzip", "-k", "-f", "--", str(path)], check=True, timeout=60)  # noqa: S603, S607 -- fixed argv, no shell; gzip from PATH
    return path.with_name(path.name + ".gz")
