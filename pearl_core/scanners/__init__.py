"""Running scanners PeaRL drives itself (verification rescans, the demo).

Scanners run offline, without a shell, on a folder PeaRL names, with a
scrubbed environment; their reports go through the same ingest as any other.
"""

from pearl_core.scanners.semgrep import SemgrepRun, find_semgrep, run_semgrep

__all__ = ["SemgrepRun", "find_semgrep", "run_semgrep"]
