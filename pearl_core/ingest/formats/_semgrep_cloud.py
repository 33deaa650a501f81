"""Semgrep Cloud's supply-chain findings export (``{"vulns": [...], "hasMore", "cursor"}``).

One page of the Semgrep API's "list supply chain findings" response. Each
``vulns[i]`` is one vulnerable dependency in one repository; mapping:

* rule id ``advisory.ruleId``; title ``title``; description ``advisory.description``;
  CVE / CWE ids from ``advisory.references``; severity ``advisory.severity``
  through :data:`pearl_core.ingest.formats.semgrep.SEVERITY`.
* package: ``matchedDependency`` (name, version), fixed version from
  ``closestSafeDependency``, manifest ``dependencyFileLocation.path``. The
  ecosystem comes from the rule's own dependency list (``advisory.ruleText``)
  entry for the matched package, because ``advisory.ecosystem`` names only the
  first ecosystem of a multi-ecosystem advisory; ``advisory.ecosystem`` is the
  fallback.
* confidence from ``exposureType``: reachable → high, conditionally reachable →
  medium, unreachable → low.
* tool fingerprint ``groupKey|manifest path|package`` (``groupKey`` already
  names the repository and the advisory).
* ``triage.status`` IGNORED / PROVISIONALLY_IGNORED → suppressed; CLOSED /
  FIXED records describe findings Semgrep no longer sees and are skipped, so a
  full-scope ingest resolves them by rescan.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Final

from pearl_core.domain.enums import Confidence, RiskLevel, ToolType
from pearl_core.ingest.formats._jsonfields import (
    as_list,
    as_object,
    cve_ids,
    cwe_ids,
    integer,
    line_number,
    short,
    text,
)
from pearl_core.ingest.records import ParsedFinding, ParsedLocation, ParsedPackage
from pearl_core.ingest.severity import from_label

__all__ = ["finding"]

_SKIPPED: Final = frozenset({"CLOSED", "FIXED"})
_SUPPRESSED: Final = frozenset({"IGNORED", "PROVISIONALLY_IGNORED"})
_CONFIDENCE: Final[Mapping[str, Confidence]] = {
    "REACHABLE": Confidence.HIGH,
    "ALWAYS_REACHABLE": Confidence.HIGH,
    "CONDITIONALLY_REACHABLE": Confidence.MEDIUM,
    "UNREACHABLE": Confidence.LOW,
}


def finding(
    record: dict[str, object], where: str, *, severity: Mapping[str, RiskLevel]
) -> ParsedFinding | None:
    """The finding of one ``vulns[i]``; ``None`` for a closed or fixed one."""
    triage = as_object(record.get("triage") or {}, "'triage'")
    status = (text(triage, "status") or "").upper()
    if status in _SKIPPED:
        return None
    advisory = as_object(record.get("advisory"), "'advisory'")
    references = as_object(advisory.get("references") or {}, "'advisory.references'")
    where_found = as_object(record.get("dependencyFileLocation"), "'dependencyFileLocation'")
    path = str(text(where_found, "path", required=True))
    matched = as_object(record.get("matchedDependency"), "'matchedDependency'")
    name = str(text(matched, "name", required=True))
    safe = as_object(record.get("closestSafeDependency") or {}, "'closestSafeDependency'")
    fixed = text(safe, "versionSpecifier") if text(safe, "name") == name else None
    package = ParsedPackage(
        ecosystem=_ecosystem(advisory, name),
        name=name,
        version=str(text(matched, "versionSpecifier", required=True)),
        fixed_version=fixed,
        manifest_path=path,
    )
    group = text(record, "groupKey")
    description = text(advisory, "description")
    return ParsedFinding(
        tool_name="semgrep",
        tool_type=ToolType.SCA,
        rule_id=text(advisory, "ruleId", required=True),
        title=text(record, "title") or text(advisory, "title") or f"Vulnerable {name}",
        description=description,
        severity=from_label(advisory.get("severity"), severity),
        confidence=_CONFIDENCE.get(short(record.get("exposureType")).upper()),
        cwe_ids=cwe_ids(as_list(references.get("cweIds"), "'references.cweIds'")),
        cve_ids=cve_ids(as_list(references.get("cveIds"), "'references.cveIds'")),
        locations=(
            ParsedLocation(
                path=path,
                start_line=line_number(integer(where_found, "startLine")),
                end_line=line_number(integer(where_found, "endLine")),
            ),
        ),
        package=package,
        fix_available=True if fixed else None,
        tool_fingerprint=f"{group}|{path}|{name}" if group else None,
        raw_record_ref=where,
        suppressed=status in _SUPPRESSED,
    )


def _ecosystem(advisory: dict[str, object], package: str) -> str:
    """The matched package's ecosystem from the rule's dependency list, else the advisory's."""
    fallback = str(text(advisory, "ecosystem", required=True)).lower()
    rule_text = text(advisory, "ruleText")
    if rule_text is None:
        return fallback
    try:
        rule = json.loads(rule_text)
    except (ValueError, RecursionError):
        return fallback
    depends = rule.get("r2c-internal-project-depends-on") if isinstance(rule, dict) else None
    if not isinstance(depends, dict):
        return fallback
    either = depends.get("depends-on-either", [depends])
    for entry in either if isinstance(either, list) else ():
        if isinstance(entry, dict) and entry.get("package") == package:
            namespace = entry.get("namespace")
            if isinstance(namespace, str) and namespace:
                return namespace.lower()
    return fallback
