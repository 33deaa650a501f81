"""The Snyk parser: every corpus file, the mapped fields, sniffing, and bad input."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pearl_core.domain.enums import RiskLevel, ToolType
from pearl_core.errors import MalformedReport
from pearl_core.ingest.detect import sniff
from pearl_core.ingest.formats.snyk import PARSER
from pearl_core.ingest.records import ParsedFinding, Quarantined, ReportInfo
from pearl_core.ingest.registry import detect

# Records per corpus file, counted by hand with jq (not the parser): the length
# of every project's `vulnerabilities` (one entry per issue per dependency
# path), plus the `vulnerabilities` of each container `applications[]` entry:
#   jq 'if type=="array" then [.[].vulnerabilities|length]|add
#       else (.vulnerabilities|length) + ([.applications[]?.vulnerabilities|length]|add // 0) end'
# No file holds two records with the same issue id + manifest + dependency path,
# so none collapses in dedup; many repeat an issue id over several paths
# (`uniqueCount` < records), noted per file.
EXPECTED = {
    "all-projects_many_vulns.json": 4,  # 3 projects: 1 + 2 + 1
    "all-projects_no_vulns.json": 0,  # 3 projects, all `ok: true`
    "all-projects_one_vuln.json": 1,  # 3 projects: 1 + 0 + 0
    "all_containers_target_output.json": 40,  # 7 projects: 9+6+0+0+0+0+25 (17 unique ids)
    "all_projects_issue4277.json": 82,  # 2 projects: 24 + 58 (13 + 36 unique ids; 1 licence)
    "single_project_None_cvss.json": 1,  # sles container image, `cvssScore: null`
    "single_project_many_vulns.json": 41,  # 41 vulnerabilities, 41 unique
    "single_project_no_vulns.json": 0,  # `vulnerabilities: []`
    "single_project_one_vuln.json": 1,
    "single_project_one_vuln_with_ampersands.json": 1,
    "snykcontainer_issue_9270.json": 37,  # 25 OS packages + 12 in applications[0]
    "snykcontainer_issue_epss.json": 13,  # 1 OS package + 12 in applications[0]
}
# Snyk Code writes SARIF (`$schema`, `runs`, `version`): the SARIF parser's, never ours.
SARIF_FILES = {"snykcode_issue_9270.json"}


def parse(raw: bytes) -> tuple[list[ParsedFinding], list[Quarantined], ReportInfo]:
    info = ReportInfo(format="snyk")
    records = list(PARSER.parse(io.BytesIO(raw), info))
    findings = [r for r in records if isinstance(r, ParsedFinding)]
    return findings, [r for r in records if isinstance(r, Quarantined)], info


def by_ref(findings: list[ParsedFinding], ref: str) -> ParsedFinding:
    return next(f for f in findings if f.raw_record_ref == ref)


def test_the_count_table_covers_every_snyk_corpus_file(corpus_dir: Path) -> None:
    names = {p.name for p in (corpus_dir / "snyk").iterdir()}
    assert names == set(EXPECTED) | SARIF_FILES


@pytest.mark.parametrize(("name", "count"), sorted(EXPECTED.items()))
def test_every_snyk_corpus_file_is_detected_and_yields_its_hand_counted_records(
    corpus_dir: Path, name: str, count: int
) -> None:
    raw = (corpus_dir / "snyk" / name).read_bytes()
    assert PARSER.sniff(sniff(raw))
    assert detect(sniff(raw), source_name=name) is PARSER
    findings, quarantined, info = parse(raw)
    assert (len(findings), quarantined) == (count, [])
    assert info.tool_names == {"snyk"}
    assert info.scan_errors == []


def test_snyk_code_sarif_is_not_claimed_and_does_not_parse_as_snyk_json(corpus_dir: Path) -> None:
    for folder in ("snyk", "snyk_code"):
        for path in (corpus_dir / folder).glob("snykcode*.json"):
            raw = path.read_bytes()
            assert not PARSER.sniff(sniff(raw))
            assert detect(sniff(raw), source_name=path.name).name == "sarif"
            with pytest.raises(MalformedReport) as caught:
                parse(raw)
            assert caught.value.code == "malformed_report"


def test_the_snyk_sniffer_claims_no_other_corpus_file(corpus_dir: Path) -> None:
    others = [p for p in corpus_dir.rglob("*.json") if p.parent.name != "snyk"]
    assert others
    assert [p.name for p in others if PARSER.sniff(sniff(p.read_bytes()))] == []


def test_an_open_source_issue_maps_id_cvss_package_fix_and_dependency_path(
    corpus_dir: Path,
) -> None:
    findings, _, _ = parse((corpus_dir / "snyk/all_projects_issue4277.json").read_bytes())
    rce = by_ref(findings, "[0].vulnerabilities[5]")
    assert rce.rule_id == "SNYK-DOTNET-MICROSOFTASPNETCORESPASERVICES-466519"
    assert rce.severity is RiskLevel.CRITICAL  # cvssScore 9 wins over the "high" label
    assert rce.tool_type is ToolType.SCA
    assert (rce.cve_ids, rce.cwe_ids) == (("CVE-2019-1302",), ("CWE-266",))
    assert rce.package is not None
    manifest = "company.Api.project\\src\\obj\\project.assets.json"
    assert (rce.package.ecosystem, rce.package.name, rce.package.version) == (
        "nuget",
        "Microsoft.AspNetCore.SpaServices",
        "2.2.0",
    )
    # fixedIn is ["2.1.2", "2.2.1"]: the lowest above 2.2.0, not the first listed
    assert (rce.package.fixed_version, rce.package.manifest_path) == ("2.2.1", manifest)
    assert rce.fix_available is True
    assert rce.tool_fingerprint == (
        f"SNYK-DOTNET-MICROSOFTASPNETCORESPASERVICES-466519|{manifest}|"
        "project@1.0.0>Microsoft.AspNetCore.App@2.2.0>Microsoft.AspNetCore.SpaServices@2.2.0"
    )
    # the same issue over another dependency path is another record, another fingerprint
    other_path = by_ref(findings, "[0].vulnerabilities[6]")
    assert other_path.rule_id == rce.rule_id
    assert other_path.tool_fingerprint != rce.tool_fingerprint


def test_a_licence_issue_is_a_governance_finding_rated_by_its_label(corpus_dir: Path) -> None:
    findings, _, _ = parse((corpus_dir / "snyk/all_projects_issue4277.json").read_bytes())
    licence = by_ref(findings, "[1].vulnerabilities[55]")
    assert licence.rule_id == "snyk:lic:npm:tinymce:LGPL-2.1"
    assert (licence.tool_type, licence.severity) == (ToolType.GOVERNANCE, RiskLevel.MODERATE)
    assert licence.cve_ids == ()
    assert [f.tool_type for f in findings].count(ToolType.GOVERNANCE) == 1


def test_a_null_cvss_score_falls_back_to_the_label_and_upgrade_path_gives_the_fix(
    corpus_dir: Path,
) -> None:
    findings, _, _ = parse((corpus_dir / "snyk/single_project_None_cvss.json").read_bytes())
    [finding] = findings
    assert finding.severity is RiskLevel.LOW  # cvssScore null, severity "low"
    assert finding.tool_type is ToolType.CONTAINER  # packageManager sles:15.3, an image
    assert finding.package is not None
    assert finding.package.ecosystem == "suse"
    assert finding.package.fixed_version == "20181225-23.12.1"  # fixedIn null; upgradePath
    assert finding.package.manifest_path == "docker-archive:a_container-engine-tls:8.2.0-28.tar"


def test_a_container_scan_splits_os_packages_from_application_packages(corpus_dir: Path) -> None:
    findings, _, _ = parse((corpus_dir / "snyk/snykcontainer_issue_9270.json").read_bytes())
    gcc = by_ref(findings, "vulnerabilities[0]")
    assert gcc.tool_type is ToolType.CONTAINER
    assert gcc.severity is RiskLevel.MODERATE  # cvssScore 4.8 wins over the "low" label
    assert gcc.package is not None
    # "gcc-10/libgcc-s1" is source/binary; the installed binary package is the name
    assert (gcc.package.ecosystem, gcc.package.name) == ("debian", "libgcc-s1")
    assert (gcc.package.fixed_version, gcc.fix_available) == (None, False)
    app = by_ref(findings, "applications[0].vulnerabilities[0]")
    assert (app.rule_id, app.tool_type) == ("SNYK-JS-EXPRESSJWT-575022", ToolType.SCA)
    assert app.package is not None
    assert (app.package.manifest_path, app.package.fixed_version) == (
        "/juice-shop/package.json",
        "6.0.0",
    )
    assert sum(f.tool_type is ToolType.CONTAINER for f in findings) == 25


def record(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": "SNYK-PYTHON-DJANGO-1",
        "title": "SQL Injection",
        "severity": "high",
        "cvssScore": 7.5,
        "packageName": "django",
        "version": "3.2.9",
        "fixedIn": ["3.2.10"],
        "from": ["app@1.0.0", "django@3.2.9"],
        "identifiers": {"CVE": ["CVE-2021-44420", "GHSA-v6rh-hp5x-86rv"], "CWE": ["CWE-89"]},
    }
    base.update(fields)
    return base


def project(*vulnerabilities: object) -> dict[str, object]:
    return {
        "ok": False,
        "packageManager": "pip",
        "projectName": "app",
        "displayTargetFile": "requirements.txt",
        "vulnerabilities": list(vulnerabilities),
    }


def test_a_record_with_wrong_types_is_quarantined_and_the_rest_still_parses() -> None:
    raw = json.dumps(
        project(
            record(),
            record(id=5),
            record(cvssScore="high"),
            record(identifiers=["CVE-2021-1"]),
            record(version=None),
            "not an object",
        )
    ).encode()
    findings, quarantined, _ = parse(raw)
    assert [f.raw_record_ref for f in findings] == ["vulnerabilities[0]"]
    assert [q.raw_record_ref for q in quarantined] == [f"vulnerabilities[{i}]" for i in range(1, 6)]
    assert all(q.reason for q in quarantined)
    [django] = findings
    assert django.cve_ids == ("CVE-2021-44420",)  # the GHSA id is not a CVE
    assert django.package is not None
    assert django.package.ecosystem == "pypi"


def test_a_project_snyk_could_not_test_is_a_scan_error_not_a_finding() -> None:
    failed = {"ok": False, "error": "Could not detect supported target files", "path": "/src"}
    raw = json.dumps([project(record()), failed, 7]).encode()
    findings, quarantined, info = parse(raw)
    assert len(findings) == 1
    assert [q.raw_record_ref for q in quarantined] == ["[2]"]
    assert len(info.scan_errors) == 1
    assert info.scan_errors[0].startswith("[1]: ")


@pytest.mark.parametrize(
    "raw",
    [b"not json", b"42", b'{"runs": []}', b'{"vulnerabilities": {}}', b'"text"'],
)
def test_a_document_that_is_not_a_snyk_report_is_malformed(raw: bytes) -> None:
    with pytest.raises(MalformedReport) as caught:
        parse(raw)
    assert caught.value.code == "malformed_report"


def test_another_scanners_report_is_malformed_for_snyk(corpus_dir: Path) -> None:
    for other in ("trivy/scheme_2_many_vulns.json", "anchore_grype/check_all_fields.json"):
        with pytest.raises(MalformedReport):
            parse((corpus_dir / other).read_bytes())


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(
    key=st.sampled_from(sorted(record())),
    value=json_values,
    multi=st.booleans(),
)
def test_any_mutated_field_yields_a_record_or_a_quarantine_never_an_exception(
    key: str, value: object, multi: bool
) -> None:
    document: object = project(record(**{key: value}))
    if multi:
        document = [document]
    findings, quarantined, _ = parse(json.dumps(document).encode())
    assert len(findings) + len(quarantined) == 1


@settings(max_examples=150, deadline=None)
@given(document=json_values)
def test_any_json_document_yields_records_or_is_malformed_never_another_error(
    document: object,
) -> None:
    with contextlib.suppress(MalformedReport):  # the one error a document may raise
        parse(json.dumps(document).encode())
