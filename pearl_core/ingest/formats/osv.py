"""OSV-Scanner JSON (``osv-scanner --format json``).

Shape: ``{"results": [{"source": {"path", "type"}, "packages": [{"package":
{"name", "version", "ecosystem"}, "vulnerabilities": [...], "groups": [{"ids",
"aliases", "max_severity"}]}]}]}``.

One record per **group**: OSV-Scanner groups the advisories that are aliases
of one another (``GHSA-g4mx-…`` and ``PYSEC-2023-212`` are one urllib3 bug)
and reports each group once, so a group is one real problem. A package
without ``groups`` (OSV-Scanner before v1.3) gives one record per
vulnerability.

Mapping:

* ``tool_type``: ``container`` for operating-system packages (a distribution
  ecosystem), else ``sca``; a ``git`` source (a vulnerable commit, no
  package) becomes ecosystem ``git``, the affected repository (or the source
  path) as name and the commit as version.
* ``rule_id``: the group's first id (OSV-Scanner sorts them).
* ``severity``: the group's ``max_severity`` (a CVSS base score, as a string)
  when present, CVSS winning over labels; else the highest of the advisories'
  ``database_specific.severity`` labels through :data:`SEVERITY`; else
  ``moderate``. (A bare CVSS vector is not scored here.)
* ``cve_ids``: every id and alias of the group that is a CVE. ``cwe_ids``:
  ``database_specific.cwe_ids`` of each advisory and of its ``affected``
  entries (``cwe_ids``, or ``cwes[].cweId``).
* ``fixed_version``: the lowest ``fixed`` event of the advisories' ECOSYSTEM /
  SEMVER ranges above the installed version, else ``None``.
* ``manifest_path``: ``source.path``. ``tool_fingerprint``: ``None``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from pearl_core.domain.enums import RiskLevel
from pearl_core.ingest.formats._jsonfields import (
    BadRecord,
    as_list,
    as_object,
    cwe_ids,
    load_json,
    malformed,
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
from pearl_core.ingest.records import (
    ParsedFinding,
    ParsedLocation,
    ParsedPackage,
    Quarantined,
    ReportInfo,
    Sniff,
)
from pearl_core.ingest.severity import from_cvss, from_label

__all__ = ["PARSER", "SEVERITY", "OsvParser"]

TOOL = "osv-scanner"

SEVERITY: dict[str, RiskLevel] = {
    "low": RiskLevel.LOW,
    "moderate": RiskLevel.MODERATE,
    "medium": RiskLevel.MODERATE,
    "high": RiskLevel.HIGH,
    "critical": RiskLevel.CRITICAL,
}
"""An advisory's ``database_specific.severity`` (GitHub's labels) → PeaRL,
used only without ``max_severity``. No label at all is ``moderate``."""

_RESULT_KEYS = frozenset({"packages", "source"})
_VERSION_RANGES = frozenset({"ECOSYSTEM", "SEMVER"})


class OsvParser:
    name = "osv"

    def sniff(self, sniff: Sniff) -> bool:
        """``results`` of ``source`` + ``packages`` entries, or beside ``experimental_config``."""
        return (
            sniff.shape == "object"
            and "results" in sniff.keys
            and ("experimental_config" in sniff.keys or bool(_RESULT_KEYS & sniff.nested_keys))
        )

    def parse(self, source: BinaryIO, info: ReportInfo) -> Iterator[ParsedFinding | Quarantined]:
        document = load_json(source, self.name)
        if not isinstance(document, dict) or not isinstance(document.get("results"), list):
            raise malformed(self.name, "no 'results' array")
        info.tool_names.add(TOOL)
        for index, result in enumerate(document["results"]):
            yield from _result(result, f"results[{index}]")


def _result(raw: object, where: str) -> Iterator[ParsedFinding | Quarantined]:
    try:
        result = as_object(raw, "the result")
        source_path = text(as_object(result.get("source") or {}, "'source'"), "path")
        packages = as_list(result.get("packages"), "'packages'")
    except BadRecord as exc:
        yield Quarantined(where, str(exc))
        return
    for index, entry in enumerate(packages):
        yield from _package_entry(entry, f"{where}.packages[{index}]", source_path)


def _package_entry(
    raw: object, where: str, source_path: str | None
) -> Iterator[ParsedFinding | Quarantined]:
    try:
        entry = as_object(raw, "the package entry")
        coordinates = as_object(entry.get("package"), "'package'")
        vulns = as_list(entry.get("vulnerabilities"), "'vulnerabilities'")
        groups = as_list(entry.get("groups"), "'groups'")
    except BadRecord as exc:
        yield Quarantined(where, str(exc))
        return
    advisories = list(_dicts(vulns))
    for index, raw_record in enumerate(groups or vulns):
        ref = f"{where}.{'groups' if groups else 'vulnerabilities'}[{index}]"
        try:
            record = as_object(raw_record, "the record")
            if groups:
                ids = [i for i in as_list(record.get("ids"), "'ids'") if isinstance(i, str) and i]
                members = [advisory for advisory in advisories if advisory.get("id") in ids]
            else:
                ids, members = [required(record, "id")], [record]
            yield _finding(record, ref, ids, members, coordinates, source_path)
        except BadRecord as exc:
            yield Quarantined(ref, str(exc))


def _finding(
    record: dict[str, object],
    where: str,
    ids: list[str],
    members: list[dict[str, object]],
    coordinates: dict[str, object],
    source_path: str | None,
) -> ParsedFinding:
    """One group (``record``) of advisories (``members``), or one advisory on its own."""
    if not ids:
        raise BadRecord("the group has no ids")
    aliases = as_list(record.get("aliases"), "'aliases'")
    aliases += [a for m in members for a in as_list(m.get("aliases"), "'aliases'")]
    pkg = _package(coordinates, members, source_path)
    return ParsedFinding(
        tool_name=TOOL,
        tool_type=tool_type_for(pkg.ecosystem),
        rule_id=ids[0],
        title=_first(members, "summary") or f"{ids[0]} in {pkg.name} {pkg.version}",
        severity=_severity(record, members),
        raw_record_ref=where,
        description=_first(members, "details"),
        cwe_ids=tuple(dict.fromkeys(c for m in members for c in _cwes(m))),
        cve_ids=strict_cves([*ids, *aliases]),
        locations=(ParsedLocation(path=source_path),) if source_path else (),
        package=pkg,
        fix_available=pkg.fixed_version is not None,
    )


def _package(
    coordinates: dict[str, object], members: list[dict[str, object]], source_path: str | None
) -> ParsedPackage:
    name = text(coordinates, "name")
    version = text(coordinates, "version")
    commit = text(coordinates, "commit")
    if not text(coordinates, "ecosystem") and commit:  # a git source: a commit, not a package
        repo = next(_range_values(members, None, "repo"), None)
        return package("git", repo or source_path, commit, manifest_path=source_path)
    fixed = pick_fixed(version, _range_values(members, name, "fixed"))
    eco = ecosystem(text(coordinates, "ecosystem"))
    return package(eco, name, version, fixed_version=fixed, manifest_path=source_path)


def _range_values(members: list[dict[str, object]], name: str | None, key: str) -> Iterator[str]:
    """``repo`` of every range, or the ``fixed`` events of version ranges for package ``name``."""
    for member in members:
        for affected in _dicts(member.get("affected")):
            affected_package = affected.get("package")
            affected_name = (
                affected_package.get("name") if isinstance(affected_package, dict) else None
            )
            if name and isinstance(affected_name, str) and affected_name.lower() != name.lower():
                continue
            for version_range in _dicts(affected.get("ranges")):
                if key == "repo" and isinstance(version_range.get("repo"), str):
                    yield str(version_range["repo"])
                elif key == "fixed" and version_range.get("type") in _VERSION_RANGES:
                    for event in _dicts(version_range.get("events")):
                        if isinstance(event.get("fixed"), str):
                            yield str(event["fixed"])


def _dicts(value: object) -> Iterator[dict[str, object]]:
    """The objects of a list; anything else (a field of the wrong type) contributes nothing."""
    if isinstance(value, list):
        yield from (item for item in value if isinstance(item, dict))


def _first(members: list[dict[str, object]], key: str) -> str | None:
    for member in members:
        value = text(member, key)
        if value:
            return value
    return None


def _severity(record: dict[str, object], members: list[dict[str, object]]) -> RiskLevel:
    score = record.get("max_severity")
    if isinstance(score, bool) or not isinstance(score, str | int | float | None):
        raise BadRecord("'max_severity' is not a score")
    scored = from_cvss(score)
    if scored is not None:
        return scored
    labels = [
        from_label(specific.get("severity"), SEVERITY)
        for member in members
        if isinstance(specific := member.get("database_specific"), dict)
        and isinstance(specific.get("severity"), str)
    ]
    return max(labels, key=lambda level: level.rank, default=RiskLevel.MODERATE)


def _cwes(member: dict[str, object]) -> tuple[str, ...]:
    specifics = [member.get("database_specific")]
    specifics += [affected.get("database_specific") for affected in _dicts(member.get("affected"))]
    found: list[object] = []
    for specific in specifics:
        if isinstance(specific, dict):
            listed = specific.get("cwe_ids")
            found.extend(listed if isinstance(listed, list) else [listed])
            found.extend(cwe.get("cweId") for cwe in _dicts(specific.get("cwes")))
    return cwe_ids([value for value in found if isinstance(value, str)])


PARSER = OsvParser()
