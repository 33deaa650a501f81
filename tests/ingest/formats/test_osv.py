"""The OSV-Scanner parser: every corpus file, groups, the mapped fields, and bad input."""

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
from pearl_core.ingest.formats.osv import PARSER
from pearl_core.ingest.records import ParsedFinding, Quarantined, ReportInfo
from pearl_core.ingest.registry import detect

# Records per corpus file, counted by hand with jq: one per alias group, or one
# per vulnerability for a package without groups (OSV-Scanner before v1.3):
#   jq '[.results[].packages[] | (.groups // []) | length] | add'
#   jq '[.results[].packages[] | select((.groups // []) | length == 0)
#        | .vulnerabilities | length] | add'
# Groups are OSV-Scanner's own dedup (GHSA-x and PYSEC-y for one bug), so the
# raw vulnerability count is higher, noted per file. No group repeats within a
# source; requests' GHSA-j8r2 appears in two different manifests, not a duplicate.
EXPECTED = {
    "many_findings.json": 37,  # 37 groups over 66 vulnerabilities, 11 packages, 6 sources
    "multi_cwe_fabricated.json": 1,  # no groups: 1 vulnerability
    "some_findings.json": 1,  # 1 group (MAL-2023-1035) of 1 vulnerability
}


def parse(raw: bytes) -> tuple[list[ParsedFinding], list[Quarantined], ReportInfo]:
    info = ReportInfo(format="osv")
    records = list(PARSER.parse(io.BytesIO(raw), info))
    findings = [r for r in records if isinstance(r, ParsedFinding)]
    return findings, [r for r in records if isinstance(r, Quarantined)], info


def by_ref(findings: list[ParsedFinding], ref: str) -> ParsedFinding:
    return next(f for f in findings if f.raw_record_ref == ref)


def test_the_count_table_covers_every_osv_corpus_file(corpus_dir: Path) -> None:
    assert sorted(p.name for p in (corpus_dir / "osv_scanner").iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize(("name", "count"), sorted(EXPECTED.items()))
def test_every_osv_corpus_file_is_detected_and_yields_its_hand_counted_records(
    corpus_dir: Path, name: str, count: int
) -> None:
    raw = (corpus_dir / "osv_scanner" / name).read_bytes()
    assert PARSER.sniff(sniff(raw))
    assert detect(sniff(raw), source_name=name) is PARSER
    findings, quarantined, info = parse(raw)
    assert (len(findings), quarantined) == (count, [])
    assert info.tool_names == {"osv-scanner"}


def test_the_osv_sniffer_claims_no_other_corpus_file(corpus_dir: Path) -> None:
    others = [p for p in corpus_dir.rglob("*") if p.is_file() and p.parent.name != "osv_scanner"]
    assert others
    assert [p.name for p in others if PARSER.sniff(sniff(p.read_bytes()))] == []


def test_a_group_of_aliases_is_one_finding_with_its_cve_cwe_fix_and_manifest(
    corpus_dir: Path,
) -> None:
    findings, _, _ = parse((corpus_dir / "osv_scanner/many_findings.json").read_bytes())
    urllib3 = by_ref(findings, "results[1].packages[1].groups[0]")
    assert (urllib3.rule_id, urllib3.cve_ids, urllib3.cwe_ids) == (
        "GHSA-g4mx-q9vg-27p4",  # the group is GHSA-g4mx-q9vg-27p4 + PYSEC-2023-212
        ("CVE-2023-45803",),
        ("CWE-200",),
    )
    assert urllib3.severity is RiskLevel.MODERATE  # GHSA label MODERATE, no max_severity
    assert (urllib3.tool_name, urllib3.tool_type) == ("osv-scanner", ToolType.SCA)
    assert urllib3.package is not None
    assert (urllib3.package.ecosystem, urllib3.package.name, urllib3.package.version) == (
        "pypi",
        "urllib3",
        "1.26.17",
    )
    # fixed events 2.0.7 and 1.26.18: the upgrade on the installed 1.26 line
    assert (urllib3.package.fixed_version, urllib3.fix_available) == ("1.26.18", True)
    manifest = "/tmpgapps/requirements.txt"  # noqa: S108 - a path read from the report, never opened
    assert urllib3.package.manifest_path == manifest
    assert urllib3.locations[0].path == manifest
    assert urllib3.tool_fingerprint is None
    guzzle = by_ref(findings, "results[0].packages[0].groups[3]")
    assert guzzle.package is not None
    assert (guzzle.package.ecosystem, guzzle.severity) == ("composer", RiskLevel.HIGH)


def test_a_git_source_names_the_repository_and_the_commit(corpus_dir: Path) -> None:
    findings, _, _ = parse((corpus_dir / "osv_scanner/many_findings.json").read_bytes())
    rengine = by_ref(findings, "results[3].packages[0].groups[0]")
    assert (rengine.rule_id, rengine.cve_ids) == ("CVE-2023-50094", ("CVE-2023-50094",))
    assert rengine.package is not None
    assert (rengine.package.ecosystem, rengine.package.name, rengine.package.version) == (
        "git",
        "https://github.com/yogeshojha/rengine",
        "f5f3c22f3ed5a6804a2a8d9ee9fa43044cfa24a6",
    )
    assert rengine.fix_available is False


def test_a_vulnerability_without_groups_is_its_own_finding_with_every_cwe(
    corpus_dir: Path,
) -> None:
    findings, _, _ = parse((corpus_dir / "osv_scanner/multi_cwe_fabricated.json").read_bytes())
    [finding] = findings
    assert finding.raw_record_ref == "results[0].packages[0].vulnerabilities[0]"
    assert (finding.rule_id, finding.cwe_ids) == ("GHSA-multi-cwe-0001", ("CWE-79", "CWE-89"))
    assert (finding.title, finding.severity) == (
        "Example vulnerability with multiple CWEs",
        RiskLevel.MODERATE,  # no label, no score
    )


def osv_report(group: dict[str, object], *vulnerabilities: object) -> bytes:
    entry = {
        "package": {"name": "jinja2", "version": "3.0.3", "ecosystem": "PyPI"},
        "vulnerabilities": list(vulnerabilities),
        "groups": [group],
    }
    document = {
        "results": [{"source": {"path": "req.txt", "type": "lockfile"}, "packages": [entry]}]
    }
    return json.dumps(document).encode()


ADVISORY = {"id": "GHSA-1", "aliases": ["CVE-2024-22195"], "database_specific": {"severity": "LOW"}}


def test_max_severity_is_a_cvss_score_that_wins_over_the_label() -> None:
    raw = osv_report({"ids": ["GHSA-1"], "aliases": [], "max_severity": "9.8"}, ADVISORY)
    [finding], _, _ = parse(raw)
    assert finding.severity is RiskLevel.CRITICAL
    assert finding.cve_ids == ("CVE-2024-22195",)
    [labelled], _, _ = parse(osv_report({"ids": ["GHSA-1"], "max_severity": ""}, ADVISORY))
    assert labelled.severity is RiskLevel.LOW


def test_records_with_wrong_types_are_quarantined_and_the_rest_still_parses() -> None:
    package = {"name": "a", "version": "1", "ecosystem": "npm"}
    document = {
        "results": [
            {
                "source": {"path": "yarn.lock"},
                "packages": [
                    {
                        "package": package,
                        "vulnerabilities": [ADVISORY],
                        "groups": [{"ids": ["GHSA-1"]}],
                    },
                    {"package": package, "vulnerabilities": [ADVISORY], "groups": [{"ids": []}]},
                    {"package": package, "groups": [{"ids": ["X"], "max_severity": {"v": 1}}]},
                    {"package": "a@1", "vulnerabilities": [ADVISORY]},
                    {"package": package, "vulnerabilities": [{"id": 12}, ADVISORY]},
                ],
            },
            {"source": "x", "packages": []},
        ]
    }
    findings, quarantined, _ = parse(json.dumps(document).encode())
    assert [f.raw_record_ref for f in findings] == [
        "results[0].packages[0].groups[0]",
        "results[0].packages[4].vulnerabilities[1]",
    ]
    assert [q.raw_record_ref for q in quarantined] == [
        "results[0].packages[1].groups[0]",
        "results[0].packages[2].groups[0]",
        "results[0].packages[3]",
        "results[0].packages[4].vulnerabilities[0]",
        "results[1]",
    ]
    assert all(q.reason for q in quarantined)


@pytest.mark.parametrize(
    "raw", [b"{}", b"[]", b"null", b'{"results": {}}', b'{"matches": []}', b"\xff\xfe"]
)
def test_a_document_that_is_not_an_osv_report_is_malformed(raw: bytes) -> None:
    with pytest.raises(MalformedReport) as caught:
        parse(raw)
    assert caught.value.code == "malformed_report"


def test_another_scanners_report_is_malformed_for_osv(corpus_dir: Path) -> None:
    for other in ("anchore_grype/check_all_fields.json", "pip_audit/many_vulns_new.json"):
        with pytest.raises(MalformedReport):
            parse((corpus_dir / other).read_bytes())


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(
    in_group=st.booleans(),
    key=st.sampled_from(["ids", "id", "aliases", "max_severity", "database_specific", "affected"]),
    value=json_values,
)
def test_any_mutated_field_yields_a_record_or_a_quarantine_never_an_exception(
    in_group: bool, key: str, value: object
) -> None:
    group: dict[str, object] = {"ids": ["GHSA-1"], "aliases": ["CVE-2024-22195"]}
    advisory: dict[str, object] = dict(ADVISORY)
    (group if in_group else advisory)[key] = value
    findings, quarantined, _ = parse(osv_report(group, advisory))
    assert len(findings) + len(quarantined) == 1


@settings(max_examples=150, deadline=None)
@given(document=json_values)
def test_any_json_document_yields_records_or_is_malformed_never_another_error(
    document: object,
) -> None:
    with contextlib.suppress(MalformedReport):  # the one error a document may raise
        parse(json.dumps(document).encode())
