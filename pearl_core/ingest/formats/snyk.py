"""Snyk Open Source and Snyk Container JSON (``snyk test --json``, ``snyk container test --json``).

Shapes: one project object (``vulnerabilities`` plus ``packageManager`` /
``projectName``), or, with ``--all-projects``, an array of them. A container
scan is a project with ``docker`` whose packages are the image's
operating-system packages; with ``--app-vulns`` it also carries
``applications``, one project per application found in the image. Snyk Code
reports are SARIF and belong to the SARIF parser (no ``vulnerabilities`` key).

One record per entry of ``vulnerabilities``: Snyk lists an issue once per
dependency path (``from``), so one advisory can appear several times in a
project. They are distinct records here; the pipeline deduplicates by
fingerprint.

Mapping:

* ``tool_type``: ``container`` for operating-system packages (a distribution
  ecosystem such as ``debian:11``), ``sca`` for language packages (including
  an image's ``applications``), ``governance`` for licence issues
  (``type: license``): a licence is a compliance rule, not a vulnerability.
* ``severity``: ``cvssScore`` when Snyk gives one (CVSS wins over the label),
  else :data:`SEVERITY` on ``severity``.
* ``package.fixed_version``: the lowest ``fixedIn`` version above the installed
  one, else the vulnerable package's entry at the end of ``upgradePath``.
  ``fix_available`` is also true when Snyk says ``isUpgradable`` / ``isPatchable``.
* ``package.manifest_path``: ``displayTargetFile``, else ``targetFile``, else
  the project ``path`` (a container image).
* A project Snyk could not test (``ok: false`` with an ``error`` and no
  ``vulnerabilities``) is a scan error (:attr:`ReportInfo.scan_errors`), not a
  finding: the report is then not a clean scan.
* ``tool_fingerprint``: ``<issue id>|<manifest>|<from joined by '>'>``, Snyk's
  own identity of an issue (id plus dependency path). The manifest is part of
  it because ``--all-projects`` reports often hold several projects with the
  same root name (three ``cyberspect`` projects in one corpus report).
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
    load_json,
    malformed,
    short,
    text,
)
from pearl_core.ingest.formats._sca import (
    OS_ECOSYSTEMS,
    ecosystem,
    package,
    pick_fixed,
    required,
    strict_cves,
    tool_type_for,
)
from pearl_core.ingest.records import (
    ParsedFinding,
    ParsedLocation,
    Quarantined,
    ReportInfo,
    Sniff,
)
from pearl_core.ingest.severity import from_cvss, from_label

__all__ = ["PARSER", "SEVERITY", "SnykParser"]

TOOL = "snyk"

SEVERITY: dict[str, RiskLevel] = {
    "low": RiskLevel.LOW,
    "medium": RiskLevel.MODERATE,
    "high": RiskLevel.HIGH,
    "critical": RiskLevel.CRITICAL,
}
"""Snyk's ``severity`` label → PeaRL, used only when ``cvssScore`` is absent.
An unknown label is ``moderate``."""

_PROJECT_KEYS = frozenset({"packageManager", "projectName", "dependencyCount", "uniqueCount"})
_ISSUE_KEYS = frozenset({"packageName", "upgradePath", "isUpgradable"})


class SnykParser:
    name = "snyk"

    def sniff(self, sniff: Sniff) -> bool:
        """A project object, or an array whose first element is one.

        Snyk writes ``vulnerabilities`` first, so in a large report the head
        holds no other project key; Snyk's issue keys inside it then decide.
        """
        return (
            sniff.shape in ("object", "array")
            and "vulnerabilities" in sniff.keys
            and bool(_PROJECT_KEYS & sniff.keys or sniff.nested_keys >= _ISSUE_KEYS)
        )

    def parse(self, source: BinaryIO, info: ReportInfo) -> Iterator[ParsedFinding | Quarantined]:
        document = load_json(source, self.name)
        info.tool_names.add(TOOL)
        if isinstance(document, dict):
            if _failed(document, "(document)", info):
                return
            if not isinstance(document.get("vulnerabilities"), list):
                raise malformed(self.name, "the project has no 'vulnerabilities' array")
            yield from _project(document, "")
        elif isinstance(document, list):
            for index, raw in enumerate(document):
                where = f"[{index}]"
                if not isinstance(raw, dict):
                    yield Quarantined(where, "the project is not an object")
                elif not _failed(raw, where, info):
                    yield from _project(raw, f"{where}.")
        else:
            raise malformed(self.name, "the document is neither a project nor an array of projects")


def _failed(project: dict[str, object], where: str, info: ReportInfo) -> bool:
    """A project Snyk could not test (``ok: false`` + ``error``, no results): a scan error."""
    if "vulnerabilities" in project or project.get("error") is None:
        return False
    info.scan_errors.append(f"{where}: {short(project.get('error'), 200)}")
    return True


def _project(project: dict[str, object], prefix: str) -> Iterator[ParsedFinding | Quarantined]:
    try:
        vulnerabilities = project.get("vulnerabilities")
        if not isinstance(vulnerabilities, list):
            raise BadRecord("the project has no 'vulnerabilities' array")
        manifest = (
            text(project, "displayTargetFile") or text(project, "targetFile") or _path(project)
        )
        manager = text(project, "packageManager")
        applications = as_list(project.get("applications"), "'applications'")
    except BadRecord as exc:
        yield Quarantined(prefix.rstrip(".") or "(document)", str(exc))
        return
    for index, raw in enumerate(vulnerabilities):
        where = f"{prefix}vulnerabilities[{index}]"
        try:
            yield _finding(as_object(raw, "the record"), where, manifest, manager)
        except BadRecord as exc:
            yield Quarantined(where, str(exc))
    for index, raw in enumerate(applications):
        where = f"{prefix}applications[{index}]"
        if isinstance(raw, dict):
            yield from _project(raw, f"{where}.")
        else:
            yield Quarantined(where, "the application is not an object")


def _path(project: dict[str, object]) -> str | None:
    path = project.get("path")
    return path if isinstance(path, str) and path else None


def _finding(
    vuln: dict[str, object], where: str, manifest: str | None, manager: str | None
) -> ParsedFinding:
    issue_id = required(vuln, "id")
    eco = ecosystem(text(vuln, "packageManager") or manager)
    name = text(vuln, "name") or text(vuln, "packageName")
    if name and eco in OS_ECOSYSTEMS and "/" in name:
        name = name.rsplit("/", 1)[1]  # "gcc-10/libgcc-s1": source/binary; keep the binary
    version = text(vuln, "version")
    identifiers = as_object(vuln.get("identifiers") or {}, "'identifiers'")
    fixed = pick_fixed(version, as_list(vuln.get("fixedIn"), "'fixedIn'")) or _upgrade_target(
        as_list(vuln.get("upgradePath"), "'upgradePath'"), text(vuln, "packageName"), name
    )
    dependency_path = [
        step for step in as_list(vuln.get("from"), "'from'") if isinstance(step, str)
    ]
    is_licence = vuln.get("type") == "license"
    return ParsedFinding(
        tool_name=TOOL,
        tool_type=ToolType.GOVERNANCE if is_licence else tool_type_for(eco),
        rule_id=issue_id,
        title=text(vuln, "title") or issue_id,
        severity=_severity(vuln),
        raw_record_ref=where,
        description=text(vuln, "description"),
        cwe_ids=cwe_ids(as_list(identifiers.get("CWE"), "'identifiers.CWE'")),
        cve_ids=strict_cves(as_list(identifiers.get("CVE"), "'identifiers.CVE'")),
        locations=(ParsedLocation(path=manifest),) if manifest else (),
        package=package(eco, name, version, fixed_version=fixed, manifest_path=manifest),
        fix_available=fixed is not None
        or vuln.get("isUpgradable") is True
        or vuln.get("isPatchable") is True,
        tool_fingerprint=f"{issue_id}|{manifest or ''}|{'>'.join(dependency_path)}",
    )


def _severity(vuln: dict[str, object]) -> RiskLevel:
    score = vuln.get("cvssScore")
    if score is not None and (isinstance(score, bool) or not isinstance(score, int | float)):
        raise BadRecord("'cvssScore' is not a number")
    return from_cvss(score) or from_label(text(vuln, "severity"), SEVERITY)


def _upgrade_target(path: list[object], *names: str | None) -> str | None:
    """The version the last step of ``upgradePath`` moves the vulnerable package to."""
    if not path or not isinstance(path[-1], str):
        return None
    upgraded, _, version = path[-1].rpartition("@")
    return version if version and upgraded in names else None


PARSER = SnykParser()
