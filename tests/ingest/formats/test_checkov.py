"""The Checkov parser: every corpus file, the mapped fields, and bad input."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pearl_core.domain.enums import RiskLevel, ToolType
from pearl_core.errors import MalformedReport
from pearl_core.ingest.detect import sniff
from pearl_core.ingest.formats.checkov import PARSER
from pearl_core.ingest.records import ParsedFinding, Quarantined, ReportInfo

# Findings per corpus file, counted by hand with jq, not with the parser:
# `jq '.results.failed_checks | length' FILE` (+ `.results.skipped_checks | length`,
# 0 in every corpus file); for an array of reports, the sum over its elements.
EXPECTED = {
    "checkov-report-0-vuln.json": 0,  # failed_checks: [] by eye
    "checkov-report-1-vuln.json": 1,  # .results.failed_checks | length
    # .results.failed_checks | length is 3 (the summary's "failed": 2 undercounts)
    "checkov-report-many-vuln.json": 3,
    # [.[] | .results.failed_checks | length] is [11, 2]: terraform + dockerfile
    "checkov-report-multiple-check_type.json": 13,
    "checkov-report-severity.json": 4,  # .results.failed_checks | length
    "checkov2-report-0-vuln.json": 0,  # summary only: {"passed": 0, "failed": 0, ...}
}

CHECK: dict[str, Any] = {
    "check_id": "CKV_AWS_20",
    "check_name": "S3 Bucket has an ACL defined which allows public READ access.",
    "check_result": {"result": "FAILED"},
    "code_block": [[1, 'resource "aws_s3_bucket" "data" {\n'], [2, '  acl = "public-read"\n']],
    "file_path": "/s3.tf",
    "file_line_range": [1, 13],
    "resource": "aws_s3_bucket.data",
    "guideline": "https://docs.bridgecrew.io/docs/s3_1-acl-read-permissions-everyone",
    "severity": None,
}


def parse(raw: bytes) -> tuple[list[ParsedFinding], list[Quarantined], ReportInfo]:
    info = ReportInfo(format="checkov")
    records = list(PARSER.parse(io.BytesIO(raw), info))
    findings = [r for r in records if isinstance(r, ParsedFinding)]
    return findings, [r for r in records if isinstance(r, Quarantined)], info


def report(*failed: Any, check_type: str = "terraform", **results: Any) -> bytes:
    body = {"failed_checks": list(failed), "passed_checks": [], "parsing_errors": [], **results}
    summary = {"failed": len(failed), "checkov_version": "3.2.0"}
    return json.dumps({"check_type": check_type, "results": body, "summary": summary}).encode()


def test_the_count_table_covers_every_checkov_corpus_file(corpus_dir: Path) -> None:
    assert sorted(p.name for p in (corpus_dir / "checkov").iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize(("name", "count"), sorted(EXPECTED.items()))
def test_every_checkov_corpus_file_is_detected_and_yields_its_hand_counted_findings(
    corpus_dir: Path, name: str, count: int
) -> None:
    raw = (corpus_dir / "checkov" / name).read_bytes()
    assert PARSER.sniff(sniff(raw))
    findings, quarantined, info = parse(raw)
    assert (len(findings), quarantined) == (count, [])
    assert info.tool_names == {"checkov"}


def test_a_corpus_check_maps_rule_severity_location_and_fingerprint(corpus_dir: Path) -> None:
    findings, _, info = parse(
        (corpus_dir / "checkov" / "checkov-report-severity.json").read_bytes()
    )
    first = findings[0]
    assert (first.tool_name, first.tool_type, first.rule_id) == (
        "checkov",
        ToolType.IAC,
        "CKV_GCP_29",
    )
    assert first.severity is RiskLevel.MODERATE  # "MEDIUM"
    assert [f.severity for f in findings[2:]] == [RiskLevel.LOW, RiskLevel.HIGH]
    [location] = first.locations
    assert (location.path, location.start_line, location.end_line) == ("/gcs.tf", 1, 15)
    assert location.snippet is not None
    assert location.snippet.startswith('resource "google_storage_bucket" "terragoat_website" {\n')
    assert first.tool_fingerprint == "CKV_GCP_29|/gcs.tf|google_storage_bucket.terragoat_website"
    assert first.raw_record_ref == "results.failed_checks[0]"
    assert info.tool_version == "2.2.34"


def test_a_null_severity_defaults_to_moderate_and_whole_file_lines_are_no_line(
    corpus_dir: Path,
) -> None:
    raw = (corpus_dir / "checkov" / "checkov-report-multiple-check_type.json").read_bytes()
    findings, _, _ = parse(raw)
    assert {f.severity for f in findings} == {RiskLevel.MODERATE}
    docker = [f for f in findings if f.rule_id == "CKV_DOCKER_3"]
    assert [f.raw_record_ref for f in docker] == ["[1].results.failed_checks[0]"]
    assert (docker[0].locations[0].start_line, docker[0].locations[0].end_line) == (None, None)


def test_a_skipped_check_is_a_suppressed_finding() -> None:
    skipped = {**CHECK, "check_result": {"result": "SKIPPED", "suppress_comment": "public site"}}
    findings, _, _ = parse(report(CHECK, skipped_checks=[skipped]))
    assert [(f.raw_record_ref, f.suppressed) for f in findings] == [
        ("results.failed_checks[0]", False),
        ("results.skipped_checks[0]", True),
    ]


def test_a_secrets_check_is_high_with_cwe_798_and_no_snippet() -> None:
    secret = {**CHECK, "check_id": "CKV_SECRET_2", "code_block": [[3, "key = AKIA********"]]}
    [finding], _, _ = parse(report(secret, check_type="secrets"))
    assert (finding.tool_type, finding.severity) == (ToolType.SECRETS, RiskLevel.HIGH)
    assert (finding.cwe_ids, finding.locations[0].snippet) == (("CWE-798",), None)


def test_an_sca_check_takes_its_cve_and_cvss_severity() -> None:
    details = {"id": "CVE-2021-23337", "cvss": 7.2, "package_name": "lodash"}
    check = {**CHECK, "check_id": "CKV_CVE_2021_23337", "vulnerability_details": details}
    [finding], _, _ = parse(report(check, check_type="sca_package"))
    assert (finding.tool_type, finding.severity) == (ToolType.SCA, RiskLevel.HIGH)
    assert finding.cve_ids == ("CVE-2021-23337",)


def test_parsing_errors_become_scan_errors() -> None:
    _, _, info = parse(report(parsing_errors=["/broken.tf"]))
    assert info.scan_errors == ["results.parsing_errors: /broken.tf"]


def test_a_record_with_wrong_types_is_quarantined_and_the_rest_parses() -> None:
    bad = {**CHECK, "file_line_range": "1-13"}
    findings, quarantined, _ = parse(report(bad, {**CHECK, "check_id": 20}, "x", CHECK))
    assert [q.raw_record_ref for q in quarantined] == [
        "results.failed_checks[0]",
        "results.failed_checks[1]",
        "results.failed_checks[2]",
    ]
    assert all(q.reason for q in quarantined)
    assert [f.raw_record_ref for f in findings] == ["results.failed_checks[3]"]


def test_a_report_of_another_format_is_not_checkov(corpus_dir: Path) -> None:
    raw = (corpus_dir / "bandit" / "one_vuln.json").read_bytes()
    assert not PARSER.sniff(sniff(raw))
    with pytest.raises(MalformedReport) as caught:
        parse(raw)
    assert caught.value.code == "malformed_report"


@pytest.mark.parametrize(
    "raw",
    [
        b"null",
        b"[1, 2]",
        b'{"check_type": "terraform", "results": []}',
        b'{"check_type": "terraform", "results": {"failed_checks": {}}}',
        b"not json",
    ],
)
def test_a_document_that_is_not_a_checkov_report_is_malformed(raw: bytes) -> None:
    with pytest.raises(MalformedReport):
        parse(raw)


def test_no_other_scanners_corpus_file_is_sniffed_as_checkov(corpus_dir: Path) -> None:
    others = [p for p in sorted(corpus_dir.glob("*/*")) if p.parent.name != "checkov"]
    claimed = [p.relative_to(corpus_dir) for p in others if PARSER.sniff(sniff(p.read_bytes()))]
    assert claimed == []


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)
FIELDS = sorted({*CHECK, "vulnerability_details", "fixed_definition"})


@settings(max_examples=150, deadline=None)
@given(field=st.sampled_from(FIELDS), value=JSON)
def test_a_mutated_record_yields_a_finding_or_a_quarantine_never_a_crash(
    field: str, value: object
) -> None:
    findings, quarantined, _ = parse(report({**CHECK, field: value}))
    assert len(findings) + len(quarantined) == 1
