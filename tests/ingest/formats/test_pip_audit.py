"""The pip-audit parser: both layouts, every corpus file, the mapped fields, and bad input."""

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
from pearl_core.ingest.formats.pip_audit import PARSER
from pearl_core.ingest.records import ParsedFinding, Quarantined, ReportInfo
from pearl_core.ingest.registry import detect

# (records, skipped dependencies) per corpus file, counted by hand with jq:
#   jq '(if type=="array" then . else .dependencies end) | [.[] | (.vulns // []) | length] | add'
#   jq '(if type=="array" then . else .dependencies end) | [.[] | select(.skip_reason)] | length'
# A skipped dependency is a scan error, not a finding. No file repeats a
# (package, advisory) pair, so nothing collapses in dedup.
EXPECTED = {
    "empty.json": (0, 0),  # `[]`, the old layout with nothing installed
    "empty_new.json": (0, 0),  # `{"dependencies": []}`
    "many_vulns.json": (7, 1),  # aiohttp 1 + django 1 + lxml 1 + twisted 4; azure-devops skipped
    "many_vulns_new.json": (7, 1),  # the same, new layout
    "zero_vulns.json": (0, 1),  # two clean dependencies + azure-devops skipped
    "zero_vulns_new.json": (0, 1),
}
# `[]` says nothing about pip-audit: detection gives it to Gitleaks (earlier in the
# registry); `--format pip_audit` parses it. Zero findings either way.
NOT_SNIFFED = {"empty.json"}


def parse(raw: bytes) -> tuple[list[ParsedFinding], list[Quarantined], ReportInfo]:
    info = ReportInfo(format="pip_audit")
    records = list(PARSER.parse(io.BytesIO(raw), info))
    findings = [r for r in records if isinstance(r, ParsedFinding)]
    return findings, [r for r in records if isinstance(r, Quarantined)], info


def test_the_count_table_covers_every_pip_audit_corpus_file(corpus_dir: Path) -> None:
    assert sorted(p.name for p in (corpus_dir / "pip_audit").iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize(("name", "counts"), sorted(EXPECTED.items()))
def test_every_pip_audit_corpus_file_is_detected_and_yields_its_hand_counted_records(
    corpus_dir: Path, name: str, counts: tuple[int, int]
) -> None:
    raw = (corpus_dir / "pip_audit" / name).read_bytes()
    assert PARSER.sniff(sniff(raw)) is (name not in NOT_SNIFFED)
    detected = "gitleaks" if name in NOT_SNIFFED else PARSER.name
    assert detect(sniff(raw), source_name=name).name == detected
    findings, quarantined, info = parse(raw)
    assert (len(findings), quarantined, len(info.scan_errors)) == (counts[0], [], counts[1])


def test_the_pip_audit_sniffer_claims_no_other_corpus_file(corpus_dir: Path) -> None:
    others = [p for p in corpus_dir.rglob("*") if p.is_file() and p.parent.name != "pip_audit"]
    assert others
    assert [p.name for p in others if PARSER.sniff(sniff(p.read_bytes()))] == []


@pytest.mark.parametrize(
    ("name", "prefix"), [("many_vulns.json", ""), ("many_vulns_new.json", "dependencies")]
)
def test_an_advisory_maps_id_package_and_the_fix_on_the_installed_release_line(
    corpus_dir: Path, name: str, prefix: str
) -> None:
    findings, _, info = parse((corpus_dir / "pip_audit" / name).read_bytes())
    django = next(f for f in findings if f.raw_record_ref == f"{prefix}[4].vulns[0]")
    assert (django.rule_id, django.tool_name, django.tool_type) == (
        "PYSEC-2021-439",
        "pip-audit",
        ToolType.SCA,
    )
    assert django.severity is RiskLevel.MODERATE  # pip-audit reports no severity
    assert django.package is not None
    assert (django.package.ecosystem, django.package.name, django.package.version) == (
        "pypi",
        "django",
        "3.2.9",
    )
    # fix_versions ["2.2.25", "3.1.14", "3.2.10"]: the one above 3.2.9
    assert (django.package.fixed_version, django.fix_available) == ("3.2.10", True)
    assert (django.package.manifest_path, django.locations, django.tool_fingerprint) == (
        None,
        (),
        None,
    )
    lxml = next(f for f in findings if f.rule_id == "PYSEC-2021-852")
    assert (lxml.package and lxml.package.fixed_version, lxml.fix_available) == (None, False)
    # azure-devops could not be audited: a scan error naming where it is, not a finding
    assert [e.split(": ")[0] for e in info.scan_errors] == [f"{prefix}[3]"]


def test_aliases_give_the_cve_ids_and_names_are_normalised() -> None:
    document = [
        {
            "name": "Flask_Cors",
            "version": "3.0.9",
            "vulns": [
                {
                    "id": "GHSA-xc3p-ff3m-f46v",
                    "aliases": ["CVE-2020-25032", "PYSEC-2020-43", "CVE-2021-1", "cve-2021-12345"],
                    "fix_versions": ["3.0.9.1", "3.0.10"],
                    "description": "Directory traversal.",
                }
            ],
        }
    ]
    [finding], _, _ = parse(json.dumps(document).encode())
    # "CVE-2021-1" is not a CVE id (4+ digits); a lower-case id is read upper-case
    assert finding.cve_ids == ("CVE-2020-25032", "CVE-2021-12345")
    assert finding.package is not None
    assert (finding.package.name, finding.package.fixed_version) == ("flask-cors", "3.0.9.1")


def test_records_with_wrong_types_are_quarantined_and_the_rest_still_parses() -> None:
    good = {"id": "PYSEC-1", "fix_versions": ["2"], "aliases": []}
    document = {
        "dependencies": [
            {"name": "a", "version": "1", "vulns": [good, {**good, "id": 3}, "x"]},
            {"name": "b", "version": "1", "vulns": [{**good, "fix_versions": "2"}]},
            {"name": "c", "vulns": [good]},
            {"name": "d", "version": "1", "vulns": {"id": "PYSEC-2"}},
            7,
        ],
        "fixes": [],
    }
    findings, quarantined, _ = parse(json.dumps(document).encode())
    assert [f.raw_record_ref for f in findings] == ["dependencies[0].vulns[0]"]
    assert [q.raw_record_ref for q in quarantined] == [
        "dependencies[0].vulns[1]",
        "dependencies[0].vulns[2]",
        "dependencies[1].vulns[0]",
        "dependencies[2]",
        "dependencies[3]",
        "dependencies[4]",
    ]
    assert all(q.reason for q in quarantined)


@pytest.mark.parametrize(
    "raw", [b"", b"null", b"3", b'{"results": []}', b'{"dependencies": {}}', b'"x"']
)
def test_a_document_that_is_not_a_pip_audit_report_is_malformed(raw: bytes) -> None:
    with pytest.raises(MalformedReport) as caught:
        parse(raw)
    assert caught.value.code == "malformed_report"


def test_another_scanners_report_is_malformed_for_pip_audit(corpus_dir: Path) -> None:
    for other in ("osv_scanner/some_findings.json", "anchore_grype/no_vuln.json"):
        with pytest.raises(MalformedReport):
            parse((corpus_dir / other).read_bytes())


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=20,
)


@settings(max_examples=100, deadline=None)
@given(key=st.sampled_from(["id", "fix_versions", "aliases", "description"]), value=json_values)
def test_any_mutated_field_yields_a_record_or_a_quarantine_never_an_exception(
    key: str, value: object
) -> None:
    vuln = {"id": "PYSEC-1", "fix_versions": ["2"], "aliases": [], "description": "d", key: value}
    document = [{"name": "a", "version": "1", "vulns": [vuln]}]
    findings, quarantined, _ = parse(json.dumps(document).encode())
    assert len(findings) + len(quarantined) == 1


@settings(max_examples=150, deadline=None)
@given(document=json_values)
def test_any_json_document_yields_records_or_is_malformed_never_another_error(
    document: object,
) -> None:
    with contextlib.suppress(MalformedReport):  # the one error a document may raise
        parse(json.dumps(document).encode())


def test_huge_version_strings_compare_without_error() -> None:
    huge = "9" * 6000
    document = [
        {
            "name": "a",
            "version": huge,
            "vulns": [{"id": "PYSEC-1", "fix_versions": [huge + "1", "2"]}],
        }
    ]
    [finding], _, _ = parse(json.dumps(document).encode())
    assert finding.package is not None
    assert finding.package.fixed_version == huge + "1"
