"""The Grype parser: every corpus file, the mapped fields, sniffing, and bad input."""

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
from pearl_core.ingest.formats.grype import PARSER
from pearl_core.ingest.records import ParsedFinding, Quarantined, ReportInfo
from pearl_core.ingest.registry import detect

# Records per corpus file, counted by hand with `jq '.matches | length' FILE`.
# Duplicates (same vulnerability id + package + version + first location), found
# with a python one-off over the raw matches, are noted; the pipeline merges them.
EXPECTED = {
    "anchore_grype_epss_problem.json": 1,  # only `matches` at top level, no descriptor
    "check_all_fields.json": 6,  # matches[4] and [5] are the same Django match: 1 duplicate
    "check_all_fields_different_ids_fabricated.json": 1,
    "check_all_fields_no_ids_fabricated.json": 1,
    "check_all_fields_with_ids_fabricated.json": 1,
    "fix_available.json": 1,
    "fix_not_available.json": 1,
    "issue_9618.json": 35,  # 32 rpm + 3 java-archive; matches[33] has no severity
    "issue_9942.json": 1,
    "many_vulns3.json": 327,  # grype 0.7.0 layout (cvssV2/cvssV3, no fix)
    "many_vulns4.json": 9,  # directory source
    "many_vulns_with_epss_values.json": 15,
    "no_vuln.json": 0,  # `matches: []`
    "same_cve_different_paths.json": 2,  # one CVE, one package, two paths: not duplicates
}


def parse(raw: bytes) -> tuple[list[ParsedFinding], list[Quarantined], ReportInfo]:
    info = ReportInfo(format="grype")
    records = list(PARSER.parse(io.BytesIO(raw), info))
    findings = [r for r in records if isinstance(r, ParsedFinding)]
    return findings, [r for r in records if isinstance(r, Quarantined)], info


def parse_file(corpus_dir: Path, name: str) -> list[ParsedFinding]:
    return parse((corpus_dir / "anchore_grype" / name).read_bytes())[0]


def test_the_count_table_covers_every_grype_corpus_file(corpus_dir: Path) -> None:
    assert sorted(p.name for p in (corpus_dir / "anchore_grype").iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize(("name", "count"), sorted(EXPECTED.items()))
def test_every_grype_corpus_file_is_detected_and_yields_its_hand_counted_records(
    corpus_dir: Path, name: str, count: int
) -> None:
    raw = (corpus_dir / "anchore_grype" / name).read_bytes()
    assert PARSER.sniff(sniff(raw))
    assert detect(sniff(raw), source_name=name) is PARSER
    findings, quarantined, info = parse(raw)
    assert (len(findings), quarantined) == (count, [])
    assert info.tool_names == {"grype"}


def test_the_grype_sniffer_claims_no_other_corpus_file(corpus_dir: Path) -> None:
    others = [p for p in corpus_dir.rglob("*") if p.is_file() and p.parent.name != "anchore_grype"]
    assert others
    assert [p.name for p in others if PARSER.sniff(sniff(p.read_bytes()))] == []


def test_a_language_match_maps_cvss_package_location_and_the_unfixed_state(
    corpus_dir: Path,
) -> None:
    findings = parse_file(corpus_dir, "check_all_fields.json")
    redis = findings[1]
    assert (redis.raw_record_ref, redis.rule_id, redis.cve_ids) == (
        "matches[1]",
        "CVE-2021-32626",
        ("CVE-2021-32626",),
    )
    assert redis.severity is RiskLevel.HIGH  # cvss 3.1 baseScore 8.8 (2.0 says 6.5)
    assert redis.tool_type is ToolType.SCA
    assert redis.package is not None
    metadata = "/usr/local/lib/python3.8/site-packages/redis-4.0.2.dist-info/METADATA"
    assert (redis.package.ecosystem, redis.package.name, redis.package.version) == (
        "pypi",
        "redis",
        "4.0.2",
    )
    assert (redis.package.manifest_path, redis.package.purl) == (metadata, "pkg:pypi/redis@4.0.2")
    # fix.state "wont-fix" lists versions ["fix_1", "fix_2"]: no fix to take
    assert (redis.package.fixed_version, redis.fix_available) == (None, False)
    assert (redis.tool_version, redis.tool_fingerprint) == ("0.28.0", None)


def test_an_os_package_is_a_container_finding_rated_by_its_distribution(corpus_dir: Path) -> None:
    findings = parse_file(corpus_dir, "check_all_fields.json")
    krb5 = findings[0]
    assert krb5.tool_type is ToolType.CONTAINER
    assert krb5.severity is RiskLevel.LOW  # Debian's "Negligible"; the NVD record is not used
    assert krb5.package is not None
    assert (krb5.package.ecosystem, krb5.package.name) == ("debian", "libgssapi-krb5-2")
    rpm = parse_file(corpus_dir, "issue_9618.json")[0]
    assert rpm.package is not None
    assert (rpm.package.ecosystem, rpm.package.fixed_version) == ("redhat", "0:0.7-21.el8_9.1")


def test_a_ghsa_match_takes_cves_from_related_vulnerabilities_and_the_fix(
    corpus_dir: Path,
) -> None:
    [django] = parse_file(corpus_dir, "check_all_fields_with_ids_fabricated.json")
    assert (django.rule_id, django.cve_ids) == ("GHSA-v6rh-hp5x-86rv", ("CVE-2021-44420",))
    assert django.package is not None
    assert (django.package.name, django.package.fixed_version) == ("django", "3.2.10")
    assert django.fix_available is True
    [no_ids] = parse_file(corpus_dir, "check_all_fields_no_ids_fabricated.json")
    assert no_ids.cve_ids == ()


def test_a_cvss_score_wins_over_the_label_in_old_and_new_layouts(corpus_dir: Path) -> None:
    old = parse_file(corpus_dir, "many_vulns3.json")[0]
    assert old.rule_id == "CVE-2019-18276"
    assert old.severity is RiskLevel.HIGH  # "Negligible" label, cvssV2 baseScore 7.2
    clipboard = parse_file(corpus_dir, "many_vulns4.json")[5]
    assert clipboard.severity is RiskLevel.MODERATE  # v3.0 5.5 beats v2.0 3.6
    unrated = parse_file(corpus_dir, "issue_9618.json")[33]
    assert unrated.severity is RiskLevel.MODERATE  # no severity and no CVSS
    assert unrated.package is not None
    assert unrated.package.name == "org.apache.commons:commons-compress"  # from the Maven purl


def test_records_with_wrong_types_are_quarantined_and_the_rest_still_parses() -> None:
    good = {
        "vulnerability": {"id": "CVE-2021-1", "severity": "High"},
        "artifact": {"name": "a", "version": "1", "type": "npm"},
    }
    document = {
        "descriptor": {"name": "grype"},
        "matches": [
            good,
            {**good, "vulnerability": "CVE-2021-1"},
            {**good, "artifact": {"name": "a", "version": 1}},
            {**good, "vulnerability": {"id": "X", "cvss": [{"metrics": {"baseScore": "9"}}]}},
            {"artifact": good["artifact"]},
            [],
        ],
    }
    findings, quarantined, _ = parse(json.dumps(document).encode())
    assert [f.raw_record_ref for f in findings] == ["matches[0]"]
    assert [q.raw_record_ref for q in quarantined] == [f"matches[{i}]" for i in range(1, 6)]
    assert all(q.reason for q in quarantined)
    assert findings[0].package is not None
    assert findings[0].package.ecosystem == "npm"


@pytest.mark.parametrize(
    "raw", [b"[", b"[]", b"null", b'{"results": []}', b'{"matches": {}}', b'{"source": {}}']
)
def test_a_document_that_is_not_a_grype_report_is_malformed(raw: bytes) -> None:
    with pytest.raises(MalformedReport) as caught:
        parse(raw)
    assert caught.value.code == "malformed_report"


def test_another_scanners_report_is_malformed_for_grype(corpus_dir: Path) -> None:
    for other in ("trivy/scheme_2_many_vulns.json", "osv_scanner/some_findings.json"):
        with pytest.raises(MalformedReport):
            parse((corpus_dir / other).read_bytes())


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=20,
)
VULNERABILITY = {
    "id": "CVE-2021-1",
    "severity": "High",
    "cvss": [{"version": "3.1", "metrics": {"baseScore": 7.5}}],
    "fix": {"state": "fixed", "versions": ["2"]},
    "cvssV2": {"baseScore": 5},
}
ARTIFACT = {"name": "a", "version": "1", "type": "python", "purl": "pkg:pypi/a@1"}


@settings(max_examples=150, deadline=None)
@given(
    part=st.sampled_from(["vulnerability", "artifact", "relatedVulnerabilities"]),
    key=st.sampled_from(sorted({*VULNERABILITY, *ARTIFACT, "locations"})),
    value=json_values,
)
def test_any_mutated_field_yields_a_record_or_a_quarantine_never_an_exception(
    part: str, key: str, value: object
) -> None:
    match: dict[str, object] = {"vulnerability": dict(VULNERABILITY), "artifact": dict(ARTIFACT)}
    if part == "relatedVulnerabilities":
        match[part] = value
    else:
        match[part] = (
            {**VULNERABILITY, key: value} if part == "vulnerability" else {**ARTIFACT, key: value}
        )
    findings, quarantined, _ = parse(json.dumps({"matches": [match], "source": {}}).encode())
    assert len(findings) + len(quarantined) == 1


@settings(max_examples=150, deadline=None)
@given(document=json_values)
def test_any_json_document_yields_records_or_is_malformed_never_another_error(
    document: object,
) -> None:
    with contextlib.suppress(MalformedReport):  # the one error a document may raise
        parse(json.dumps(document).encode())
