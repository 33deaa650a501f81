"""The Semgrep parser on supply-chain results (CLI ``sca_info``, the Cloud export) and
on mutated results."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pearl_core.domain.enums import Confidence, RiskLevel, ToolType
from pearl_core.ingest.formats.semgrep import PARSER
from pearl_core.ingest.records import ParsedFinding, Quarantined, ReportInfo

SCA_RESULT: dict[str, Any] = {
    "check_id": "ssc-1",
    "path": "poetry.lock",
    "start": {"line": 10, "col": 1},
    "end": {"line": 10, "col": 20},
    "extra": {
        "message": "requests is vulnerable",
        "severity": "ERROR",
        "lines": "requests = 2.25.0",
        "metadata": {
            "cwe": ["CWE-200: Exposure"],
            "sca-vuln-database-identifier": "CVE-2023-32681",
            "sca-severity": "MEDIUM",
            "sca-fix-versions": [{"requests": "2.31.0"}],
        },
        "sca_info": {
            "reachable": False,
            "dependency_match": {
                "lockfile": "poetry.lock",
                "found_dependency": {
                    "package": "requests",
                    "version": "2.25.0",
                    "ecosystem": "pypi",
                },
            },
        },
    },
}


def parse(raw: bytes) -> tuple[list[ParsedFinding], list[Quarantined], ReportInfo]:
    info = ReportInfo(format="semgrep")
    records = list(PARSER.parse(io.BytesIO(raw), info))
    findings = [r for r in records if isinstance(r, ParsedFinding)]
    return findings, [r for r in records if isinstance(r, Quarantined)], info


def report(*results: Any) -> bytes:
    return json.dumps({"results": list(results), "errors": []}).encode()


def test_the_cloud_supply_chain_export_maps_packages_and_skips_closed_findings(
    corpus_dir: Path,
) -> None:
    findings, _, _ = parse((corpus_dir / "semgrep" / "sca-deployments-vulns.json").read_bytes())
    first = findings[0]
    assert (first.tool_type, first.rule_id) == (
        ToolType.SCA,
        "ssc-82207871-bbda-49be-b1af-49fd927a2f93",
    )
    assert (first.severity, first.confidence) == (RiskLevel.HIGH, Confidence.HIGH)
    assert (first.cve_ids, first.cwe_ids) == (("CVE-2023-1428",), ("CWE-617",))
    assert first.package is not None
    assert (first.package.ecosystem, first.package.name, first.package.version) == (
        "pypi",  # from the rule's dependency list; advisory.ecosystem says "gem"
        "grpcio",
        "1.47.0",
    )
    assert (first.package.fixed_version, first.package.manifest_path) == (
        "1.53.0",
        "requirements3.txt",
    )
    assert (first.locations[0].path, first.locations[0].start_line) == ("requirements3.txt", 222)
    assert first.raw_record_ref == "vulns[0]"
    assert "url-parse" not in {f.package.name for f in findings if f.package}


def test_a_cli_supply_chain_result_is_sca_with_its_package() -> None:
    [finding], _, _ = parse(report(SCA_RESULT))
    assert (finding.tool_type, finding.severity) == (ToolType.SCA, RiskLevel.MODERATE)
    assert finding.cve_ids == ("CVE-2023-32681",)
    assert finding.package is not None
    assert (finding.package.name, finding.package.fixed_version) == ("requests", "2.31.0")
    assert finding.package.manifest_path == "poetry.lock"
    assert finding.fix_available is True


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)


def paths(value: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every key path in a nested dict, parents before children."""
    if not isinstance(value, dict):
        return []
    return [p for k, v in value.items() for p in [(*prefix, k), *paths(v, (*prefix, k))]]


@settings(max_examples=200, deadline=None)
@given(field=st.sampled_from(paths(SCA_RESULT)), value=JSON)
def test_a_mutated_record_yields_a_finding_or_a_quarantine_never_a_crash(
    field: tuple[str, ...], value: object
) -> None:
    record = copy.deepcopy(SCA_RESULT)
    *parents, leaf = field
    target = record
    for key in parents:
        target = target[key]
    target[leaf] = value
    findings, quarantined, _ = parse(report(record))
    assert len(findings) + len(quarantined) == 1
