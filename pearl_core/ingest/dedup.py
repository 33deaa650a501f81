"""The pipeline's last step: fingerprint each finding and drop repeats within one report.

Identity comes from :func:`pearl_core.ingest.fingerprint.identity`. Within one
report:

* ``sca:`` — the same fingerprint twice is one finding: the **first** record
  is kept as it is and later ones are dropped (their locations are not
  merged);
* ``tool:`` and ``loc:`` — the same base key at the same primary position
  (line, column) is the duplicate and is dropped; at a *different* position
  it is a different hit of the same code (``eval(x)`` twice in one file, or a
  tool fingerprint that only hashes the line's text) and gets the next
  occurrence number, 0, 1, 2... in report order
  (:func:`~pearl_core.ingest.fingerprint.numbered`).

Memory grows with the number of findings (one key and one position each),
which ``IngestLimits.max_results`` bounds.
"""

from __future__ import annotations

from pearl_core.ingest.fingerprint import cross_tool_key, identity, numbered
from pearl_core.ingest.records import NormalizedFinding, ParsedFinding

__all__ = ["InReportDedup"]


class InReportDedup:
    """Fingerprints each finding of one report and drops the repeats (see the module docstring)."""

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._positions: set[tuple[str, int | None, int | None]] = set()
        self._occurrences: dict[str, int] = {}

    def __call__(
        self, finding: ParsedFinding, hashes: tuple[str | None, ...]
    ) -> NormalizedFinding | None:
        scheme, key = identity(finding, hashes[0] if hashes else None)
        if scheme != "sca":
            first = finding.locations[0] if finding.locations else None
            position = (key, first.start_line, first.start_column) if first else (key, None, None)
            if position in self._positions:
                return None
            self._positions.add(position)
            occurrence = self._occurrences.get(key, 0)
            self._occurrences[key] = occurrence + 1
            key = numbered(scheme, key, occurrence)
        if key in self._seen:
            return None
        self._seen.add(key)
        return NormalizedFinding(
            finding=finding,
            fingerprint=key,
            snippet_hashes=hashes,
            cross_tool_key=cross_tool_key(finding),
        )
