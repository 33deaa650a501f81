"""Trivy JSON: vulnerabilities, misconfigurations, secrets and licences, in every layout.

Current (``SchemaVersion`` 2), legacy (a bare array of results, ``null`` for a
clean image) and Kubernetes (``ClusterName`` + ``Resources``, or the older
``Vulnerabilities`` / ``Misconfigurations`` resource arrays) reports; the
layouts are walked by :mod:`._trivy_k8s`. One record per entry of a result's
``Vulnerabilities``, ``Misconfigurations``, ``Secrets`` and ``Licenses``.

Mapping:

* ``tool_type``: vulnerabilities in ``os-pkgs`` results (or, in legacy reports
  without ``Class``, in a distribution's packages) are ``container``, other
  vulnerabilities ``sca``; misconfigurations ``iac``; secrets ``secrets``;
  licences ``governance`` (a compliance rule, not a vulnerability).
* ``severity`` of a vulnerability: the CVSS base score (v4, else v3, else v2)
  of the source Trivy took its severity from (``SeveritySource``), when that
  source has one; without ``SeveritySource``, NVD's score. Otherwise, and for
  everything else, :data:`SEVERITY` on ``Severity``. A distribution's own
  rating is honoured: a Debian-sourced LOW stays low even when NVD scores 7.8.
* ``rule_id``: ``VulnerabilityID``; a misconfiguration's ``AVDID`` (else
  ``ID``); a secret's ``RuleID``; a licence's name.
* ``package.manifest_path``: ``PkgPath`` when Trivy names the file (a jar in an
  image), else ``Target``; for Kubernetes, the resource ``namespace/Kind/name``.
* ``fixed_version``: the lowest ``FixedVersion`` above the installed version
  (Trivy lists one per release line). ``fix_available`` is also true for
  ``Status: fixed``. ``Status: not_affected`` (the vendor says the package is
  not affected) marks the finding ``suppressed``, as does a misconfiguration
  ``EXCEPTION``; a misconfiguration that ``PASS``\\ ed is not a finding.
* Secrets carry the rule's title and category only: never ``Match`` or
  ``Code``, which hold the secret.
* ``tool_fingerprint``: ``None`` (the pipeline derives SCA identity from CVE +
  package + manifest, and code identity from rule + path + snippet), except
  for licences, which carry no package version (so no package coordinates):
  ``license|<path>|<package or file>|<licence>``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from pearl_core.domain.enums import RiskLevel, ToolType
from pearl_core.ingest.formats._jsonfields import (
    BadRecord,
    as_list,
    as_object,
    cwe_ids,
    integer,
    line_number,
    load_json,
    text,
)
from pearl_core.ingest.formats._sca import (
    ecosystem,
    package,
    pick_fixed,
    required,
    strict_cves,
    tool_type_for,
)
from pearl_core.ingest.formats._trivy_k8s import Scope, scopes
from pearl_core.ingest.records import ParsedFinding, ParsedLocation, Quarantined, ReportInfo, Sniff
from pearl_core.ingest.severity import from_cvss, from_label

__all__ = ["PARSER", "SEVERITY", "TrivyParser"]

TOOL = "trivy"

SEVERITY: dict[str, RiskLevel] = {
    "low": RiskLevel.LOW,
    "medium": RiskLevel.MODERATE,
    "high": RiskLevel.HIGH,
    "critical": RiskLevel.CRITICAL,
    "unknown": RiskLevel.MODERATE,
}
"""Trivy's ``Severity`` → PeaRL. ``UNKNOWN`` (no source rated it) is ``moderate``:
unrated is not the same as harmless."""

_RESULT_KEYS = frozenset({"Vulnerabilities", "Type", "Class", "Misconfigurations", "Secrets"})
_SCORES = ("V40Score", "V3Score", "V2Score")


class TrivyParser:
    name = "trivy"

    def sniff(self, sniff: Sniff) -> bool:
        """A current report, a Kubernetes report, or a legacy array of results.

        An empty legacy report (``null``) is not claimed: nothing in it says
        Trivy, and Gitleaks writes the same. Auto-detection names it Gitleaks;
        ``--format trivy`` reads it as a Trivy report. Zero findings either way.
        """
        keys = sniff.keys
        if sniff.shape == "object":
            current = "SchemaVersion" in keys and bool({"Results", "ArtifactName"} & keys)
            kubernetes = "ClusterName" in keys and bool(
                {"Resources", "Vulnerabilities", "Misconfigurations"} & keys
            )
            return current or kubernetes
        return sniff.shape == "array" and "Target" in keys and bool(_RESULT_KEYS & keys)

    def parse(self, source: BinaryIO, info: ReportInfo) -> Iterator[ParsedFinding | Quarantined]:
        document = load_json(source, self.name)
        info.tool_names.add(TOOL)
        version = _tool_version(document)
        if version is not None:
            info.tool_version = version
        for scope in scopes(document, self.name, info):
            if isinstance(scope, Quarantined):
                yield scope
            else:
                yield from _scope_findings(scope, version)


def _tool_version(document: object) -> str | None:
    trivy = document.get("Trivy") if isinstance(document, dict) else None
    value = trivy.get("Version") if isinstance(trivy, dict) else None
    return value if isinstance(value, str) and value else None


def _scope_findings(scope: Scope, version: str | None) -> Iterator[ParsedFinding | Quarantined]:
    sections = (
        ("Vulnerabilities", _vulnerability),
        ("Misconfigurations", _misconfiguration),
        ("Secrets", _secret),
        ("Licenses", _licence),
    )
    for key, build in sections:
        try:
            records = as_list(scope.result.get(key), f"'{key}'")
        except BadRecord as exc:
            yield Quarantined(f"{scope.ref}.{key}", str(exc))
            continue
        for index, raw in enumerate(records):
            where = f"{scope.ref}.{key}[{index}]"
            try:
                finding = build(as_object(raw, "the record"), where, scope, version)
            except BadRecord as exc:
                yield Quarantined(where, str(exc))
                continue
            if finding is not None:
                yield finding


def _vulnerability(
    record: dict[str, object], where: str, scope: Scope, version: str | None
) -> ParsedFinding:
    vuln_id = required(record, "VulnerabilityID")
    installed = text(record, "InstalledVersion")
    eco = ecosystem(text(scope.result, "Type"))
    pkg_path = text(record, "PkgPath")
    manifest = f"{scope.resource}/{pkg_path}" if scope.resource and pkg_path else None
    manifest = manifest or scope.resource or pkg_path or scope.target
    identifier = as_object(record.get("PkgIdentifier") or {}, "'PkgIdentifier'")
    status = text(record, "Status")
    fixed = pick_fixed(installed, [text(record, "FixedVersion")])
    is_os = text(scope.result, "Class") == "os-pkgs"
    return ParsedFinding(
        tool_name=TOOL,
        tool_type=ToolType.CONTAINER if is_os else tool_type_for(eco),
        rule_id=vuln_id,
        title=text(record, "Title") or f"{vuln_id} in {text(record, 'PkgName')}",
        severity=_vulnerability_severity(record),
        raw_record_ref=where,
        description=text(record, "Description"),
        cwe_ids=cwe_ids(as_list(record.get("CweIDs"), "'CweIDs'")),
        cve_ids=strict_cves([vuln_id, *as_list(record.get("VendorIDs"), "'VendorIDs'")]),
        locations=(ParsedLocation(path=manifest),) if manifest else (),
        package=package(
            eco,
            text(record, "PkgName"),
            installed,
            fixed_version=fixed,
            manifest_path=manifest,
            purl=text(identifier, "PURL"),
        ),
        fix_available=fixed is not None or status == "fixed",
        tool_version=version,
        suppressed=status == "not_affected",
    )


def _vulnerability_severity(record: dict[str, object]) -> RiskLevel:
    label = from_label(text(record, "Severity"), SEVERITY)
    by_source = as_object(record.get("CVSS") or {}, "'CVSS'")
    source = text(record, "SeveritySource") or "nvd"
    entry = by_source.get(source)
    if entry is None:
        return label
    scores = as_object(entry, f"'CVSS.{source}'")
    for key in _SCORES:
        score = scores.get(key)
        if score is None:
            continue
        if isinstance(score, bool) or not isinstance(score, int | float):
            raise BadRecord(f"'CVSS.{source}.{key}' is not a number")
        return from_cvss(score) or label
    return label


def _misconfiguration(
    record: dict[str, object], where: str, scope: Scope, version: str | None
) -> ParsedFinding | None:
    status = text(record, "Status")
    if status == "PASS":
        return None
    rule_id = text(record, "AVDID") or required(record, "ID")
    cause = as_object(record.get("CauseMetadata") or {}, "'CauseMetadata'")
    start = line_number(integer(cause, "StartLine"))
    end = line_number(integer(cause, "EndLine")) if start is not None else None
    parts = (text(record, "Message"), text(record, "Description"), text(record, "Resolution"))
    location = (
        ParsedLocation(path=scope.path, start_line=start, end_line=end, snippet=_cause(cause))
        if scope.path
        else None
    )
    return ParsedFinding(
        tool_name=TOOL,
        tool_type=ToolType.IAC,
        rule_id=rule_id,
        title=text(record, "Title") or rule_id,
        severity=from_label(text(record, "Severity"), SEVERITY),
        raw_record_ref=where,
        description="\n\n".join(part for part in parts if part) or None,
        locations=(location,) if location else (),
        tool_version=version,
        suppressed=status == "EXCEPTION",
    )


def _cause(cause: dict[str, object]) -> str | None:
    """The offending configuration lines (``IsCause``), joined; ``None`` when Trivy gives none."""
    code = as_object(cause.get("Code") or {}, "'CauseMetadata.Code'")
    lines = as_list(code.get("Lines"), "'CauseMetadata.Code.Lines'")
    content = [
        line["Content"]
        for line in lines
        if isinstance(line, dict)
        and line.get("IsCause") is True
        and isinstance(line.get("Content"), str)
    ]
    return "\n".join(content) if any(content) else None


def _secret(
    record: dict[str, object], where: str, scope: Scope, version: str | None
) -> ParsedFinding:
    rule_id = required(record, "RuleID")
    title = text(record, "Title") or rule_id
    category = text(record, "Category")
    start = line_number(integer(record, "StartLine"))
    end = line_number(integer(record, "EndLine")) if start is not None else None
    return ParsedFinding(
        tool_name=TOOL,
        tool_type=ToolType.SECRETS,
        rule_id=rule_id,
        title=title,
        severity=from_label(text(record, "Severity"), SEVERITY),
        raw_record_ref=where,
        description=f"{title} ({category} secret) found by rule {rule_id}."
        if category
        else f"{title} found by rule {rule_id}.",
        locations=(ParsedLocation(path=scope.path, start_line=start, end_line=end),)
        if scope.path
        else (),
        tool_version=version,
    )


def _licence(
    record: dict[str, object], where: str, scope: Scope, version: str | None
) -> ParsedFinding:
    licence = required(record, "Name")
    owner = text(record, "PkgName") or text(record, "FilePath")
    category = text(record, "Category")
    path = text(record, "FilePath") or scope.path
    link = text(record, "Link")
    return ParsedFinding(
        tool_name=TOOL,
        tool_type=ToolType.GOVERNANCE,
        rule_id=licence,
        title=f"{licence} licence in {owner}" if owner else f"{licence} licence",
        severity=from_label(text(record, "Severity"), SEVERITY),
        raw_record_ref=where,
        description=f"Licence category: {category or 'unknown'}." + (f" {link}" if link else ""),
        locations=(ParsedLocation(path=path),) if path else (),
        tool_fingerprint=f"license|{scope.path or ''}|{owner or ''}|{licence}",
        tool_version=version,
    )


PARSER = TrivyParser()
