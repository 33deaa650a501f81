"""Checkov JSON (``checkov -o json``): one framework report, or an array of them.

**Detection.** An object with ``check_type`` and ``results``; an array whose
first element has both (one report per framework); or the summary-only object
Checkov 2 prints when it finds nothing to scan (``passed``, ``failed`` and
``checkov_version`` at the top level), which is a report with zero findings.

**Mapping.** Every ``results.failed_checks[i]`` is a finding, and every
``results.skipped_checks[i]`` too, marked suppressed (a check skipped by an
inline ``checkov:skip`` comment still fails). Rule id ``check_id``; title
``check_name``; description names the resource and the guideline; location
``file_path`` and ``file_line_range`` (line 0, Checkov's "whole file", is no
line); snippet the ``code_block`` text; ``fixed_definition`` means a fix is
available. The tool fingerprint is ``check_id|file_path|resource``: Checkov's
own identity for a result, independent of line numbers. ``parsing_errors``
(files Checkov could not read) become scan errors. Tool type: ``secrets`` for
the ``secrets`` framework (no snippet: the code block holds the masked
secret, CWE-798), ``sca`` / ``container`` for ``sca_package`` / ``sca_image``
(CVE and CVSS from ``vulnerability_details``), ``iac`` otherwise.

**Severity** (``SEVERITY``): Checkov reports a severity only with a
Prisma Cloud / Bridgecrew API key, so it is usually ``null``; a CVSS score in
``vulnerability_details`` wins over the label:

====================  ==========
Checkov ``severity``  PeaRL
====================  ==========
CRITICAL              critical
HIGH                  high
MEDIUM                moderate
LOW, INFO             low
null / unknown        moderate (``high`` for the ``secrets`` framework)
====================  ==========
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import BinaryIO, Final

from pearl_core.domain.enums import RiskLevel, ToolType
from pearl_core.ingest.formats._jsonfields import (
    BadRecord,
    as_list,
    as_object,
    cve_ids,
    each_record,
    line_number,
    load_json,
    malformed,
    short,
    text,
)
from pearl_core.ingest.records import ParsedFinding, ParsedLocation, Quarantined, ReportInfo, Sniff
from pearl_core.ingest.severity import from_cvss, from_label

__all__ = ["PARSER", "SEVERITY", "CheckovParser"]

SEVERITY: Final[Mapping[str, RiskLevel]] = {
    "critical": RiskLevel.CRITICAL,
    "high": RiskLevel.HIGH,
    "medium": RiskLevel.MODERATE,
    "low": RiskLevel.LOW,
    "info": RiskLevel.LOW,
}

TOOL_NAME: Final = "checkov"
_REPORT_KEYS: Final = frozenset({"check_type", "results"})
_SUMMARY_KEYS: Final = frozenset({"passed", "failed", "checkov_version"})
_TOOL_TYPES: Final[Mapping[str, ToolType]] = {
    "secrets": ToolType.SECRETS,
    "sca_package": ToolType.SCA,
    "sca_image": ToolType.CONTAINER,
}
_LISTS: Final = (("failed_checks", False), ("skipped_checks", True))


@dataclass(frozen=True, slots=True)
class CheckovParser:
    name: str = "checkov"

    def sniff(self, sniff: Sniff) -> bool:
        if sniff.shape == "array":
            return sniff.keys >= _REPORT_KEYS
        return sniff.shape == "object" and (
            sniff.keys >= _REPORT_KEYS or sniff.keys >= _SUMMARY_KEYS
        )

    def parse(self, source: BinaryIO, info: ReportInfo) -> Iterator[ParsedFinding | Quarantined]:
        document = load_json(source, self.name)
        if isinstance(document, dict) and document.keys() >= _SUMMARY_KEYS:
            _version(document, info)
            documents: list[tuple[str, object]] = []
        elif isinstance(document, dict):
            documents = [("", document)]
        elif isinstance(document, list):
            documents = [(f"[{i}].", report) for i, report in enumerate(document)]
        else:
            raise malformed(self.name, "the document is neither an object nor an array")
        reports = [self._report(prefix, report, info) for prefix, report in documents]
        info.tool_names.add(TOOL_NAME)
        for prefix, check_type, results in reports:
            for key, suppressed in _LISTS:
                build = partial(
                    _finding,
                    check_type=check_type,
                    suppressed=suppressed,
                    version=info.tool_version,
                )
                checks = as_list(results.get(key), key)
                yield from each_record(checks, f"{prefix}results.{key}[{{}}]".format, build)

    def _report(
        self, prefix: str, report: object, info: ReportInfo
    ) -> tuple[str, str, dict[str, object]]:
        """Check one framework report's shape before any finding is yielded."""
        if not isinstance(report, dict) or not report.keys() >= _REPORT_KEYS:
            raise malformed(self.name, f"{prefix or 'the document'} lacks check_type and results")
        results = report["results"]
        if not isinstance(results, dict) or not all(
            isinstance(results.get(key), list | None) for key, _ in _LISTS
        ):
            raise malformed(self.name, f"{prefix}results is not an object of check arrays")
        summary = report.get("summary")
        _version(summary if isinstance(summary, dict) else {}, info)
        errors = results.get("parsing_errors")
        for error in errors if isinstance(errors, list) else ():
            info.scan_errors.append(f"{prefix}results.parsing_errors: {short(error, 200)}")
        check_type = report["check_type"]
        return prefix, check_type if isinstance(check_type, str) else "", results


def _version(summary: dict[str, object], info: ReportInfo) -> None:
    version = summary.get("checkov_version")
    if isinstance(version, str):
        info.tool_version = version


def _finding(
    record: dict[str, object],
    where: str,
    *,
    check_type: str,
    suppressed: bool,
    version: str | None,
) -> ParsedFinding:
    check_id = str(text(record, "check_id", required=True))
    path = str(text(record, "file_path", required=True))
    resource = text(record, "resource")
    name = text(record, "check_name") or check_id
    tool_type = _TOOL_TYPES.get(check_type, ToolType.IAC)
    details = as_object(record.get("vulnerability_details") or {}, "'vulnerability_details'")
    default = RiskLevel.HIGH if tool_type is ToolType.SECRETS else RiskLevel.MODERATE
    severity = from_cvss(_cvss(details)) or from_label(record.get("severity"), SEVERITY, default)
    guideline = text(record, "guideline")
    description = f"{name}. Resource: {resource or 'unknown'}."
    start, end = _line_range(record)
    return ParsedFinding(
        tool_name=TOOL_NAME,
        tool_type=tool_type,
        rule_id=check_id,
        title=name,
        description=f"{description} Guideline: {guideline}" if guideline else description,
        severity=severity,
        cwe_ids=("CWE-798",) if tool_type is ToolType.SECRETS else (),
        cve_ids=cve_ids(details.get("id"), check_id.replace("_", "-")),
        locations=(
            ParsedLocation(
                path=path,
                start_line=start,
                end_line=end,
                snippet=None if tool_type is ToolType.SECRETS else _code(record),
            ),
        ),
        fix_available=True if record.get("fixed_definition") else None,
        tool_fingerprint=f"{check_id}|{path}|{resource or ''}",
        tool_version=version,
        raw_record_ref=where,
        suppressed=suppressed,
    )


def _line_range(record: dict[str, object]) -> tuple[int | None, int | None]:
    lines = as_list(record.get("file_line_range"), "'file_line_range'")
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in lines):
        raise BadRecord("'file_line_range' is not an array of integers")
    numbers = [line_number(n) for n in lines if isinstance(n, int)]
    if not numbers:
        return None, None
    return numbers[0], numbers[-1]


def _code(record: dict[str, object]) -> str | None:
    """The text of ``code_block`` (``[[line, text], ...]``) without its line numbers."""
    parts = [
        line[1]
        for line in as_list(record.get("code_block"), "'code_block'")
        if isinstance(line, list) and len(line) == 2 and isinstance(line[1], str)
    ]
    return "".join(parts) or None


def _cvss(details: dict[str, object]) -> float | int | str | None:
    score = details.get("cvss")
    return score if isinstance(score, float | int | str) else None


PARSER: Final = CheckovParser()
