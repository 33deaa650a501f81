"""The detect-secrets parser: every corpus file, the mapped fields, and bad input."""

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
from pearl_core.ingest.formats.detect_secrets import PARSER
from pearl_core.ingest.records import ParsedFinding, Quarantined, ReportInfo

# Findings per corpus file, counted by hand with
# `jq '[.results[] | length] | add' FILE` (one finding per entry of each file's list):
EXPECTED = {
    "many_findings.json": 4,  # 2 (modules_images) + 1 + 1; one has is_secret: false
    "no_findings.json": 0,  # "results": {} by eye
}

SECRET: dict[str, Any] = {
    "type": "AWS Access Key",
    "filename": "config/settings.py",
    "hashed_secret": "25910f981e85ca04baf359199dd0bd4a3ae738b6",
    "is_verified": True,
    "line_number": 12,
}


def parse(raw: bytes) -> tuple[list[ParsedFinding], list[Quarantined], ReportInfo]:
    info = ReportInfo(format="detect_secrets")
    records = list(PARSER.parse(io.BytesIO(raw), info))
    findings = [r for r in records if isinstance(r, ParsedFinding)]
    return findings, [r for r in records if isinstance(r, Quarantined)], info


def report(results: dict[str, Any]) -> bytes:
    document = {"version": "1.5.0", "plugins_used": [], "results": results}
    return json.dumps(document).encode()


def test_the_count_table_covers_every_detect_secrets_corpus_file(corpus_dir: Path) -> None:
    assert sorted(p.name for p in (corpus_dir / "detect_secrets").iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize(("name", "count"), sorted(EXPECTED.items()))
def test_every_detect_secrets_corpus_file_is_detected_and_yields_its_hand_counted_findings(
    corpus_dir: Path, name: str, count: int
) -> None:
    raw = (corpus_dir / "detect_secrets" / name).read_bytes()
    assert PARSER.sniff(sniff(raw))
    findings, quarantined, info = parse(raw)
    assert (len(findings), quarantined) == (count, [])
    assert (info.tool_names, info.tool_version) == ({"detect-secrets"}, "1.0.3")


def test_a_corpus_secret_maps_rule_severity_location_and_fingerprint(corpus_dir: Path) -> None:
    findings, _, _ = parse((corpus_dir / "detect_secrets" / "many_findings.json").read_bytes())
    first = findings[0]
    assert (first.tool_name, first.tool_type) == ("detect-secrets", ToolType.SECRETS)
    assert (first.rule_id, first.severity, first.cwe_ids) == (
        "Secret Keyword",
        RiskLevel.HIGH,
        ("CWE-798",),
    )
    [location] = first.locations
    assert (location.path, location.start_line, location.snippet) == ("modules_images", 151, None)
    assert first.tool_fingerprint == (
        "Secret Keyword|modules_images|bd564db5d5cc358eb0e3523d3e03041739f230d5"
    )
    assert first.raw_record_ref == 'results["modules_images"][0]'


def test_audit_marks_map_to_confidence_and_suppression(corpus_dir: Path) -> None:
    findings, _, _ = parse((corpus_dir / "detect_secrets" / "many_findings.json").read_bytes())
    assert [(f.confidence, f.suppressed) for f in findings] == [
        (None, False),
        (Confidence.HIGH, False),  # is_secret: true
        (None, False),
        (None, True),  # is_secret: false, a false positive in the baseline
    ]


def test_no_finding_text_carries_the_hashed_secret_or_more() -> None:
    [finding], _, _ = parse(report({"config/settings.py": [SECRET]}))
    assert finding.confidence is Confidence.HIGH  # is_verified
    assert SECRET["hashed_secret"] not in finding.title + (finding.description or "")
    assert finding.title == "Hard-coded secret: AWS Access Key"


def test_a_record_with_wrong_types_is_quarantined_and_the_rest_parses() -> None:
    results = {
        "a.py": [{**SECRET, "line_number": "twelve"}, {**SECRET, "is_verified": "yes"}, SECRET],
        "b.py": "not a list",
    }
    findings, quarantined, _ = parse(report(results))
    assert [q.raw_record_ref for q in quarantined] == [
        'results["a.py"][0]',
        'results["a.py"][1]',
        'results["b.py"]',
    ]
    assert all(q.reason for q in quarantined)
    assert [f.raw_record_ref for f in findings] == ['results["a.py"][2]']


def test_a_report_of_another_format_is_not_detect_secrets(corpus_dir: Path) -> None:
    raw = (corpus_dir / "bandit" / "one_vuln.json").read_bytes()
    assert not PARSER.sniff(sniff(raw))
    with pytest.raises(MalformedReport) as caught:
        parse(raw)
    assert caught.value.code == "malformed_report"


@pytest.mark.parametrize(
    "raw", [b"[]", b'{"results": [], "plugins_used": []}', b"{", b'{"results": {}}']
)
def test_a_document_that_is_not_a_detect_secrets_report_is_malformed(raw: bytes) -> None:
    with pytest.raises(MalformedReport):
        parse(raw)


def test_no_other_scanners_corpus_file_is_sniffed_as_detect_secrets(corpus_dir: Path) -> None:
    others = [p for p in sorted(corpus_dir.glob("*/*")) if p.parent.name != "detect_secrets"]
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
@given(field=st.sampled_from([*sorted(SECRET), "is_secret"]), value=JSON)
def test_a_mutated_record_yields_a_finding_or_a_quarantine_never_a_crash(
    field: str, value: object
) -> None:
    findings, quarantined, _ = parse(report({"a.py": [{**SECRET, field: value}]}))
    assert len(findings) + len(quarantined) == 1
