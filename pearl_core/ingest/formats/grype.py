"""Grype JSON (``grype -o json``): one record per entry of ``matches``.

Grype reports a vulnerable package once per match; the same advisory on the
same package found by two matchers, or at two paths, is two entries (the
pipeline deduplicates by CVE + package + manifest).

Mapping:

* ``tool_type``: ``container`` for operating-system packages (a ``deb``,
  ``rpm`` or ``apk`` package URL, or such an artifact type), ``sca`` for
  language packages and binaries.
* ``package.name``: the artifact name; for Maven, ``group:artifact`` from the
  package URL, as the other tools name Maven packages.
* ``ecosystem``: from the package URL: its distribution for OS packages
  (``pkg:deb/debian/...`` → ``debian``, ``pkg:rpm/rhel/...`` → ``redhat``),
  else its type (``pypi``, ``npm``, ``maven``, ``golang``, ``generic``);
  without a package URL, from the artifact ``type``.
* ``severity``: the vulnerability's own CVSS base score when it has one
  (``vulnerability.cvss[]``, the highest CVSS version, a ``Primary`` score
  before a ``Secondary`` one; ``cvssV3`` / ``cvssV2`` in early reports such
  as Grype 0.7's), else :data:`SEVERITY` on ``vulnerability.severity``.
  ``relatedVulnerabilities`` (NVD's copy) are not used for severity, so a
  distribution's rating of its own package (Debian's "Negligible") stands
  when its record has no score. Early reports put NVD's score on the record
  itself; there, as everywhere, the score wins over the label.
* ``rule_id``: ``vulnerability.id`` (a CVE or a GHSA id); ``cve_ids``: that id
  and the ``relatedVulnerabilities`` ids that are CVEs.
* ``fixed_version``: the lowest of ``fix.versions`` above the installed
  version, only when ``fix.state`` is ``fixed``.
* ``manifest_path``: ``artifact.locations[0].path``.
* ``tool_fingerprint``: ``None`` (SCA identity is CVE + package + manifest).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO
from urllib.parse import unquote

from pearl_core.domain.enums import RiskLevel
from pearl_core.ingest.formats._jsonfields import (
    BadRecord,
    as_list,
    as_object,
    each_record,
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
    Quarantined,
    ReportInfo,
    Sniff,
)
from pearl_core.ingest.severity import from_cvss, from_label

__all__ = ["PARSER", "SEVERITY", "GrypeParser"]

TOOL = "grype"

SEVERITY: dict[str, RiskLevel] = {
    "negligible": RiskLevel.LOW,
    "low": RiskLevel.LOW,
    "medium": RiskLevel.MODERATE,
    "high": RiskLevel.HIGH,
    "critical": RiskLevel.CRITICAL,
    "unknown": RiskLevel.MODERATE,
}
"""Grype's ``severity`` → PeaRL, used only without a CVSS score. ``Unknown``
(or none) is ``moderate``: unrated is not the same as harmless."""

_OS_PURL_TYPES = frozenset({"deb", "rpm", "apk", "alpm"})
_MATCH_KEYS = frozenset({"vulnerability", "artifact"})


class GrypeParser:
    name = "grype"

    def sniff(self, sniff: Sniff) -> bool:
        """``matches`` beside Grype's ``descriptor`` / ``source``, or matches of Grype's shape."""
        return (
            sniff.shape == "object"
            and "matches" in sniff.keys
            and bool({"descriptor", "source"} & sniff.keys or sniff.nested_keys >= _MATCH_KEYS)
        )

    def parse(self, source: BinaryIO, info: ReportInfo) -> Iterator[ParsedFinding | Quarantined]:
        document = load_json(source, self.name)
        if not isinstance(document, dict):
            raise malformed(self.name, "the document is not an object")
        matches = document.get("matches")
        if not isinstance(matches, list) and not (matches is None and "descriptor" in document):
            raise malformed(self.name, "no 'matches' array")
        info.tool_names.add(TOOL)
        version = _descriptor_version(document)
        if version is not None:
            info.tool_version = version

        def build(match: dict[str, object], where: str) -> ParsedFinding:
            return _finding(match, where, version)

        yield from each_record(matches or [], lambda index: f"matches[{index}]", build)


def _descriptor_version(document: dict[str, object]) -> str | None:
    descriptor = document.get("descriptor")
    value = descriptor.get("version") if isinstance(descriptor, dict) else None
    return value if isinstance(value, str) and value else None


def _finding(match: dict[str, object], where: str, version: str | None) -> ParsedFinding:
    vuln = as_object(match.get("vulnerability"), "'vulnerability'")
    artifact = as_object(match.get("artifact"), "'artifact'")
    vuln_id = required(vuln, "id")
    installed = text(artifact, "version")
    purl = text(artifact, "purl")
    eco = _ecosystem(text(artifact, "type"), purl)
    name = _maven_name(purl) if eco == "maven" else None
    name = name or text(artifact, "name")
    related = [
        as_object(item, "'relatedVulnerabilities[]'").get("id")
        for item in as_list(match.get("relatedVulnerabilities"), "'relatedVulnerabilities'")
    ]
    fix = as_object(vuln.get("fix") or {}, "'vulnerability.fix'")
    fixed_state = text(fix, "state") == "fixed"
    fixed = (
        pick_fixed(installed, as_list(fix.get("versions"), "'fix.versions'"))
        if fixed_state
        else None
    )
    manifest = _first_path(as_list(artifact.get("locations"), "'artifact.locations'"))
    return ParsedFinding(
        tool_name=TOOL,
        tool_type=tool_type_for(eco),
        rule_id=vuln_id,
        title=f"{vuln_id} in {name} {installed}",
        severity=_severity(vuln),
        raw_record_ref=where,
        description=text(vuln, "description") or _related_description(match),
        cve_ids=strict_cves([vuln_id, *related]),
        locations=(ParsedLocation(path=manifest),) if manifest else (),
        package=package(
            eco, name, installed, fixed_version=fixed, manifest_path=manifest, purl=purl
        ),
        fix_available=fixed is not None or fixed_state,
        tool_version=version,
    )


def _ecosystem(artifact_type: str | None, purl: str | None) -> str:
    if purl and purl.startswith("pkg:"):
        kind, _, rest = purl[4:].partition("/")
        if kind in _OS_PURL_TYPES:
            namespace = rest.split("/", 1)[0] if "/" in rest else ""
            return ecosystem(namespace or kind)
        return ecosystem(kind)
    return ecosystem(artifact_type)


def _maven_name(purl: str | None) -> str | None:
    """``group:artifact``, as Maven (and Trivy, Snyk, OSV) name it, from a ``pkg:maven`` URL."""
    if not purl or not purl.startswith("pkg:maven/"):
        return None
    path = purl[len("pkg:maven/") :].split("?", 1)[0].split("#", 1)[0].rsplit("@", 1)[0]
    group, _, artifact = path.rpartition("/")
    return f"{unquote(group)}:{unquote(artifact)}" if group and artifact else None


def _first_path(locations: list[object]) -> str | None:
    for location in locations:
        if isinstance(location, dict) and isinstance(location.get("path"), str):
            path: str = location["path"]
            if path:
                return path
    return None


def _related_description(match: dict[str, object]) -> str | None:
    for related in as_list(match.get("relatedVulnerabilities"), "'relatedVulnerabilities'"):
        if isinstance(related, dict) and isinstance(related.get("description"), str):
            description: str = related["description"]
            if description:
                return description
    return None


def _severity(vuln: dict[str, object]) -> RiskLevel:
    scores: list[tuple[tuple[int, ...], int, float]] = []
    for entry in as_list(vuln.get("cvss"), "'vulnerability.cvss'"):
        cvss = as_object(entry, "'vulnerability.cvss[]'")
        metrics = as_object(cvss.get("metrics") or {}, "'cvss[].metrics'")
        score = _number(metrics.get("baseScore"), "'cvss[].metrics.baseScore'")
        if score is not None:
            rank = _version_rank(text(cvss, "version"))
            primary = 0 if text(cvss, "type") == "Secondary" else 1
            scores.append((rank, primary, score))
    for legacy, rank in (("cvssV3", (3,)), ("cvssV2", (2,))):  # early Grype layouts
        if vuln.get(legacy) is not None:
            old = as_object(vuln.get(legacy), f"'vulnerability.{legacy}'")
            score = _number(old.get("baseScore"), f"'{legacy}.baseScore'")
            if score is not None:
                scores.append((rank, 1, score))
    if scores:
        best = max(scores, key=lambda item: (item[0], item[1]))
        from_score = from_cvss(best[2])
        if from_score is not None:
            return from_score
    return from_label(text(vuln, "severity"), SEVERITY)


def _version_rank(version: str | None) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in (version or "0").split("."))
    except ValueError:
        return (0,)


def _number(value: object, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadRecord(f"{what} is not a number")
    return float(value)


PARSER = GrypeParser()
