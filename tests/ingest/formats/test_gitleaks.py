"""The Gitleaks parser: every corpus file, the mapped fields, secrecy, and bad input."""

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
from pearl_core.ingest.formats.gitleaks import PARSER
from pearl_core.ingest.records import ParsedFinding, Quarantined, ReportInfo

# Findings per corpus file, counted by hand with `jq 'length' FILE` (the report
# is a bare array, one element per leak):
EXPECTED = {
    "data_many.json": 2,  # length; v7 layout (rule/offender)
    "data_one.json": 1,  # length; v7 layout
    "gitleaks8_many.json": 4,  # length; v8 layout (RuleID/Secret/Match)
    "issue4336.json": 1,  # length; v7 layout with lineNumber
    "no_findings.json": 0,  # the file is the literal `null` (Gitleaks v7, nothing found)
    "redacted_data_many.json": 6,  # length; v7, offender "REDACTED"
    "version_7.5.0.json": 8,  # length; v7
}
SECRET_FIELDS = ("Secret", "Match", "Line", "offender", "line")

V8_RECORD: dict[str, Any] = {
    "Description": "Generic API Key",
    "StartLine": 21,
    "EndLine": 21,
    "StartColumn": 10,
    "EndColumn": 46,
    "Match": 'apikey = "s3cr3t-v4lue-0123456789"',
    "Secret": "s3cr3t-v4lue-0123456789",
    "File": "tests/api.py",
    "Commit": "69235ea9ea4d59e18e2cc3c295526de46aa1365c",
    "RuleID": "generic-api-key",
    "Fingerprint": "69235ea9ea4d59e18e2cc3c295526de46aa1365c:tests/api.py:generic-api-key:21",
}


def parse(raw: bytes) -> tuple[list[ParsedFinding], list[Quarantined], ReportInfo]:
    info = ReportInfo(format="gitleaks")
    records = list(PARSER.parse(io.BytesIO(raw), info))
    findings = [r for r in records if isinstance(r, ParsedFinding)]
    return findings, [r for r in records if isinstance(r, Quarantined)], info


def test_the_count_table_covers_every_gitleaks_corpus_file(corpus_dir: Path) -> None:
    assert sorted(p.name for p in (corpus_dir / "gitleaks").iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize(("name", "count"), sorted(EXPECTED.items()))
def test_every_gitleaks_corpus_file_is_detected_and_yields_its_hand_counted_findings(
    corpus_dir: Path, name: str, count: int
) -> None:
    raw = (corpus_dir / "gitleaks" / name).read_bytes()
    assert PARSER.sniff(sniff(raw))
    findings, quarantined, info = parse(raw)
    assert (len(findings), quarantined) == (count, [])
    assert info.tool_names == {"gitleaks"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_no_secret_text_reaches_a_title_description_snippet_or_fingerprint(
    corpus_dir: Path, name: str
) -> None:
    raw = (corpus_dir / "gitleaks" / name).read_bytes()
    records = json.loads(raw) or []
    findings, _, _ = parse(raw)
    for record, finding in zip(records, findings, strict=True):
        secrets = [record[key] for key in SECRET_FIELDS if record.get(key)]
        assert secrets
        for secret in secrets:
            assert secret not in finding.title
            assert secret not in (finding.description or "")
            assert secret not in (finding.tool_fingerprint or "")
        assert [loc.snippet for loc in finding.locations] == [None]


def test_a_v8_record_maps_rule_severity_cwe_location_and_the_tool_fingerprint() -> None:
    [finding], _, _ = parse(json.dumps([V8_RECORD]).encode())
    assert (finding.tool_name, finding.tool_type) == ("gitleaks", ToolType.SECRETS)
    assert (finding.rule_id, finding.severity) == ("generic-api-key", RiskLevel.HIGH)
    assert finding.cwe_ids == ("CWE-798",)
    assert finding.title == "Hard-coded secret: Generic API Key"
    [location] = finding.locations
    assert (location.path, location.start_line, location.end_line) == ("tests/api.py", 21, 21)
    assert (location.start_column, location.end_column) == (10, 46)
    assert finding.tool_fingerprint == V8_RECORD["Fingerprint"]
    assert finding.raw_record_ref == "[0]"


def test_a_v8_report_whose_first_line_fills_the_detection_head_is_still_gitleaks() -> None:
    leading = {k: V8_RECORD[k] for k in ("Description", "StartLine", "EndLine", "StartColumn")}
    record = {**leading, "EndColumn": 46, "Line": "x" * 100_000, **V8_RECORD}
    seen = sniff(json.dumps([record]).encode())
    assert "RuleID" not in seen.keys
    assert PARSER.sniff(seen)


def test_a_v7_record_maps_rule_path_and_line(corpus_dir: Path) -> None:
    [finding], _, _ = parse((corpus_dir / "gitleaks" / "issue4336.json").read_bytes())
    assert (finding.rule_id, finding.locations[0].path) == ("Twitter Client ID", "README.md")
    assert finding.locations[0].start_line == 23


def test_without_a_tool_fingerprint_one_digest_per_leaked_value_survives_a_line_move() -> None:
    record = {k: v for k, v in V8_RECORD.items() if k != "Fingerprint"}
    moved = {**record, "StartLine": 40, "EndLine": 40}
    other = {**record, "Secret": "an0ther-s3cret-value"}
    findings, _, _ = parse(json.dumps([record, moved, other]).encode())
    digests = [f.tool_fingerprint for f in findings]
    assert digests[0] == digests[1] != digests[2]
    assert all(d is not None and d.startswith("sha256:") for d in digests)


def test_redacted_reports_keep_distinct_leaks_apart(corpus_dir: Path) -> None:
    findings, _, _ = parse((corpus_dir / "gitleaks" / "redacted_data_many.json").read_bytes())
    assert len({f.tool_fingerprint for f in findings}) == 6


def test_a_secret_inside_a_rule_name_is_redacted() -> None:
    record = {**V8_RECORD, "Description": f"key {V8_RECORD['Secret']}"}
    [finding], _, _ = parse(json.dumps([record]).encode())
    assert finding.title == "Hard-coded secret: key [REDACTED]"


@pytest.mark.parametrize("raw", [b"[]", b"[\n]", b" null\n"])
def test_an_empty_document_is_claimed_as_a_gitleaks_report_with_no_findings(raw: bytes) -> None:
    assert PARSER.sniff(sniff(raw))
    assert parse(raw)[:2] == ([], [])


def test_a_record_with_wrong_types_is_quarantined_and_the_rest_parses() -> None:
    bad = {**V8_RECORD, "StartLine": "twenty"}
    document = [bad, {**V8_RECORD, "File": ["a"]}, 42, V8_RECORD]
    findings, quarantined, _ = parse(json.dumps(document).encode())
    assert [q.raw_record_ref for q in quarantined] == ["[0]", "[1]", "[2]"]
    assert all(q.reason for q in quarantined)
    assert [f.raw_record_ref for f in findings] == ["[3]"]


def test_a_report_of_another_format_is_not_gitleaks(corpus_dir: Path) -> None:
    raw = (corpus_dir / "checkov" / "checkov-report-multiple-check_type.json").read_bytes()
    assert not PARSER.sniff(sniff(raw))
    with pytest.raises(MalformedReport) as caught:
        parse(raw)
    assert caught.value.code == "malformed_report"


@pytest.mark.parametrize("raw", [b"{}", b"[1", b'"text"', b"[" * 100_000 + b"]" * 100_000])
def test_a_document_that_is_not_a_gitleaks_report_is_malformed(raw: bytes) -> None:
    with pytest.raises(MalformedReport):
        parse(raw)


def test_no_other_scanners_corpus_file_is_sniffed_as_gitleaks_except_empty_ones(
    corpus_dir: Path,
) -> None:
    others = [p for p in sorted(corpus_dir.glob("*/*")) if p.parent.name != "gitleaks"]
    claimed = [p for p in others if PARSER.sniff(sniff(p.read_bytes()))]
    # Only keyless empty documents (`[]`, `null`): zero findings whichever tool wrote them.
    assert all(json.loads(p.read_bytes()) in ([], None) for p in claimed)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=150, deadline=None)
@given(field=st.sampled_from(sorted(V8_RECORD)), value=JSON)
def test_a_mutated_record_yields_a_finding_or_a_quarantine_never_a_crash(
    field: str, value: object
) -> None:
    findings, quarantined, _ = parse(json.dumps([{**V8_RECORD, field: value}]).encode())
    assert len(findings) + len(quarantined) == 1
