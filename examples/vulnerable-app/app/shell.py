"""Compressing order exports with the system's gzip."""

from __future__ import annotations

import subprocess
from pathlib import Path


def compress_export(path: Path) -> Path:
    """Gzip the export at ``path``, keeping the original; return the ``.gz`` path."""
    # VULNERABLE (CWE-78): the file name goes through a shell, so a name like
    # "x.csv; rm -rf ~" runs a second command.
    subprocess.run(f"gzip -k -f {path}", shell=True, check=True, timeout=60)
    return path.with_name(path.name + ".gz")
