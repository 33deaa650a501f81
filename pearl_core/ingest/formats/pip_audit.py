"""pip-audit JSON (``pip-audit -f json``): one record per vulnerability of each dependency.

Shapes: before pip-audit 2.0 a bare array of dependencies; since, an object
``{"dependencies": [...], "fixes": [...]}``. Each dependency is
``{name, version, vulns: [{id, fix_versions, aliases, description}]}``. A
dependency pip-audit could not audit carries ``skip_reason`` instead: not a
finding, but a scan error (:attr:`ReportInfo.scan_errors`), because that
dependency was not checked and the report is therefore not a clean scan of
it. ``fixes`` describes what ``--fix`` did and is not a finding.

An empty report, ``[]``, is claimed by Gitleaks during auto-detection (it
comes first in the registry and nothing in ``[]`` says pip-audit); with
``--format pip_audit`` it reads as a pip-audit report. Zero findings either way.

Mapping: ``tool_type`` ``sca``; ``ecosystem`` ``pypi``; ``rule_id`` the
advisory id (``PYSEC-...``, ``GHSA-...``); ``cve_ids`` the id and ``aliases``
that are CVEs; ``fixed_version`` the lowest of ``fix_versions`` above the
installed version (pip-audit lists one per release line). The report has no
manifest path, so findings have no location; ``tool_fingerprint`` is ``None``
(SCA identity is CVE + package + manifest).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import BinaryIO

from pearl_core.domain.enums import RiskLevel, ToolType
from pearl_core.ingest.formats._jsonfields import (
    BadRecord,
    as_list,
    as_object,
    load_json,
    malformed,
    short,
    text,
)
from pearl_core.ingest.formats._sca import package, pick_fixed, required, strict_cves
from pearl_core.ingest.records import ParsedFinding, Quarantined, ReportInfo, Sniff

__all__ = ["DEFAULT_SEVERITY", "PARSER", "SEVERITY", "PipAuditParser"]

TOOL = "pip-audit"

SEVERITY: Mapping[str, RiskLevel] = {}
"""pip-audit's JSON carries no severity and no CVSS score, so there is nothing
to map: every finding gets :data:`DEFAULT_SEVERITY`. Triage, or a second
scanner's finding on the same CVE and package (the cross-tool key), refines it."""

DEFAULT_SEVERITY = RiskLevel.MODERATE

_ENVELOPE_KEYS = frozenset({"dependencies", "fixes"})


class PipAuditParser:
    name = "pip_audit"

    def sniff(self, sniff: Sniff) -> bool:
        """``{"dependencies", "fixes"}`` and nothing else, or an array of pip-audit dependencies."""
        if sniff.shape == "object":
            return "dependencies" in sniff.keys and sniff.keys <= _ENVELOPE_KEYS
        return (
            sniff.shape == "array"
            and "name" in sniff.keys
            and bool({"vulns", "skip_reason"} & sniff.keys)
        )

    def parse(self, source: BinaryIO, info: ReportInfo) -> Iterator[ParsedFinding | Quarantined]:
        document = load_json(source, self.name)
        if isinstance(document, list):
            dependencies, prefix = document, ""
        elif isinstance(document, dict) and isinstance(document.get("dependencies"), list):
            dependencies, prefix = document["dependencies"], "dependencies"
        else:
            raise malformed(
                self.name, "neither a 'dependencies' array nor an array of dependencies"
            )
        info.tool_names.add(TOOL)
        for index, dependency in enumerate(dependencies):
            yield from _dependency(dependency, f"{prefix}[{index}]", info)


def _dependency(raw: object, where: str, info: ReportInfo) -> Iterator[ParsedFinding | Quarantined]:
    try:
        dependency = as_object(raw, "the dependency")
        if dependency.get("skip_reason") is not None:
            info.scan_errors.append(f"{where}: {short(dependency.get('skip_reason'), 200)}")
        vulns = as_list(dependency.get("vulns"), "'vulns'")
        if not vulns:
            return
        name = required(dependency, "name")
        version = required(dependency, "version")
    except BadRecord as exc:
        yield Quarantined(where, str(exc))
        return
    for index, vuln in enumerate(vulns):
        ref = f"{where}.vulns[{index}]"
        try:
            yield _finding(as_object(vuln, "the record"), ref, name, version)
        except BadRecord as exc:
            yield Quarantined(ref, str(exc))


def _finding(vuln: dict[str, object], where: str, name: str, version: str) -> ParsedFinding:
    vuln_id = required(vuln, "id")
    fixed = pick_fixed(version, as_list(vuln.get("fix_versions"), "'fix_versions'"))
    return ParsedFinding(
        tool_name=TOOL,
        tool_type=ToolType.SCA,
        rule_id=vuln_id,
        title=f"{vuln_id} in {name} {version}",
        severity=DEFAULT_SEVERITY,
        raw_record_ref=where,
        description=text(vuln, "description"),
        cve_ids=strict_cves([vuln_id, *as_list(vuln.get("aliases"), "'aliases'")]),
        package=package("pypi", name, version, fixed_version=fixed),
        fix_available=fixed is not None,
    )


PARSER = PipAuditParser()
