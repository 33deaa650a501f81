"""Gitleaks JSON (``gitleaks detect --report-format json``), v7 and v8 layouts.

**Detection.** A JSON array whose first element has v8's ``RuleID`` with
``Secret`` or ``Match``, or v8's leading ``Description``, ``StartLine``,
``EndLine``, ``StartColumn``, ``EndColumn`` (all detection sees when a long
``Line`` fills the head), or v6/v7's ``rule`` with ``offender`` (key case is
ignored). Two documents carry no keys at all and are claimed here too, by
decision: the empty array ``[]`` (what Gitleaks v8 writes when it finds
nothing) and ``null`` (what v7 writes then). Both are reports with zero
findings whatever tool wrote them, so claiming them cannot lose a finding
(pip-audit's empty ``[]`` and legacy Trivy's ``null`` are detected as Gitleaks;
their parsers leave them alone). They do name a tool, though: a *full-scope*
ingest of an auto-detected empty document counts as a clean Gitleaks scan, so
a caller who knows the tool passes ``--format``.

**Mapping.** Rule id ``RuleID`` (v8) or ``rule`` (v7); title ``Hard-coded
secret: <Description or rule>``; location ``File`` / ``file``,
``StartLine`` to ``EndLine`` (v7: ``lineNumber``) and the columns; CWE-798
(hard-coded credentials) on every finding.

**Secrets never leave this module.** ``Secret``, ``Match``, ``Line`` and
v7's ``offender`` / ``line`` are read only to compute a fingerprint: no
title, description or snippet carries them (the snippet is always ``None``),
and any occurrence of them in the title or description (say, a rule named
after its match) is replaced by ``[REDACTED]``. The tool fingerprint is v8's
``Fingerprint`` (``commit:file:rule:line``) when present; otherwise the
SHA-256 of ``rule, file, commit`` and the secret (or, when the report is
already redacted, the matched line), a one-way digest like detect-secrets'
``hashed_secret`` that keeps one finding per leaked value and commit even when
lines move.

**Severity** (``SEVERITY``): Gitleaks has no severity; every finding is a
live credential until proven otherwise:

=============  ==========
Gitleaks       PeaRL
=============  ==========
(any finding)  high
=============  ==========
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Final

from pearl_core.domain.enums import RiskLevel, ToolType
from pearl_core.ingest.formats._jsonfields import (
    each_record,
    integer,
    line_number,
    load_json,
    malformed,
    text,
)
from pearl_core.ingest.records import ParsedFinding, ParsedLocation, Quarantined, ReportInfo, Sniff

__all__ = ["PARSER", "SEVERITY", "GitleaksParser"]

SEVERITY: Final = RiskLevel.HIGH
"""Gitleaks gives no severity: the table has one row."""

TOOL_NAME: Final = "gitleaks"
_EMPTY: Final = re.compile(rb"(?:\xef\xbb\xbf)?\s*(?:\[\s*\]|null)\s*")
_V8_LEADING: Final = frozenset({"description", "startline", "endline", "startcolumn", "endcolumn"})
_REDACTED: Final = "[REDACTED]"
_REDACTED_BY_TOOL: Final = "REDACTED"
"""What ``gitleaks --redact`` writes in place of the secret."""
_MIN_REDACT: Final = 4
"""Shorter values are not searched for in text (they would match by chance)."""


def _is_gitleaks_record(keys: frozenset[str] | set[str]) -> bool:
    lowered = {key.lower() for key in keys}
    v8 = "ruleid" in lowered and bool(lowered & {"secret", "match"})
    return v8 or lowered >= _V8_LEADING or lowered >= {"rule", "offender"}


@dataclass(frozen=True, slots=True)
class GitleaksParser:
    name: str = "gitleaks"

    def sniff(self, sniff: Sniff) -> bool:
        if sniff.shape == "array" and _is_gitleaks_record(set(sniff.keys)):
            return True
        return not sniff.keys and _EMPTY.fullmatch(sniff.head) is not None

    def parse(self, source: BinaryIO, info: ReportInfo) -> Iterator[ParsedFinding | Quarantined]:
        document = load_json(source, self.name)
        if document is None:
            document = []
        if not isinstance(document, list):
            raise malformed(self.name, "the document is not a JSON array")
        first = document[0] if document else None
        if isinstance(first, dict) and not _is_gitleaks_record(set(first)):
            raise malformed(self.name, "the first record has neither RuleID nor rule/offender")
        info.tool_names.add(TOOL_NAME)
        yield from each_record(document, "[{}]".format, _finding)


def _finding(raw: dict[str, object], where: str) -> ParsedFinding:
    record = {key.lower(): value for key, value in raw.items()}
    rule_id = str(text(record, "ruleid") or text(record, "rule", required=True))
    path = str(text(record, "file", required=True))
    commit = text(record, "commit")
    secrets = [
        value
        for value in (text(record, key) for key in ("secret", "offender", "match", "line"))
        if value is not None
    ]
    name = text(record, "description") or rule_id
    title = _redact(f"Hard-coded secret: {name}", secrets)
    where_text = f" in commit {commit[:12]}" if commit else ""
    description = _redact(
        f"Gitleaks rule {rule_id} matched a secret in {path}{where_text}. "
        "The secret itself is not stored; rotate it and remove it from history.",
        secrets,
    )
    start = line_number(integer(record, "startline") or integer(record, "linenumber"))
    return ParsedFinding(
        tool_name=TOOL_NAME,
        tool_type=ToolType.SECRETS,
        rule_id=rule_id,
        title=title,
        description=description,
        severity=SEVERITY,
        cwe_ids=("CWE-798",),
        locations=(
            ParsedLocation(
                path=path,
                start_line=start,
                end_line=line_number(integer(record, "endline")) or start,
                start_column=line_number(integer(record, "startcolumn")),
                end_column=line_number(integer(record, "endcolumn")),
            ),
        ),
        tool_fingerprint=text(record, "fingerprint") or _digest(rule_id, path, commit, record),
        raw_record_ref=where,
    )


def _digest(rule_id: str, path: str, commit: str | None, record: dict[str, object]) -> str | None:
    """A one-way id for a report without ``Fingerprint``; ``None`` with nothing to hash."""
    value = text(record, "secret") or text(record, "offender")
    if value is None or value == _REDACTED_BY_TOOL:
        value = text(record, "line") or text(record, "match")
    if value is None:
        return None
    material = "\0".join(("gitleaks", rule_id, path, commit or "", value))
    return "sha256:" + hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()


def _redact(value: str, secrets: list[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= _MIN_REDACT:
            value = value.replace(secret, _REDACTED)
    return value


PARSER: Final = GitleaksParser()
