"""Group findings into work units: the findings one fix resolves together.

Rules (:func:`group_findings`), checked in this order:

1. **Secrets** (``source.tool_type`` ``secrets``, which every secrets parser
   sets: Gitleaks, detect-secrets, Trivy secrets, Checkov's secrets
   framework, Semgrep secrets rules, SARIF from secret scanners) are one unit
   per finding, ``secret:<finding_id>``: each leaked credential is rotated on
   its own.
2. **Dependencies** (``package`` set: SCA and container findings) group by
   ecosystem, normalised package name and manifest path:
   ``dep:<ecosystem>:<name>@<manifest>`` (``dep:<ecosystem>:<name>`` when no
   manifest is known). Many advisories against one package in one manifest
   are one upgrade, to the highest ``fixed_version`` among them
   (:mod:`~pearl_core.remediation.versions`). PyPI names are compared
   PEP 503-normalised, other ecosystems' lower-cased.
3. **Code** findings with a location group by rule (``rule_id``, else the
   title with whitespace collapsed) and the first location's path:
   ``code:<rule>:<path>``.
4. A finding with neither a location nor a package is a unit of its own,
   ``finding:<finding_id>`` (kind ``code``).

Paths in keys are normalised as the ingest fingerprint normalises them
(``./a//b`` is ``a/b``). Units come sorted by key and their findings by id,
so the same findings always give the same units, in any input order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal

from pearl_core.domain.enums import Confidence, Exploitability, RiskLevel, ToolType
from pearl_core.domain.findings import Finding, Location, PackageRef
from pearl_core.errors import ValidationFailed
from pearl_core.ingest.fingerprint import normalise_path
from pearl_core.remediation.versions import highest_version, version_key

__all__ = ["UnitKind", "WorkUnit", "group_findings", "normalise_package_name"]

UnitKind = Literal["dependency", "code", "secret"]

_PEP503: Final = re.compile(r"[-_.]+")
_CONFIDENCE_RANK: Final = {Confidence.LOW: 0, Confidence.MEDIUM: 1, Confidence.HIGH: 2}
#: Worst last. ``unknown`` ranks above ``low``: the policy data treats an
#: unknown exploitability as riskier than a known-low one (prod asks approval).
_EXPLOITABILITY_RANK: Final = {
    Exploitability.LOW: 0,
    Exploitability.UNKNOWN: 1,
    Exploitability.MEDIUM: 2,
    Exploitability.HIGH: 3,
}


def normalise_package_name(ecosystem: str, name: str) -> str:
    """The name two reports of one package agree on: PEP 503 for PyPI, else lower case."""
    if ecosystem.lower() == "pypi":
        return _PEP503.sub("-", name.strip()).lower()
    return name.strip().lower()


@dataclass(frozen=True, slots=True)
class WorkUnit:
    """Findings that one change fixes together (see the module docstring)."""

    key: str
    kind: UnitKind
    findings: tuple[Finding, ...]
    """Sorted by ``finding_id``; never empty."""

    def __post_init__(self) -> None:
        if not self.findings:
            raise ValidationFailed("a work unit needs at least one finding", key=self.key)
        ids = [finding.finding_id for finding in self.findings]
        if ids != sorted(set(ids)):
            raise ValidationFailed("a work unit's findings must be distinct and sorted by id")

    @property
    def finding_ids(self) -> tuple[str, ...]:
        return tuple(finding.finding_id for finding in self.findings)

    @property
    def first(self) -> Finding:
        """The finding with the lowest id: where a unit's shared facts are read."""
        return self.findings[0]

    @property
    def locations(self) -> tuple[Location, ...]:
        return tuple(location for finding in self.findings for location in finding.locations)

    @property
    def paths(self) -> tuple[str, ...]:
        """Every path the findings name (locations and manifests), normalised, sorted."""
        found = {normalise_path(location.path) for location in self.locations}
        found.update(
            normalise_path(finding.package.manifest_path)
            for finding in self.findings
            if finding.package is not None and finding.package.manifest_path
        )
        return tuple(sorted(found))

    @property
    def max_severity(self) -> RiskLevel:
        return max((finding.severity for finding in self.findings), key=lambda level: level.rank)

    @property
    def min_confidence(self) -> Confidence | None:
        """The least confident finding's confidence; ``None`` when none says."""
        known = [finding.confidence for finding in self.findings if finding.confidence is not None]
        return min(known, key=_CONFIDENCE_RANK.__getitem__, default=None)

    @property
    def worst_exploitability(self) -> Exploitability:
        """The worst exploitability; a finding that does not say counts as ``unknown``."""
        values = (finding.exploitability or Exploitability.UNKNOWN for finding in self.findings)
        return max(values, key=_EXPLOITABILITY_RANK.__getitem__)

    @property
    def tool_names(self) -> tuple[str, ...]:
        return tuple(sorted({finding.source.tool_name for finding in self.findings}))

    @property
    def tool_types(self) -> tuple[ToolType, ...]:
        return tuple(sorted({finding.source.tool_type for finding in self.findings}))

    @property
    def rule(self) -> str:
        """The rule the unit is about: the first finding's ``rule_id``, else its title."""
        return self.first.rule_id or _collapse(self.first.title)

    @property
    def cve_ids(self) -> tuple[str, ...]:
        return tuple(sorted({cve for finding in self.findings for cve in finding.cve_ids}))

    @property
    def cwe_ids(self) -> tuple[str, ...]:
        return tuple(sorted({cwe for finding in self.findings for cwe in finding.cwe_ids}))

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(sorted({f.rule_id for f in self.findings if f.rule_id is not None}))

    @property
    def target_version(self) -> str | None:
        """For a dependency: the highest ``fixed_version`` among the findings."""
        return highest_version(
            finding.package.fixed_version
            for finding in self.findings
            if finding.package is not None and finding.package.fixed_version
        )

    @property
    def package(self) -> PackageRef | None:
        """For a dependency: the package at its lowest reported installed version,
        with :attr:`target_version` as ``fixed_version`` (a PyPI name PEP 503
        normalised, other names as reported); ``None`` otherwise."""
        packages = [finding.package for finding in self.findings if finding.package is not None]
        if self.kind != "dependency" or not packages:
            return None
        installed = min(packages, key=lambda ref: (version_key(ref.version), ref.version))
        ecosystem = installed.ecosystem.lower()
        name = installed.name
        return installed.model_copy(
            update={
                "name": normalise_package_name(ecosystem, name) if ecosystem == "pypi" else name,
                "ecosystem": ecosystem,
                "fixed_version": self.target_version,
            }
        )

    @property
    def fix_available(self) -> bool:
        """Whether the unit's fix is known for every finding in it.

        A finding's own ``fix_available`` wins. Where the scanner says nothing,
        a dependency is fixable when a ``fixed_version`` is known, and a code
        or secret finding is (its fix is the code change itself).
        """
        return all(_fixable(finding) for finding in self.findings)


def _fixable(finding: Finding) -> bool:
    if finding.fix_available is not None:
        return finding.fix_available
    if finding.package is not None:
        return finding.package.fixed_version is not None
    return True


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _classify(finding: Finding) -> tuple[UnitKind, str]:
    if finding.source.tool_type is ToolType.SECRETS:
        return "secret", f"secret:{finding.finding_id}"
    if finding.package is not None:
        package = finding.package
        name = normalise_package_name(package.ecosystem, package.name)
        key = f"dep:{package.ecosystem.lower()}:{name}"
        manifest = package.manifest_path
        return "dependency", f"{key}@{normalise_path(manifest)}" if manifest else key
    if finding.locations:
        rule = finding.rule_id or _collapse(finding.title)
        return "code", f"code:{rule}:{normalise_path(finding.locations[0].path)}"
    return "code", f"finding:{finding.finding_id}"


def group_findings(findings: Iterable[Finding]) -> list[WorkUnit]:
    """The work units of ``findings``, sorted by key (rules in the module docstring).

    ``validation_failed`` if one finding id appears twice.
    """
    buckets: dict[tuple[str, UnitKind], list[Finding]] = {}
    seen: set[str] = set()
    for finding in findings:
        if finding.finding_id in seen:
            raise ValidationFailed("a finding was given twice", finding_id=finding.finding_id)
        seen.add(finding.finding_id)
        kind, key = _classify(finding)
        buckets.setdefault((key, kind), []).append(finding)
    return [
        WorkUnit(
            key=key,
            kind=kind,
            findings=tuple(sorted(members, key=lambda finding: finding.finding_id)),
        )
        for (key, kind), members in sorted(buckets.items(), key=lambda item: item[0])
    ]
