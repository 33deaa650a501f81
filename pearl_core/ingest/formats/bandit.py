"""Bandit JSON (``bandit -f json``).

**Detection.** A JSON object with ``generated_at`` and ``metrics`` (Bandit
sorts its keys, so these two come before a long ``results``, and no other
supported format has ``metrics``), or one whose ``results[0]`` has
``test_id``, ``issue_severity`` and ``issue_confidence`` (a head where a
long ``errors`` hides the rest). ``parse`` also needs ``results`` and
``metrics``.

**Mapping** of ``results[i]``: rule id ``test_id`` (``B101``); title
``issue_text``; description ``issue_text`` and ``more_info``; severity from
``issue_severity`` and confidence from ``issue_confidence`` (Bandit rates the
two independently, so PeaRL keeps them apart); CWE from ``issue_cwe.id``
(Bandit ≥ 1.7.5); location ``filename``, ``line_range`` (else
``line_number``) and ``col_offset`` / ``end_col_offset`` (0-based in Bandit,
stored 1-based). The snippet is the ``code`` lines inside ``line_range`` with
Bandit's line-number prefixes removed, so it does not change when lines above
move. The hard-coded password tests (B105, B106, B107) quote the password in
``issue_text``; the quoted value is replaced by ``[REDACTED]``. Bandit drops
``# nosec`` results from the report, so nothing is marked suppressed. Each
entry of ``errors`` (a file Bandit could not scan) is a scan error.

**Severity** (``SEVERITY``; an unknown label is ``moderate``):

==================  ==========
``issue_severity``  PeaRL
==================  ==========
HIGH                high
MEDIUM              moderate
LOW, UNDEFINED      low
==================  ==========

**Confidence**: ``issue_confidence`` HIGH / MEDIUM / LOW as is; UNDEFINED → none.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import BinaryIO, Final

from pearl_core.domain.enums import Confidence, RiskLevel, ToolType
from pearl_core.ingest.formats._jsonfields import (
    BadRecord,
    as_list,
    cwe_ids,
    each_record,
    integer,
    line_number,
    load_json,
    malformed,
    short,
    text,
)
from pearl_core.ingest.records import ParsedFinding, ParsedLocation, Quarantined, ReportInfo, Sniff
from pearl_core.ingest.severity import from_label

__all__ = ["PARSER", "SEVERITY", "BanditParser"]

SEVERITY: Final[Mapping[str, RiskLevel]] = {
    "high": RiskLevel.HIGH,
    "medium": RiskLevel.MODERATE,
    "low": RiskLevel.LOW,
    "undefined": RiskLevel.LOW,
}

TOOL_NAME: Final = "bandit"
_KEYS: Final = frozenset({"results", "metrics", "generated_at"})
_HEAD_KEYS: Final = frozenset({"metrics", "generated_at"})
_RESULT_KEYS: Final = frozenset({"test_id", "issue_severity", "issue_confidence"})
_CONFIDENCE: Final[Mapping[str, Confidence]] = {c.value: c for c in Confidence}
_PASSWORD_TESTS: Final = frozenset({"B105", "B106", "B107"})
_QUOTED_TAIL: Final = re.compile(r":\s*'.*'\s*$", re.DOTALL)
_CODE_LINE: Final = re.compile(r"(\d{1,9}) ?(.*)")


@dataclass(frozen=True, slots=True)
class BanditParser:
    name: str = "bandit"

    def sniff(self, sniff: Sniff) -> bool:
        return sniff.shape == "object" and (
            sniff.keys >= _HEAD_KEYS or sniff.nested_keys >= _RESULT_KEYS
        )

    def parse(self, source: BinaryIO, info: ReportInfo) -> Iterator[ParsedFinding | Quarantined]:
        document = load_json(source, self.name)
        if not isinstance(document, dict) or not document.keys() >= _KEYS:
            raise malformed(self.name, "expected an object with results, metrics, generated_at")
        results = document["results"]
        if not isinstance(results, list):
            raise malformed(self.name, "'results' is not an array")
        info.tool_names.add(TOOL_NAME)
        info.scan_errors.extend(_scan_errors(document.get("errors")))
        yield from each_record(results, "results[{}]".format, _finding)


def _scan_errors(errors: object) -> Iterator[str]:
    for index, error in enumerate(errors if isinstance(errors, list) else ()):
        reason = error.get("reason") if isinstance(error, dict) else None
        yield f"errors[{index}]: {short(reason, 200)}"


def _finding(record: dict[str, object], where: str) -> ParsedFinding:
    test_id = text(record, "test_id", required=True)
    issue = str(text(record, "issue_text", required=True))
    if test_id in _PASSWORD_TESTS:
        issue = _QUOTED_TAIL.sub(": '[REDACTED]'", issue)
    more_info = text(record, "more_info")
    confidence = text(record, "issue_confidence")
    return ParsedFinding(
        tool_name=TOOL_NAME,
        tool_type=ToolType.SAST,
        rule_id=test_id,
        title=issue,
        description=f"{issue}\n\nMore information: {more_info}" if more_info else issue,
        severity=from_label(record.get("issue_severity"), SEVERITY),
        confidence=_CONFIDENCE.get(confidence.lower()) if confidence else None,
        cwe_ids=cwe_ids(record.get("issue_cwe")),
        locations=(_location(record),),
        raw_record_ref=where,
    )


def _location(record: dict[str, object]) -> ParsedLocation:
    lines = as_list(record.get("line_range"), "'line_range'")
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in lines):
        raise BadRecord("'line_range' is not an array of integers")
    numbers = [n for n in lines if isinstance(n, int)]
    start = min(numbers) if numbers else integer(record, "line_number")
    end = max(numbers) if numbers else start
    col, end_col = integer(record, "col_offset"), integer(record, "end_col_offset")
    return ParsedLocation(
        path=str(text(record, "filename", required=True)),
        start_line=line_number(start),
        end_line=line_number(end),
        start_column=col + 1 if col is not None and col >= 0 else None,
        end_column=end_col + 1 if end_col is not None and end_col >= 0 else None,
        snippet=_snippet(text(record, "code"), set(numbers or ([start] if start else []))),
    )


def _snippet(code: str | None, wanted: set[int]) -> str | None:
    """The lines of Bandit's numbered ``code`` excerpt that are in ``wanted``, unnumbered."""
    if code is None:
        return None
    kept = []
    for line in code.splitlines():
        match = _CODE_LINE.fullmatch(line)
        if match and int(match.group(1)) in wanted:
            kept.append(match.group(2))
    return "\n".join(kept) if kept else None


PARSER: Final = BanditParser()
