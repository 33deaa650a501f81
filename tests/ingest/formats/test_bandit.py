"""The Bandit parser: every corpus file, the mapped fields, and bad input."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pearl_core.domain.enums import Confidence, RiskLevel, ToolType
from pearl_core.errors import MalformedReport
from pearl_core.ingest.detect import sniff
from pearl_core.ingest.formats.bandit import PARSER
from pearl_core.ingest.records import ParsedFinding, Quarantined, ReportInfo

# Findings per corpus file, counted by hand with `jq '.results | length' FILE`
# (Bandit reports every result it keeps in `results`; `nosec` ones are already gone).
# Cross-checked against `.metrics._totals`: SEVERITY.LOW + SEVERITY.MEDIUM + SEVERITY.HIGH.
EXPECTED = {
    "dd.json": 47,  # .results | length; totals 11 LOW + 36 MEDIUM
    "dd2.json": 165,  # .results | length; totals 23 LOW + 142 MEDIUM
    "many_vulns.json": 214,  # .results | length; totals 59 LOW + 155 MEDIUM
    "no_vuln.json": 0,  # "results": [] by eye
    "one_vuln.json": 1,  # one B101 result, read by eye
}


def parse(raw: bytes) -> tuple[list[ParsedFinding], list[Quarantined], ReportInfo]:
    info = ReportInfo(format="bandit")
    records = list(PARSER.parse(io.BytesIO(raw), info))
    findings = [r for r in records if isinstance(r, ParsedFinding)]
    return findings, [r for r in records if isinstance(r, Quarantined)], info


def report(*results: Any, errors: list[Any] | None = None) -> bytes:
    document = {
        "errors": errors or [],
        "generated_at": "2024-01-01T00:00:00Z",
        "metrics": {},
        "results": list(results),
    }
    return json.dumps(document).encode()


RESULT: dict[str, Any] = {
    "code": "4 import subprocess\n5 subprocess.call(cmd, shell=True)\n6 \n",
    "col_offset": 0,
    "end_col_offset": 32,
    "filename": "app/run.py",
    "issue_confidence": "HIGH",
    "issue_cwe": {"id": 78, "link": "https://cwe.mitre.org/data/definitions/78.html"},
    "issue_severity": "HIGH",
    "issue_text": "subprocess call with shell=True identified, security issue.",
    "line_number": 5,
    "line_range": [5],
    "more_info": "https://bandit.readthedocs.io/en/latest/plugins/b602.html",
    "test_id": "B602",
    "test_name": "subprocess_popen_with_shell_equals_true",
}


def test_the_count_table_covers_every_bandit_corpus_file(corpus_dir: Path) -> None:
    assert sorted(p.name for p in (corpus_dir / "bandit").iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize(("name", "count"), sorted(EXPECTED.items()))
def test_every_bandit_corpus_file_is_detected_and_yields_its_hand_counted_findings(
    corpus_dir: Path, name: str, count: int
) -> None:
    raw = (corpus_dir / "bandit" / name).read_bytes()
    assert PARSER.sniff(sniff(raw))
    findings, quarantined, info = parse(raw)
    assert (len(findings), quarantined) == (count, [])
    assert info.tool_names == {"bandit"}


def test_a_corpus_result_maps_rule_severity_confidence_and_location(corpus_dir: Path) -> None:
    [finding], _, _ = parse((corpus_dir / "bandit" / "one_vuln.json").read_bytes())
    assert (finding.tool_name, finding.tool_type, finding.rule_id) == (
        "bandit",
        ToolType.SAST,
        "B101",
    )
    assert (finding.severity, finding.confidence) == (RiskLevel.LOW, Confidence.HIGH)
    assert finding.title.startswith("Use of assert detected.")
    [location] = finding.locations
    assert (location.path, location.start_line, location.end_line) == ("one/one.py", 2, 2)
    assert location.snippet == "assert False"  # only line 2 of the excerpt, unnumbered
    assert finding.raw_record_ref == "results[0]"


def test_a_current_result_maps_cwe_columns_and_drops_line_numbers_from_the_snippet() -> None:
    [finding], _, _ = parse(report(RESULT))
    assert (finding.severity, finding.cwe_ids) == (RiskLevel.HIGH, ("CWE-78",))
    [location] = finding.locations
    assert (location.start_column, location.end_column) == (1, 33)  # 0-based → 1-based
    assert location.snippet == "subprocess.call(cmd, shell=True)"
    assert finding.description is not None
    assert finding.description.endswith("b602.html")


def test_a_multi_line_result_spans_its_line_range(corpus_dir: Path) -> None:
    findings, _, _ = parse((corpus_dir / "bandit" / "dd2.json").read_bytes())
    first = findings[0]
    assert first.rule_id == "B110"
    assert (first.locations[0].start_line, first.locations[0].end_line) == (27, 28)
    assert first.locations[0].snippet == "    except:\n        pass"


def test_a_hard_coded_password_is_redacted_from_the_title() -> None:
    password = {**RESULT, "test_id": "B105", "issue_text": "Possible hardcoded password: 'hunter2'"}
    [finding], _, _ = parse(report(password))
    assert "hunter2" not in finding.title
    assert "hunter2" not in (finding.description or "")
    assert finding.title == "Possible hardcoded password: '[REDACTED]'"


def test_bandit_errors_become_scan_errors() -> None:
    _, _, info = parse(report(errors=[{"filename": "x.py", "reason": "syntax error"}]))
    assert info.scan_errors == ["errors[0]: syntax error"]


def test_a_record_with_wrong_types_is_quarantined_and_the_rest_parses() -> None:
    bad = {**RESULT, "line_range": ["five"]}
    findings, quarantined, _ = parse(report(bad, {**RESULT, "test_id": None}, RESULT))
    assert [q.raw_record_ref for q in quarantined] == ["results[0]", "results[1]"]
    assert all(q.reason for q in quarantined)
    assert [f.raw_record_ref for f in findings] == ["results[2]"]


def test_a_report_of_another_format_is_not_bandit(corpus_dir: Path) -> None:
    raw = (corpus_dir / "semgrep" / "one_finding.json").read_bytes()
    assert not PARSER.sniff(sniff(raw))
    with pytest.raises(MalformedReport) as caught:
        parse(raw)
    assert caught.value.code == "malformed_report"


@pytest.mark.parametrize(
    "raw",
    [b"", b"null", b'{"results": {}, "metrics": {}, "generated_at": ""}', b"[" * 100_000],
)
def test_a_document_that_is_not_a_bandit_report_is_malformed(raw: bytes) -> None:
    with pytest.raises(MalformedReport):
        parse(raw)


def test_no_other_scanners_corpus_file_is_sniffed_as_bandit(corpus_dir: Path) -> None:
    others = [p for p in sorted(corpus_dir.glob("*/*")) if p.parent.name != "bandit"]
    claimed = [p.relative_to(corpus_dir) for p in others if PARSER.sniff(sniff(p.read_bytes()))]
    assert claimed == []


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=150, deadline=None)
@given(field=st.sampled_from(sorted(RESULT)), value=JSON)
def test_a_mutated_record_yields_a_finding_or_a_quarantine_never_a_crash(
    field: str, value: object
) -> None:
    findings, quarantined, _ = parse(report({**RESULT, field: value}))
    assert len(findings) + len(quarantined) == 1
