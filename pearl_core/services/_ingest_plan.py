"""Classify a parsed report against what a project environment already holds.

Pure and synchronous (the ingest service runs it in a worker thread): no I/O,
no clock, no ids beyond :func:`~pearl_core.ids.new_id`. Each record of the
report is matched to a stored finding by fingerprint, then by cross-tool key
(the same CVE in the same package and manifest from another tool), and is
exactly one of:

* **created** — no match: a new finding, ``open`` (``suppressed`` with the
  reason ``suppressed_by_tool`` when the tool itself marked it suppressed);
* **updated** — matched, and what the scanner reports (the finding's
  :data:`~pearl_core.domain.findings.CONTENT_FIELDS`) changed;
* **unchanged** — matched and reported exactly as stored: nothing is written,
  not even ``last_seen_at`` (the ingest run records that the scan saw it);
* **reopened** — matched a ``fixed_verified`` finding: it is back;
* **duplicate** — the same finding as an earlier record of this report.

A finding matched only through its cross-tool key keeps the content of the
tool that first reported it (two tools describing one CVE differently would
otherwise rewrite it on every scan); it still counts as seen. Findings closed
by a human decision (accepted risk, false positive, not affected, suppressed)
keep their status when reported again; their content is still updated.
``fix_submitted`` findings keep theirs too: verifying a submitted fix is the
verification service's call, made against the scan of the fixing commit.

A full-scope report with no scanner errors and no quarantined records also
resolves the open findings of its tools that it no longer contains.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from pydantic import ValidationError

from pearl_core.domain.enums import (
    Environment,
    FindingCategory,
    FindingStatus,
    TrustLabel,
)
from pearl_core.domain.findings import Finding, content_digest
from pearl_core.domain.ingest import IngestScope, QuarantinedRecord, Resolution
from pearl_core.domain.lifecycle import OPEN_FINDING_STATUSES
from pearl_core.ids import new_id
from pearl_core.ingest.records import NormalizedFinding, ParsedFinding, Quarantined, ReportInfo
from pearl_core.ports import FindingIndexEntry

__all__ = [
    "CROSS_TOOL_KEY_MAX",
    "Pending",
    "Plan",
    "Target",
    "build_finding",
    "content_of",
    "cross_key",
    "plan_ingest",
    "rejected",
]

CROSS_TOOL_KEY_MAX: Final = 200
SUPPRESSED_BY_TOOL: Final = "suppressed_by_tool"


def cross_key(key: str | None) -> str | None:
    """The pipeline's cross-tool key as stored: verbatim up to 200 characters,
    else ``sha256:<hex>`` of it (long package names and manifest paths)."""
    if key is None or len(key) <= CROSS_TOOL_KEY_MAX:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def content_of(item: NormalizedFinding) -> dict[str, Any]:
    """What the record reports, shaped like ``Finding.model_dump(mode="json")``
    restricted to ``CONTENT_FIELDS``, so its digest equals the stored finding's."""
    parsed = item.finding
    hashes = item.snippet_hashes
    package = parsed.package
    return {
        "severity": parsed.severity.value,
        "confidence": None if parsed.confidence is None else parsed.confidence.value,
        "title": parsed.title,
        "description": parsed.description,
        "rule_id": parsed.rule_id,
        "cwe_ids": list(parsed.cwe_ids),
        "cve_ids": list(parsed.cve_ids),
        "locations": [
            {
                "path": loc.path,
                "start_line": loc.start_line,
                "end_line": loc.end_line,
                "start_column": loc.start_column,
                "end_column": loc.end_column,
                "snippet_hash": hashes[i] if i < len(hashes) else None,
            }
            for i, loc in enumerate(parsed.locations)
        ],
        "package": None
        if package is None
        else {
            "ecosystem": package.ecosystem,
            "name": package.name,
            "version": package.version,
            "fixed_version": package.fixed_version,
            "manifest_path": package.manifest_path,
            "purl": package.purl,
        },
        "fix_available": parsed.fix_available,
    }


@dataclass(frozen=True, slots=True)
class Target:
    """Where the report's findings live, and when they were seen."""

    project_id: str
    environment: Environment
    now: datetime


@dataclass(frozen=True, slots=True)
class Pending:
    """A finding to write, as the report describes it, under its stored identity.

    The plan keeps these records, not built findings: a built finding takes
    several times the memory of its record, and a 100,000-result report must
    fit in a few hundred megabytes. :func:`build_finding` makes the finding
    when it is written, in batches (a changed finding is also built once
    while planning, to quarantine a record that cannot be stored before
    anything is written; a new one is checked when built, see
    :mod:`pearl_core.services._ingest_apply`).
    """

    finding_id: str
    fingerprint: str
    cross_tool_key: str | None
    item: NormalizedFinding


@dataclass(slots=True)
class Plan:
    """What an ingest will write: new findings, changed ones (whose stored
    lifecycle fields are merged in when their documents are read), reopened
    ones (``None``: keep the stored content) and resolved ones."""

    created: list[Pending] = field(default_factory=list)
    updates: list[Pending] = field(default_factory=list)
    reopens: list[tuple[str, Pending | None]] = field(default_factory=list)
    resolves: list[str] = field(default_factory=list)
    unchanged: int = 0
    duplicates: int = 0
    quarantine: list[QuarantinedRecord] = field(default_factory=list)
    resolution: Resolution = "applied"


def build_finding(
    pending: Pending, target: Target, content: dict[str, Any] | None = None
) -> Finding:
    """The finding ``pending`` describes, new as of ``target.now`` (``ValidationError``
    if the record does not make a valid finding)."""
    parsed: ParsedFinding = pending.item.finding
    suppressed = parsed.suppressed
    data = {
        **(content_of(pending.item) if content is None else content),
        "severity": parsed.severity,
        "confidence": parsed.confidence,
        "finding_id": pending.finding_id,
        "source": {
            "tool_name": parsed.tool_name,
            "tool_type": parsed.tool_type,
            "trust_label": TrustLabel.TRUSTED_INTERNAL,
            "raw_record_ref": parsed.raw_record_ref,
            "tool_version": parsed.tool_version,
        },
        "project_id": target.project_id,
        "environment": target.environment,
        "category": FindingCategory.SECURITY,
        "detected_at": target.now,
        "fingerprint": pending.fingerprint,
        "cross_tool_key": pending.cross_tool_key,
        "status": FindingStatus.SUPPRESSED if suppressed else FindingStatus.OPEN,
        "status_reason": SUPPRESSED_BY_TOOL if suppressed else None,
        "first_seen_at": target.now,
        "last_seen_at": target.now,
        "updated_at": target.now,
    }
    return Finding.model_validate(data)


def rejected(item: NormalizedFinding, exc: ValidationError) -> QuarantinedRecord:
    """The quarantine entry of a record that does not make a valid finding."""
    error = exc.errors(include_url=False, include_input=False, include_context=False)[0]
    where = ".".join(str(part) for part in error["loc"]) or "(record)"
    reason = f"not a valid finding: {where}: {error['msg']}"
    return QuarantinedRecord(record=item.finding.raw_record_ref[:500], reason=reason[:2000])


def plan_ingest(
    items: Iterable[NormalizedFinding | Quarantined],
    index: Sequence[FindingIndexEntry],
    *,
    target: Target,
    scope: IngestScope,
    info: ReportInfo,
) -> Plan:
    """Classify every record (see the module docstring)."""
    plan = Plan()
    by_fingerprint = {known.fingerprint: known for known in index}
    by_key: dict[str, FindingIndexEntry] = {}
    for known in index:
        if known.cross_tool_key is not None:
            by_key.setdefault(known.cross_tool_key, known)
    seen_fingerprints: set[str] = set()
    seen_keys: set[str] = set()
    claimed: set[str] = set()
    for item in items:
        if isinstance(item, Quarantined):
            plan.quarantine.append(
                QuarantinedRecord(record=item.raw_record_ref[:500], reason=item.reason[:2000])
            )
            continue
        key = cross_key(item.cross_tool_key)
        if item.fingerprint in seen_fingerprints or (key is not None and key in seen_keys):
            plan.duplicates += 1
            continue
        entry: FindingIndexEntry | None = by_fingerprint.get(item.fingerprint)
        if entry is None and key is not None:
            entry = by_key.get(key)
        if entry is not None and entry.finding_id in claimed:
            plan.duplicates += 1
            continue
        content = content_of(item)
        try:
            if entry is None:
                # Built (and validated) when written, in batches: see _ingest_apply.
                plan.created.append(Pending(new_id("find"), item.fingerprint, key, item))
            else:
                _classify(plan, item, content, entry, target, key)
        except ValidationError as exc:
            plan.quarantine.append(rejected(item, exc))
            continue
        seen_fingerprints.add(item.fingerprint)
        if key is not None:
            seen_keys.add(key)
        if entry is not None:
            claimed.add(entry.finding_id)
    plan.resolution = _resolution(scope, info, plan)
    if plan.resolution == "applied":
        plan.resolves = [
            known.finding_id
            for known in index
            if known.status in OPEN_FINDING_STATUSES
            and known.tool_name in info.tool_names
            and known.finding_id not in claimed
        ]
    return plan


#: A finding claimed fixed (submitted, or verified) that a scan still reports is reopened.
_REOPEN_WHEN_SEEN: Final = frozenset({FindingStatus.FIXED_VERIFIED, FindingStatus.FIX_SUBMITTED})


def _classify(
    plan: Plan,
    item: NormalizedFinding,
    content: dict[str, Any],
    entry: FindingIndexEntry,
    target: Target,
    key: str | None,
) -> None:
    same_tool = entry.fingerprint == item.fingerprint or entry.tool_name == item.finding.tool_name
    changed = same_tool and content_digest(content) != entry.content_hash
    candidate = None
    if changed:
        key = entry.cross_tool_key or key
        candidate = Pending(entry.finding_id, entry.fingerprint, key, item)
        build_finding(candidate, target, content)  # refuse what cannot be stored
    if entry.status in _REOPEN_WHEN_SEEN:
        plan.reopens.append((entry.finding_id, candidate))
    elif candidate is not None:
        plan.updates.append(candidate)
    else:
        plan.unchanged += 1


def _resolution(scope: IngestScope, info: ReportInfo, plan: Plan) -> Resolution:
    if scope != "full":
        return "partial_scan"
    if info.scan_errors:
        return "scan_errors"
    if plan.quarantine:
        return "quarantined_records"
    return "applied"
