"""The Trivy parser: every corpus file and layout, the mapped fields, secrecy, and bad input."""

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
from pearl_core.ingest.formats.trivy import PARSER
from pearl_core.ingest.records import ParsedFinding, Quarantined, ReportInfo
from pearl_core.ingest.registry import detect

# (findings, quarantined) per corpus file, counted by hand with jq, not the parser:
#   def results: if type=="array" then .[] elif type=="object"
#     then (.Results // [])[], ((.Resources // [], .Vulnerabilities // [],
#           .Misconfigurations // []) | .[] | (.Results // [])[]) else empty end;
#   [results] | count of .Vulnerabilities + .Misconfigurations (Status != "PASS")
#               + .Secrets + .Licenses
# V = vulnerabilities, M = misconfigurations, S = secrets, L = licences.
EXPECTED = {
    "all_statuses.json": (8, 0),  # 8 V, one per Trivy status (1 not_affected)
    "cvss_severity_source.json": (2, 0),  # 2 V
    "cvssv4_severity_source.json": (3, 0),  # 3 V with CVSS v4 scores
    "issue_10991.json": (37, 0),  # k8s Resources: 11 x 1 M + 14 M + 12 M
    "issue_14136.json": (1, 0),  # 1 M (terraform)
    "issue_9092.json": (1, 0),  # 1 V
    "issue_9170.json": (37, 0),  # same as issue_10991 with a ClusterName
    "issue_9263.json": (1, 0),  # 1 V
    "issue_9333.json": (13, 0),  # 13 V
    "kubernetes.json": (20, 0),  # old k8s layout: 2 x 5 V + 2 x 5 M (+ 2 clean Services)
    # Vulnerabilities[0] and [1] are the same Deployment: 3 V repeat (3 duplicates); KSV001
    # repeats at the same lines but over different code, so it is not a duplicate
    "kubernetes_fabricated_internal_duplicates.json": (13, 0),  # 3+4 V, 1+5 M
    "kubernetes_fabricated_internal_duplicates_subset.json": (5, 0),  # 2+2 V (2 dup), 1 M
    "kubernetes_fabricated_subset.json": (13, 0),  # 3+4 V, 1+5 M, two Deployments
    "legacy_many_vulns.json": (93, 0),  # legacy array, 1 target, 93 V
    "legacy_no_vuln.json": (0, 0),  # the literal `null`
    # 7 V over 6 targets; [0].Vulnerabilities[0] is {"PkgName": ...} with no id
    "legacy_trivy_mix.json": (6, 1),
    "license_scheme.json": (19, 0),  # 17 + 2 L
    "misconfigurations_and_secrets.json": (5, 0),  # 2 V, 1 M, 2 S
    "scheme_2_many_vulns.json": (5, 0),  # 3 + 0 + 2 V
    "scheme_2_no_vuln.json": (0, 0),  # one result, no V
    "severity_prio.json": (2, 0),  # 2 V
}
# Nothing in `null` says Trivy (Gitleaks writes it too): detection leaves it to
# Gitleaks, which comes later in the registry; `--format trivy` parses it.
NOT_SNIFFED = {"legacy_no_vuln.json"}


def parse(raw: bytes) -> tuple[list[ParsedFinding], list[Quarantined], ReportInfo]:
    info = ReportInfo(format="trivy")
    records = list(PARSER.parse(io.BytesIO(raw), info))
    findings = [r for r in records if isinstance(r, ParsedFinding)]
    return findings, [r for r in records if isinstance(r, Quarantined)], info


def parse_file(corpus_dir: Path, name: str) -> list[ParsedFinding]:
    return parse((corpus_dir / "trivy" / name).read_bytes())[0]


def by_ref(findings: list[ParsedFinding], ref: str) -> ParsedFinding:
    return next(f for f in findings if f.raw_record_ref == ref)


def test_the_count_table_covers_every_trivy_corpus_file(corpus_dir: Path) -> None:
    assert sorted(p.name for p in (corpus_dir / "trivy").iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize(("name", "counts"), sorted(EXPECTED.items()))
def test_every_trivy_corpus_file_is_detected_and_yields_its_hand_counted_records(
    corpus_dir: Path, name: str, counts: tuple[int, int]
) -> None:
    raw = (corpus_dir / "trivy" / name).read_bytes()
    assert PARSER.sniff(sniff(raw)) is (name not in NOT_SNIFFED)
    detected = "gitleaks" if name in NOT_SNIFFED else PARSER.name
    assert detect(sniff(raw), source_name=name).name == detected
    findings, quarantined, info = parse(raw)
    assert (len(findings), len(quarantined)) == counts
    assert info.tool_names == {"trivy"}
    assert info.scan_errors == []


def test_the_trivy_sniffer_claims_no_other_corpus_file(corpus_dir: Path) -> None:
    others = [p for p in corpus_dir.rglob("*") if p.is_file() and p.parent.name != "trivy"]
    assert others
    assert [p.name for p in others if PARSER.sniff(sniff(p.read_bytes()))] == []


def test_the_severity_source_cvss_v4_score_rates_and_the_nearest_fix_is_chosen(
    corpus_dir: Path,
) -> None:
    findings = parse_file(corpus_dir, "cvssv4_severity_source.json")
    tomcat = by_ref(findings, "Results[0].Vulnerabilities[0]")
    assert (tomcat.rule_id, tomcat.cve_ids, tomcat.cwe_ids) == (
        "CVE-2025-66614",
        ("CVE-2025-66614",),
        ("CWE-20",),
    )
    assert tomcat.severity is RiskLevel.MODERATE  # ghsa V40Score 6.3
    assert tomcat.tool_type is ToolType.SCA
    assert tomcat.package is not None
    assert (tomcat.package.ecosystem, tomcat.package.name, tomcat.package.version) == (
        "maven",
        "org.apache.tomcat:tomcat-catalina",
        "9.0.109",
    )
    # FixedVersion "11.0.14, 10.1.49, 9.0.112": the upgrade on the installed 9.0 line
    assert tomcat.package.fixed_version == "9.0.112"
    assert tomcat.package.manifest_path == "catalina.jar"  # PkgPath, not the "Java" target
    assert tomcat.package.purl == "pkg:maven/org.apache.tomcat/tomcat-catalina@9.0.109"
    assert (tomcat.fix_available, tomcat.tool_version, tomcat.tool_fingerprint) == (
        True,
        "0.69.1",
        None,
    )


def test_cvss_of_the_severity_source_wins_over_the_label_but_not_over_the_vendor(
    corpus_dir: Path,
) -> None:
    prio = parse_file(corpus_dir, "severity_prio.json")
    # certifi: label CRITICAL, SeveritySource ghsa with V3Score 7.5 (nvd says 9.8)
    assert by_ref(prio, "Results[0].Vulnerabilities[1]").severity is RiskLevel.HIGH
    # curl: SeveritySource ubuntu has no CVSS entry, so the label (LOW) stands
    assert by_ref(prio, "Results[0].Vulnerabilities[0]").severity is RiskLevel.LOW
    statuses = parse_file(corpus_dir, "all_statuses.json")
    bash = by_ref(statuses, "Results[0].Vulnerabilities[1]")
    # SeveritySource debian rates LOW; NVD's 7.8 does not override the distribution
    assert (bash.rule_id, bash.severity) == ("CVE-2019-18276", RiskLevel.LOW)
    assert bash.tool_type is ToolType.CONTAINER  # Class os-pkgs
    assert bash.suppressed is True  # Status not_affected
    fixed_without_version = by_ref(statuses, "Results[0].Vulnerabilities[3]")
    assert fixed_without_version.package is not None
    assert fixed_without_version.package.fixed_version is None
    assert fixed_without_version.fix_available is True  # Status fixed
    assert sum(f.suppressed for f in statuses) == 1


def test_a_misconfiguration_is_iac_with_lines_and_the_cause_as_snippet(corpus_dir: Path) -> None:
    [finding] = parse_file(corpus_dir, "issue_14136.json")
    assert (finding.rule_id, finding.tool_type, finding.severity) == (
        "AVD-AWS-0143",
        ToolType.IAC,
        RiskLevel.LOW,
    )
    [location] = finding.locations
    assert (location.path, location.start_line, location.end_line) == (
        "../../aws-credentials/main.tf",
        20,
        24,
    )
    assert location.snippet is not None
    assert location.snippet.startswith('resource "aws_iam_user" "this" {')
    assert "\x1b" not in location.snippet  # the plain Content, not the highlighted copy


def test_a_secret_never_carries_the_matched_text(corpus_dir: Path) -> None:
    findings = parse_file(corpus_dir, "misconfigurations_and_secrets.json")
    secrets = [f for f in findings if f.tool_type is ToolType.SECRETS]
    assert [f.raw_record_ref for f in secrets] == ["Results[2].Secrets[0]", "Results[3].Secrets[0]"]
    dockerfile = secrets[0]
    assert (dockerfile.rule_id, dockerfile.severity) == ("github-pat", RiskLevel.CRITICAL)
    assert dockerfile.locations[0].path == "Dockerfile"
    assert (dockerfile.locations[0].start_line, dockerfile.locations[0].snippet) == (24, None)
    for secret in secrets:
        texts = [secret.title, secret.description or "", repr(secret.locations)]
        assert not any("GITHUB_PAT" in t or "*****" in t for t in texts)


def test_a_licence_is_a_governance_finding_keyed_by_package_and_licence(corpus_dir: Path) -> None:
    findings = parse_file(corpus_dir, "license_scheme.json")
    gpl = by_ref(findings, "Results[0].Licenses[0]")
    assert (gpl.rule_id, gpl.tool_type, gpl.severity) == (
        "GPL-2.0",
        ToolType.GOVERNANCE,
        RiskLevel.HIGH,
    )
    assert gpl.tool_fingerprint == "license|OS Packages|alpine-baselayout|GPL-2.0"
    loose = by_ref(findings, "Results[1].Licenses[0]")
    assert loose.locations[0].path == "/etc/ssl/misc/CA.pl"
    fingerprints = [f.tool_fingerprint for f in findings]
    assert len(set(fingerprints)) == len(fingerprints) == 19


def test_kubernetes_findings_are_located_at_their_resource(corpus_dir: Path) -> None:
    findings = parse_file(corpus_dir, "kubernetes.json")
    apt = by_ref(findings, "Vulnerabilities[0].Results[0].Vulnerabilities[0]")
    assert apt.tool_type is ToolType.CONTAINER
    assert apt.package is not None
    assert (apt.package.ecosystem, apt.package.name, apt.package.fixed_version) == (
        "debian",
        "apt",
        "1.8.2.2",
    )
    assert apt.package.manifest_path == "default/Deployment/redis-follower"
    ksv = by_ref(findings, "Misconfigurations[1].Results[0].Misconfigurations[0]")
    assert (ksv.rule_id, ksv.tool_type) == ("KSV001", ToolType.IAC)
    assert ksv.locations[0].path == "default/Deployment/redis-leader"
    current = parse_file(corpus_dir, "issue_9170.json")
    # Resources[11] is a Role whose result targets "Deployment/httpbin": the resource wins
    role = by_ref(current, "Resources[11].Results[0].Misconfigurations[0]")
    assert (role.rule_id, role.locations[0].path) == (
        "AVD-KSV-0001",
        "default/Role/caas-scanners-role",
    )


def test_a_legacy_report_cleans_the_fixed_version_constraint(corpus_dir: Path) -> None:
    findings, quarantined, _ = parse((corpus_dir / "trivy/legacy_trivy_mix.json").read_bytes())
    lodash = by_ref(findings, "[1].Vulnerabilities[0]")
    assert (lodash.tool_type, lodash.severity) == (ToolType.SCA, RiskLevel.HIGH)
    assert lodash.package is not None
    assert (lodash.package.ecosystem, lodash.package.fixed_version) == ("npm", "4.17.11")
    curl = by_ref(findings, "[2].Vulnerabilities[0]")
    assert (curl.tool_type, curl.package and curl.package.ecosystem) == (
        ToolType.CONTAINER,
        "alpine",
    )
    assert [q.raw_record_ref for q in quarantined] == ["[0].Vulnerabilities[0]"]


def test_records_with_wrong_types_are_quarantined_and_the_rest_still_parses() -> None:
    good = {"VulnerabilityID": "CVE-2021-1", "PkgName": "a", "InstalledVersion": "1"}
    document = {
        "SchemaVersion": 2,
        "Results": [
            {
                "Target": "req.txt",
                "Type": "pip",
                "Vulnerabilities": [
                    good,
                    {**good, "CVSS": {"nvd": {"V3Score": "high"}}},
                    {**good, "CweIDs": "CWE-79"},
                    {**good, "VulnerabilityID": 7},
                ],
                "Misconfigurations": [{"ID": "X1", "CauseMetadata": {"StartLine": "two"}}],
                "Secrets": "none",
            },
            "not a result",
        ],
    }
    findings, quarantined, _ = parse(json.dumps(document).encode())
    assert [f.raw_record_ref for f in findings] == ["Results[0].Vulnerabilities[0]"]
    assert [q.raw_record_ref for q in quarantined] == [
        "Results[0].Vulnerabilities[1]",
        "Results[0].Vulnerabilities[2]",
        "Results[0].Vulnerabilities[3]",
        "Results[0].Misconfigurations[0]",
        "Results[0].Secrets",
        "Results[1]",
    ]
    assert all(q.reason for q in quarantined)
    assert findings[0].package is not None
    assert findings[0].package.ecosystem == "pypi"


def test_a_kubernetes_resource_trivy_could_not_scan_is_a_scan_error() -> None:
    document = {
        "ClusterName": "c",
        "Resources": [{"Namespace": "ns", "Kind": "Pod", "Name": "p", "Error": "timeout"}, 3],
    }
    findings, quarantined, info = parse(json.dumps(document).encode())
    assert (findings, [q.raw_record_ref for q in quarantined]) == ([], ["Resources[1]"])
    assert info.scan_errors == ["Resources[0]: timeout"]


@pytest.mark.parametrize(
    "raw",
    [b"{", b"42", b'"text"', b'{"matches": []}', b'{"Results": {}}', b'{"Resources": 1}'],
)
def test_a_document_that_is_not_a_trivy_report_is_malformed(raw: bytes) -> None:
    with pytest.raises(MalformedReport) as caught:
        parse(raw)
    assert caught.value.code == "malformed_report"


def test_another_scanners_report_is_malformed_for_trivy(corpus_dir: Path) -> None:
    for other in ("snyk/single_project_one_vuln.json", "anchore_grype/check_all_fields.json"):
        with pytest.raises(MalformedReport):
            parse((corpus_dir / other).read_bytes())


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=20,
)
VULN = {
    "VulnerabilityID": "CVE-2021-1",
    "PkgName": "a",
    "InstalledVersion": "1",
    "FixedVersion": "2",
    "Severity": "HIGH",
    "SeveritySource": "nvd",
    "CVSS": {"nvd": {"V3Score": 7.5}},
    "CweIDs": ["CWE-1"],
    "PkgIdentifier": {"PURL": "pkg:pypi/a@1"},
    "Status": "fixed",
}
MISCONFIG = {
    "ID": "DS001",
    "Status": "FAIL",
    "Severity": "LOW",
    "CauseMetadata": {"StartLine": 1, "EndLine": 2, "Code": {"Lines": [{"Content": "x"}]}},
}


@settings(max_examples=150, deadline=None)
@given(
    section=st.sampled_from([("Vulnerabilities", VULN), ("Misconfigurations", MISCONFIG)]),
    key=st.sampled_from(sorted({*VULN, *MISCONFIG})),
    value=json_values,
)
def test_any_mutated_field_yields_a_record_or_a_quarantine_never_an_exception(
    section: tuple[str, dict[str, object]], key: str, value: object
) -> None:
    name, record = section
    document = {"SchemaVersion": 2, "Results": [{"Target": "t", name: [{**record, key: value}]}]}
    findings, quarantined, _ = parse(json.dumps(document).encode())
    assert len(findings) + len(quarantined) <= 1  # a PASS misconfiguration is no finding


@settings(max_examples=150, deadline=None)
@given(document=json_values)
def test_any_json_document_yields_records_or_is_malformed_never_another_error(
    document: object,
) -> None:
    with contextlib.suppress(MalformedReport):  # the one error a document may raise
        parse(json.dumps(document).encode())
