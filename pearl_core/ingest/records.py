"""What parsers produce: light, immutable records, one per scanner result.

Parsers turn a scanner's report into a stream of :class:`ParsedFinding` (or
:class:`Quarantined` for a record they cannot read) without knowing about
projects, environments or ids. The ingest pipeline then normalises untrusted
text, computes the fingerprint, deduplicates, and only then builds domain
:class:`~pearl_core.domain.findings.Finding` objects. Records are slotted
dataclasses, not pydantic models, because a large report yields 100,000 of
them and they are validated once, at the domain boundary.

Treat every record as immutable. The three built once per result
(:class:`ParsedLocation`, :class:`ParsedFinding`, :class:`NormalizedFinding`)
are deliberately not ``frozen``: a frozen dataclass sets each field through
``object.__setattr__``, which measured 1.85 µs against 0.70 µs per
``ParsedFinding`` on this machine, about 15% of the 20 µs per-result budget
of the 50,000 results/s ingest target. They are therefore not hashable.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol

from pearl_core.domain.enums import Confidence, RiskLevel, ToolType

__all__ = [
    "NormalizedFinding",
    "ParsedFinding",
    "ParsedLocation",
    "ParsedPackage",
    "Parser",
    "Quarantined",
    "ReportInfo",
    "Sniff",
]


@dataclass(slots=True)
class ParsedLocation:
    path: str
    start_line: int | None = None
    end_line: int | None = None
    start_column: int | None = None
    end_column: int | None = None
    snippet: str | None = None
    """The offending code as the tool reported it. Hashed, never stored."""


@dataclass(frozen=True, slots=True)
class ParsedPackage:
    ecosystem: str
    name: str
    version: str
    fixed_version: str | None = None
    manifest_path: str | None = None
    purl: str | None = None


@dataclass(slots=True)
class ParsedFinding:
    """One result of one scanner, in PeaRL's vocabulary, before normalisation."""

    tool_name: str
    tool_type: ToolType
    rule_id: str | None
    title: str
    severity: RiskLevel
    raw_record_ref: str
    """Where in the report this came from, e.g. ``runs[0].results[12]``."""
    description: str | None = None
    confidence: Confidence | None = None
    cwe_ids: tuple[str, ...] = ()
    cve_ids: tuple[str, ...] = ()
    locations: tuple[ParsedLocation, ...] = ()
    package: ParsedPackage | None = None
    fix_available: bool | None = None
    tool_fingerprint: str | None = None
    """The tool's own stable id for this result (SARIF partialFingerprints,
    Semgrep fingerprint, Snyk issue id + package path), when it has one."""
    tool_version: str | None = None
    suppressed: bool = False
    """The tool itself marks the result as suppressed (SARIF suppressions)."""


@dataclass(slots=True)
class NormalizedFinding:
    """A :class:`ParsedFinding` after the pipeline: text made safe, identity computed.

    ``finding.locations[i].snippet`` is ``None`` here; ``snippet_hashes[i]`` holds
    the SHA-256 of the normalised snippet instead (or ``None``).
    """

    finding: ParsedFinding
    fingerprint: str
    """Dedup key within a project environment (see :mod:`pearl_core.ingest.fingerprint`)."""
    snippet_hashes: tuple[str | None, ...]
    cross_tool_key: str | None
    """``cve|ecosystem|package|manifest`` for SCA findings with a CVE: the same
    vulnerable package reported by two tools is one finding."""


@dataclass(frozen=True, slots=True)
class Quarantined:
    """A record the parser could not read; the rest of the report still ingests."""

    raw_record_ref: str
    reason: str


@dataclass(slots=True)
class ReportInfo:
    """Facts about the report as a whole, filled in while parsing."""

    format: str
    tool_names: set[str] = field(default_factory=set)
    tool_version: str | None = None
    scan_errors: list[str] = field(default_factory=list)
    """Errors the scanner itself reported (a failed run, an unparsable target).
    A report with scan errors is not a clean scan: a full-scope ingest of it
    resolves nothing by absence."""
    duplicates_dropped: int = 0
    """Records dropped because an earlier record of this report had the same
    identity, so the summary still accounts for every result the tool reported."""


@dataclass(frozen=True, slots=True)
class Sniff:
    """What format detection knows after reading the start of a document.

    Computed once per document from its first 64 KiB (see
    :func:`pearl_core.ingest.detect.sniff`), so each parser's ``sniff`` is a
    cheap set lookup, never a second read.
    """

    shape: str
    """``"object"`` or ``"array"`` (or ``"other"`` for JSON scalars / non-JSON)."""
    keys: frozenset[str]
    """Top-level keys of the object, or of the array's first element."""
    nested_keys: frozenset[str]
    """Keys seen at depth two (e.g. inside ``Results[0]`` or ``runs[0]``), best effort."""
    head: bytes
    """The first bytes of the document, for the rare format that needs more."""


class Parser(Protocol):
    """One scanner format.

    ``name`` is the ``--format`` value. ``sniff`` looks at a :class:`Sniff`
    and says whether the document is this format;
    ``parse`` streams records from the whole document, raising
    ``MalformedReport`` when the document as a whole is not a report of this
    format, and yielding ``Quarantined`` for single bad records.
    """

    name: str

    def sniff(self, sniff: Sniff) -> bool: ...

    def parse(
        self, source: BinaryIO, info: ReportInfo
    ) -> Iterator[ParsedFinding | Quarantined]: ...
