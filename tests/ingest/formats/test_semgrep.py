"""The Semgrep parser: every corpus file, the mapped fields, and bad input."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from pearl_core.domain.enums import Confidence, RiskLevel, ToolType
from pearl_core.errors import MalformedReport
from pearl_core.ingest.detect import sniff
from pearl_core.ingest.formats.semgrep import PARSER
from pearl_core.ingest.records import ParsedFinding, Quarantined, ReportInfo

# Findings per corpus file, counted by hand with jq, not with the parser:
# CLI reports: `jq '.results | length' FILE`; none has `extra.is_ignored == true`.
EXPECTED = {
    "close_old_findings_report_line31.json": 1,  # .results | length
    "close_old_findings_report_second_run_line24.json": 1,  # .results | length
    "close_old_findings_report_third_run_different_unique_id.json": 1,  # .results | length
    "cwe_list.json": 1,  # .results | length
    "empty.json": 0,  # "results": [] by eye
    "fingerprint_test.json": 2,  # .results | length
    "high-medium-low-severities.json": 3,  # .results | length
    "issue_8435.json": 1,  # .results | length
    "many_findings.json": 3,  # .results | length
    "many_vulns.json": 48,  # .results | length
    "multiple_cwes_fabricated.json": 1,  # .results | length
    "one_finding.json": 1,  # .results | length
    "repeated_findings.json": 2,  # .results | length
    # Semgrep Cloud export: `.vulns | length` is 22, of which
    # `[.vulns[] | select(.triage.status == "CLOSED")] | length` is 1 (url-parse), skipped.
    "sca-deployments-vulns.json": 21,
    "semgrep_version_1_30_0_line_26.json": 5,  # .results | length
    "semgrep_version_1_30_0_line_27.json": 5,  # .results | length
}


def parse(raw: bytes) -> tuple[list[ParsedFinding], list[Quarantined], ReportInfo]:
    info = ReportInfo(format="semgrep")
    records = list(PARSER.parse(io.BytesIO(raw), info))
    findings = [r for r in records if isinstance(r, ParsedFinding)]
    return findings, [r for r in records if isinstance(r, Quarantined)], info


def report(*results: Any, **top: Any) -> bytes:
    return json.dumps({"results": list(results), "errors": [], **top}).encode()


def test_the_count_table_covers_every_semgrep_corpus_file(corpus_dir: Path) -> None:
    assert sorted(p.name for p in (corpus_dir / "semgrep").iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize(("name", "count"), sorted(EXPECTED.items()))
def test_every_semgrep_corpus_file_is_detected_and_yields_its_hand_counted_findings(
    corpus_dir: Path, name: str, count: int
) -> None:
    raw = (corpus_dir / "semgrep" / name).read_bytes()
    assert PARSER.sniff(sniff(raw))
    findings, quarantined, info = parse(raw)
    assert (len(findings), quarantined) == (count, [])
    assert info.tool_names == {"semgrep"}


def test_a_report_whose_errors_lie_beyond_the_detection_head_is_still_semgrep() -> None:
    result = {"check_id": "r", "path": "a.py", "extra": {"message": "m" * 100}}
    raw = json.dumps({"version": "1.100.0", "results": [result] * 1000, "errors": []}).encode()
    seen = sniff(raw)
    assert "errors" not in seen.keys  # the head ends inside `results`
    assert PARSER.sniff(seen)
    assert len(parse(raw)[0]) == 1000


def test_a_cli_result_maps_rule_severity_cwe_location_and_fingerprint(corpus_dir: Path) -> None:
    findings, _, info = parse((corpus_dir / "semgrep" / "cwe_list.json").read_bytes())
    [finding] = findings
    assert finding.rule_id == (
        "javascript.express.security.audit.express-check-csurf-middleware-usage."
        "express-check-csurf-middleware-usage"
    )
    assert (finding.tool_name, finding.tool_type) == ("semgrep", ToolType.SAST)
    assert finding.severity is RiskLevel.LOW  # INFO
    assert finding.cwe_ids == ("CWE-352",)
    [location] = finding.locations
    assert (location.path, location.start_line, location.end_line) == ("index.js", 12, 12)
    assert (location.start_column, location.end_column) == (7, 22)
    assert location.snippet == "const app = express();"
    assert finding.tool_fingerprint == "143cb0c62f3740d62180cbde3ffa976e"
    assert finding.raw_record_ref == "results[0]"
    assert (finding.tool_version, info.tool_version) == ("0.96.0", "0.96.0")


def test_a_list_of_cwes_and_an_autofix_are_kept(corpus_dir: Path) -> None:
    findings, _, _ = parse((corpus_dir / "semgrep" / "multiple_cwes_fabricated.json").read_bytes())
    [finding] = findings
    assert finding.cwe_ids == ("CWE-327", "CWE-696")
    assert finding.severity is RiskLevel.MODERATE  # WARNING
    assert finding.fix_available is True


def test_the_logged_out_placeholder_is_neither_fingerprint_nor_snippet(corpus_dir: Path) -> None:
    findings, _, _ = parse((corpus_dir / "semgrep" / "fingerprint_test.json").read_bytes())
    assert {f.tool_fingerprint for f in findings} == {None}
    assert {loc.snippet for f in findings for loc in f.locations} == {None}
    assert findings[0].confidence is Confidence.MEDIUM


def test_a_shifted_result_keeps_its_semgrep_fingerprint(corpus_dir: Path) -> None:
    folder = corpus_dir / "semgrep"
    [before], _, _ = parse((folder / "close_old_findings_report_line31.json").read_bytes())
    [after], _, _ = parse(
        (folder / "close_old_findings_report_second_run_line24.json").read_bytes()
    )
    assert (before.locations[0].start_line, after.locations[0].start_line) == (31, 24)
    assert before.tool_fingerprint == after.tool_fingerprint is not None


def test_a_secrets_rule_is_a_secrets_finding_without_snippet(corpus_dir: Path) -> None:
    [finding], _, _ = parse((corpus_dir / "semgrep" / "issue_8435.json").read_bytes())
    assert finding.tool_type is ToolType.SECRETS
    assert finding.cwe_ids == ("CWE-798",)
    assert finding.severity is RiskLevel.HIGH  # ERROR
    assert finding.locations[0].snippet is None


def test_an_ignored_result_is_suppressed_and_scan_errors_are_recorded() -> None:
    result = {"check_id": "r", "path": "a.py", "extra": {"message": "m", "is_ignored": True}}
    raw = json.dumps(
        {"results": [result], "errors": [{"type": "Syntax error", "level": "warn"}]}
    ).encode()
    [finding], _, info = parse(raw)
    assert finding.suppressed is True
    assert info.scan_errors == ["errors[0]: Syntax error (warn)"]


def test_a_record_with_wrong_types_is_quarantined_and_the_rest_parses() -> None:
    good = {"check_id": "r", "path": "a.py", "start": {"line": 3}, "extra": {"message": "m"}}
    findings, quarantined, _ = parse(report({"check_id": 7, "path": "a.py"}, "text", good))
    assert [q.raw_record_ref for q in quarantined] == ["results[0]", "results[1]"]
    assert all(q.reason for q in quarantined)
    assert [f.raw_record_ref for f in findings] == ["results[2]"]


def test_a_report_of_another_format_is_not_semgrep(corpus_dir: Path) -> None:
    raw = (corpus_dir / "bandit" / "one_vuln.json").read_bytes()
    assert not PARSER.sniff(sniff(raw))
    with pytest.raises(MalformedReport) as caught:
        parse(raw)
    assert caught.value.code == "malformed_report"


NOT_SEMGREP = [
    b"not json",
    b"\xff\xfe garbage",
    b"[]",
    b'{"results": {}, "errors": []}',
    b'{"results": [], "errors": [], "metrics": {}}',
    b"[" * 100_000 + b"]" * 100_000,  # deeper than any parser recursion limit
]


@pytest.mark.parametrize("raw", NOT_SEMGREP)
def test_a_document_that_is_not_a_semgrep_report_is_malformed(raw: bytes) -> None:
    with pytest.raises(MalformedReport):
        parse(raw)


def test_no_other_scanners_corpus_file_is_sniffed_as_semgrep(corpus_dir: Path) -> None:
    others = [p for p in sorted(corpus_dir.glob("*/*")) if p.parent.name != "semgrep"]
    claimed = [p.relative_to(corpus_dir) for p in others if PARSER.sniff(sniff(p.read_bytes()))]
    assert claimed == []
