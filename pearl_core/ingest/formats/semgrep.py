"""Semgrep JSON: ``semgrep scan --json`` and the Semgrep Cloud supply-chain export.

**Detection.** Detection sees only the head of a document, where a large
report shows its first keys and the keys of its first record. The CLI report
is an object with ``results`` and none of Bandit's ``metrics`` /
``generated_at``, whose ``results[0]`` has ``check_id`` and ``extra`` or, when
``results`` is empty, next to ``errors`` (``{"results": [], "errors": []}``).
The Semgrep Cloud "list supply chain findings" API page (see
:mod:`pearl_core.ingest.formats._semgrep_cloud`) is an object with ``vulns``
whose first record has ``advisory`` and ``matchedDependency``, or next to
``hasMore``. ``parse`` applies the same rules to the whole document.

**Mapping** of a CLI result: ``check_id`` is the rule id; the first line of
``extra.message`` the title and the whole message the description;
``extra.metadata.cwe`` (a string or list, ``"CWE-89: ..."``) the CWE ids;
``extra.metadata.confidence`` the confidence; ``extra.lines`` the snippet and
``extra.fingerprint`` the tool fingerprint, except Semgrep's logged-out
placeholder ``"requires login"``, which is dropped; ``extra.fix`` or
``extra.fix_regex`` means a fix is available; ``extra.is_ignored`` (a
``nosemgrep`` match reported anyway) means suppressed. A secrets rule
(``generic.secrets.…`` or ``technology`` listing ``secrets``) has tool type
``secrets`` and no snippet, so the matched secret never reaches the pipeline.
Each entry of the report's ``errors`` becomes a scan error (type and level
only). A result with
``extra.sca_info`` is a Semgrep Supply Chain finding: tool type ``sca``, the
package from ``sca_info.dependency_match``, the CVE from the rule metadata
(``sca-vuln-database-identifier``), the fixed version from ``sca-fix-versions``
and the severity from ``sca-severity`` when present.

**Severity** (``SEVERITY``; newer Semgrep adds CRITICAL/HIGH/MEDIUM/LOW to
the classic ERROR/WARNING/INFO; an unknown label is ``moderate``):

==============================  ==========
Semgrep                         PeaRL
==============================  ==========
CRITICAL                        critical
ERROR, HIGH                     high
WARNING, MEDIUM                 moderate
INFO, LOW, INVENTORY,           low
EXPERIMENT
==============================  ==========
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import BinaryIO, Final

from pearl_core.domain.enums import Confidence, RiskLevel, ToolType
from pearl_core.ingest.formats import _semgrep_cloud
from pearl_core.ingest.formats._jsonfields import (
    as_list,
    as_object,
    cve_ids,
    cwe_ids,
    each_record,
    first_line,
    integer,
    line_number,
    load_json,
    malformed,
    short,
    text,
)
from pearl_core.ingest.records import (
    ParsedFinding,
    ParsedLocation,
    ParsedPackage,
    Quarantined,
    ReportInfo,
    Sniff,
)
from pearl_core.ingest.severity import from_label

__all__ = ["PARSER", "SEVERITY", "SemgrepParser"]

SEVERITY: Final[Mapping[str, RiskLevel]] = {
    "critical": RiskLevel.CRITICAL,
    "error": RiskLevel.HIGH,
    "high": RiskLevel.HIGH,
    "warning": RiskLevel.MODERATE,
    "medium": RiskLevel.MODERATE,
    "info": RiskLevel.LOW,
    "low": RiskLevel.LOW,
    "inventory": RiskLevel.LOW,
    "experiment": RiskLevel.LOW,
}

TOOL_NAME: Final = "semgrep"
_PLACEHOLDER: Final = "requires login"
_NOT_SEMGREP: Final = frozenset({"metrics", "generated_at", "plugins_used", "runs", "check_type"})
_RESULT_KEYS: Final = frozenset({"check_id", "extra"})
_VULN_KEYS: Final = frozenset({"advisory", "matchedDependency"})
_CONFIDENCE: Final[Mapping[str, Confidence]] = {c.value: c for c in Confidence}


def _is_cli_report(keys: frozenset[str], nested: frozenset[str]) -> bool:
    if "results" not in keys or keys & _NOT_SEMGREP:
        return False
    return "errors" in keys or nested >= _RESULT_KEYS


def _is_cloud_export(keys: frozenset[str], nested: frozenset[str]) -> bool:
    return "vulns" in keys and ("hasMore" in keys or nested >= _VULN_KEYS)


def _first_keys(records: object) -> frozenset[str]:
    first = records[0] if isinstance(records, list) and records else None
    return frozenset(first) if isinstance(first, dict) else frozenset()


@dataclass(frozen=True, slots=True)
class SemgrepParser:
    name: str = "semgrep"

    def sniff(self, sniff: Sniff) -> bool:
        return sniff.shape == "object" and (
            _is_cli_report(sniff.keys, sniff.nested_keys)
            or _is_cloud_export(sniff.keys, sniff.nested_keys)
        )

    def parse(self, source: BinaryIO, info: ReportInfo) -> Iterator[ParsedFinding | Quarantined]:
        document = load_json(source, self.name)
        if not isinstance(document, dict):
            raise malformed(self.name, "the document is not a JSON object")
        keys = frozenset(document)
        info.tool_names.add(TOOL_NAME)
        if _is_cloud_export(keys, _first_keys(document.get("vulns"))):
            vulns = document["vulns"]
            if not isinstance(vulns, list):
                raise malformed(self.name, "'vulns' is not an array")
            yield from each_record(vulns, "vulns[{}]".format, _cloud_finding)
            return
        results = document.get("results")
        if not isinstance(results, list) or not _is_cli_report(keys, _first_keys(results)):
            raise malformed(
                self.name, "expected an object with a 'results' array of Semgrep results"
            )
        version = document.get("version")
        info.tool_version = version if isinstance(version, str) else None
        info.scan_errors.extend(_scan_errors(document.get("errors")))

        def build(record: dict[str, object], where: str) -> ParsedFinding:
            return _finding(record, where, info.tool_version)

        yield from each_record(results, "results[{}]".format, build)


def _cloud_finding(record: dict[str, object], where: str) -> ParsedFinding | None:
    return _semgrep_cloud.finding(record, where, severity=SEVERITY)


def _scan_errors(errors: object) -> Iterator[str]:
    """One line per entry of ``errors``: its index, type and level, never its message."""
    for index, error in enumerate(errors if isinstance(errors, list) else ()):
        kind = error.get("type") if isinstance(error, dict) else None
        kind = kind[0] if isinstance(kind, list) and kind else kind
        level = error.get("level") if isinstance(error, dict) else None
        yield f"errors[{index}]: {short(kind)} ({short(level, 20)})"


def _finding(record: dict[str, object], where: str, version: str | None) -> ParsedFinding:
    rule_id = str(text(record, "check_id", required=True))
    extra = as_object(record.get("extra") or {}, "'extra'")
    metadata = as_object(extra.get("metadata") or {}, "'extra.metadata'")
    message = text(extra, "message")
    severity = from_label(extra.get("severity"), SEVERITY)
    confidence = metadata.get("confidence")
    package = None
    cves: tuple[str, ...] = ()
    tool_type = ToolType.SECRETS if _is_secrets_rule(rule_id, metadata) else ToolType.SAST
    fix_available = True if ("fix" in extra or "fix_regex" in extra) else None
    if extra.get("sca_info") is not None:
        tool_type = ToolType.SCA
        package = _package(as_object(extra["sca_info"], "'extra.sca_info'"), metadata)
        cves = cve_ids(metadata.get("sca-vuln-database-identifier"), metadata.get("cve"))
        severity = from_label(metadata.get("sca-severity"), SEVERITY, severity)
        fix_available = True if package.fixed_version is not None else None
    fingerprint = text(extra, "fingerprint")
    return ParsedFinding(
        tool_name=TOOL_NAME,
        tool_type=tool_type,
        rule_id=rule_id,
        title=first_line(message) or rule_id,
        description=message,
        severity=severity,
        confidence=_CONFIDENCE.get(short(confidence).lower()),
        cwe_ids=cwe_ids(metadata.get("cwe")),
        cve_ids=cves,
        locations=(_location(record, extra, keep_snippet=tool_type is not ToolType.SECRETS),),
        package=package,
        fix_available=fix_available,
        tool_fingerprint=None if fingerprint == _PLACEHOLDER else fingerprint,
        tool_version=version,
        raw_record_ref=where,
        suppressed=extra.get("is_ignored") is True,
    )


def _is_secrets_rule(rule_id: str, metadata: dict[str, object]) -> bool:
    """A secrets rule (``generic.secrets.…`` or ``technology: [secrets]``)."""
    technology = metadata.get("technology")
    listed = isinstance(technology, list) and "secrets" in technology
    return listed or ".secrets." in f".{rule_id}."


def _location(
    record: dict[str, object], extra: dict[str, object], *, keep_snippet: bool
) -> ParsedLocation:
    start = as_object(record.get("start") or {}, "'start'")
    end = as_object(record.get("end") or {}, "'end'")
    snippet = text(extra, "lines")
    return ParsedLocation(
        path=str(text(record, "path", required=True)),
        start_line=line_number(integer(start, "line")),
        end_line=line_number(integer(end, "line")),
        start_column=line_number(integer(start, "col")),
        end_column=line_number(integer(end, "col")),
        snippet=snippet if keep_snippet and snippet != _PLACEHOLDER else None,
    )


def _package(sca_info: dict[str, object], metadata: dict[str, object]) -> ParsedPackage:
    match = as_object(sca_info.get("dependency_match"), "'sca_info.dependency_match'")
    found = as_object(match.get("found_dependency"), "'dependency_match.found_dependency'")
    name = str(text(found, "package", required=True))
    fixed = None
    for entry in as_list(metadata.get("sca-fix-versions"), "'sca-fix-versions'"):
        if isinstance(entry, dict) and isinstance(entry.get(name), str):
            fixed = entry[name]
            break
    manifest = text(found, "lockfile_path") or text(match, "lockfile")
    return ParsedPackage(
        ecosystem=str(text(found, "ecosystem", required=True)).lower(),
        name=name,
        version=str(text(found, "version", required=True)),
        fixed_version=fixed,
        manifest_path=manifest,
    )


PARSER: Final = SemgrepParser()
