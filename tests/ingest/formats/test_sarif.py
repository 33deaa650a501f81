"""SARIF 2.1.0 from any tool: every corpus log parses to its hand-counted findings."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pearl_core.errors import MalformedReport
from pearl_core.ingest.pipeline import read_path, read_report
from pearl_core.ingest.records import NormalizedFinding, Quarantined

if TYPE_CHECKING:
    from tests.ingest.conftest import Sarif

# Findings per file, counted by hand with jq ('[.runs[]?.results[]?] | length')
# and by eye, not by the parser. "results" is the raw count; the findings column
# subtracts results that are not problems (kind "pass") and results repeated at
# the same rule, path, line and column in one report (in-report dedup).
EXPECTED: dict[str, tuple[int, int, str]] = {
    # file: (results, findings, why they differ)
    "sarif/SuppressionTestCurrent.sarif": (4, 4, ""),
    "sarif/appendix_k.sarif": (1, 1, ""),
    "sarif/appendix_k1.sarif": (0, 0, "a run with an empty results array"),
    "sarif/appendix_k1_double.sarif": (0, 0, "two runs, no results"),
    "sarif/appendix_k2.sarif": (1, 1, ""),
    "sarif/appendix_k3.sarif": (1, 1, ""),
    "sarif/appendix_k4.sarif": (1, 1, ""),
    "sarif/bash-report-fabricated-no-internal-dupes-subset.sarif": (4, 4, ""),
    "sarif/bash-report-fabricated-no-internal-dupes.sarif": (5, 5, ""),
    "sarif/bash-report-subset-same-hash-code-same-unique-id.sarif": (
        4,
        2,
        "results 0, 2, 3 are one rule at one line of one file",
    ),
    "sarif/bash-report.sarif": (27, 12, "3 results each reported 6 times at the same line"),
    "sarif/blackduck_nested_fingerprints.sarif": (5, 5, ""),
    "sarif/codeQL-output.sarif": (72, 72, ""),
    "sarif/cxf-3.4.6.sarif": (22, 22, ""),
    "sarif/dependency_check.sarif": (13, 13, ""),
    "sarif/dockle_0_3_15.sarif": (4, 4, ""),
    "sarif/flawfinder.sarif": (54, 53, "one result of kind 'pass'"),
    "sarif/gitleaks_7.5.0.sarif": (8, 4, "4 secrets each found again in a second commit"),
    "sarif/issue_10191.json": (77, 77, "Semgrep: results before tool"),
    "sarif/mobsfscan.json": (9, 9, ""),
    "sarif/njsscan.sarif": (2, 2, ""),
    "sarif/no_runs.sarif": (0, 0, "an empty runs array"),
    "sarif/spotbugs.sarif": (56, 56, ""),
    "sarif/suppression_test.sarif": (5, 5, ""),
    "sarif/taint-python-report.sarif": (11, 11, ""),
    "snyk_code/single_project_many_vulns.json": (206, 206, ""),
    "snyk_code/snykcode_issue_9270.json": (39, 39, ""),
}


def read(corpus_dir: Path, name: str) -> list[NormalizedFinding | Quarantined]:
    with read_path(corpus_dir / name) as report:
        assert report.format == "sarif"
        return list(report.items)


def findings(corpus_dir: Path, name: str) -> list[NormalizedFinding]:
    items = read(corpus_dir, name)
    assert all(isinstance(item, NormalizedFinding) for item in items)
    return [item for item in items if isinstance(item, NormalizedFinding)]


def test_the_count_table_covers_every_sarif_and_snyk_code_corpus_file(corpus_dir: Path) -> None:
    on_disk = {
        f"{folder}/{path.name}"
        for folder in ("sarif", "snyk_code")
        for path in (corpus_dir / folder).iterdir()
    }
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize(("name", "counts"), sorted(EXPECTED.items()))
def test_every_corpus_log_parses_to_its_hand_counted_findings(
    corpus_dir: Path, name: str, counts: tuple[int, int, str]
) -> None:
    raw = json.loads((corpus_dir / name).read_bytes())
    assert sum(len(run.get("results") or []) for run in raw["runs"]) == counts[0]
    assert len(findings(corpus_dir, name)) == counts[1]


def test_a_result_maps_rule_severity_cwe_location_and_snippet_hash(corpus_dir: Path) -> None:
    first = findings(corpus_dir, "sarif/flawfinder.sarif")[0]
    finding = first.finding
    assert (finding.tool_name, finding.tool_type, finding.rule_id) == (
        "Flawfinder",
        "sast",
        "FF1048",
    )
    assert finding.severity == "high"  # the rule's defaultConfiguration.level "error"
    assert finding.cwe_ids == ("CWE-327",)  # from the rule's CWE taxonomy relationship
    location = finding.locations[0]
    assert (location.path, location.start_line, location.start_column) == (
        "src/tree/param.cc",
        29,
        10,
    )
    assert first.snippet_hashes[0] is not None
    assert finding.tool_fingerprint is not None
    assert finding.tool_fingerprint.startswith("contextHash/v1=")
    assert first.fingerprint.startswith("tool:")


def test_a_security_severity_score_sets_the_severity(corpus_dir: Path) -> None:
    grype = findings(corpus_dir, "sarif/cxf-3.4.6.sarif")
    assert grype[0].finding.severity == "low"  # security-severity 2.1
    assert grype[6].finding.severity == "high"  # security-severity 7.8
    assert grype[0].finding.tool_type == "sca"
    assert grype[0].finding.cve_ids == ("CVE-2008-0732",)


def test_levels_map_to_the_pearl_scale(corpus_dir: Path) -> None:
    dockle = findings(corpus_dir, "sarif/dockle_0_3_15.sarif")
    assert [item.finding.severity for item in dockle] == ["high", "low", "low", "low"]
    assert {item.finding.tool_type for item in dockle} == {"container"}


def test_suppressions_without_status_or_accepted_mark_the_finding_suppressed(
    corpus_dir: Path,
) -> None:
    items = findings(corpus_dir, "sarif/suppression_test.sarif")
    suppressed = {item.finding.title: item.finding.suppressed for item in items}
    assert suppressed == {"Suppressed": True, "Not suppressed": False}
    assert findings(corpus_dir, "sarif/appendix_k4.sarif")[0].finding.suppressed


def test_a_message_template_is_filled_from_the_rule(corpus_dir: Path) -> None:
    finding = findings(corpus_dir, "sarif/appendix_k2.sarif")[0].finding
    assert finding.title == 'Variable "count" was used without being initialized.'
    assert finding.description is not None
    assert "runtime errors" in finding.description  # the rule's full description


def test_file_uris_become_paths(corpus_dir: Path) -> None:
    njsscan = findings(corpus_dir, "sarif/njsscan.sarif")
    assert njsscan[1].finding.locations[0].path == "/src/index.js"
    assert [item.finding.cwe_ids for item in njsscan] == [("CWE-327",), ("CWE-798",)]


def test_cwe_tags_in_codeql_style_are_read(corpus_dir: Path) -> None:
    codeql = findings(corpus_dir, "sarif/codeQL-output.sarif")
    assert all(item.finding.cwe_ids == ("CWE-390",) for item in codeql[:4])
    assert {item.finding.confidence for item in codeql} <= {"high", "medium", "low", None}


def test_a_cve_in_the_message_is_collected(corpus_dir: Path) -> None:
    finding = findings(corpus_dir, "sarif/dependency_check.sarif")[6].finding
    assert finding.cve_ids == ("CVE-2019-11358",)
    assert finding.tool_type == "sca"


def test_nested_fingerprint_values_are_read(corpus_dir: Path) -> None:
    finding = findings(corpus_dir, "sarif/blackduck_nested_fingerprints.sarif")[0].finding
    assert finding.tool_fingerprint == "csvRowSha256=" + "a" * 64
    assert finding.cve_ids == ("CVE-2020-11022",)
    assert finding.tool_type == "sca"  # an unlisted tool, but the result names a CVE


def test_secrets_from_gitleaks_are_typed_as_secrets(corpus_dir: Path) -> None:
    items = findings(corpus_dir, "sarif/gitleaks_7.5.0.sarif")
    assert {item.finding.tool_type for item in items} == {"secrets"}


def test_results_written_before_tool_still_get_their_rules(corpus_dir: Path) -> None:
    semgrep = findings(corpus_dir, "sarif/issue_10191.json")
    assert all(item.finding.cwe_ids for item in semgrep)
    assert {item.finding.severity for item in semgrep} == {"high", "moderate"}


def test_a_failed_execution_is_a_scan_error(corpus_dir: Path) -> None:
    with read_path(corpus_dir / "sarif" / "spotbugs.sarif") as report:
        list(report.items)
        assert len(report.info.scan_errors) == 1
    with read_path(corpus_dir / "sarif" / "mobsfscan.json") as report:
        list(report.items)
        assert report.info.scan_errors == []


def test_results_of_each_run_get_their_own_tool(sarif: Sarif) -> None:
    first = sarif.run(sarif.result(rule="A1"), tool="Trivy")
    second = sarif.run(sarif.result(rule="B1", path="b.py"), tool="Gitleaks")
    items = sarif.findings(sarif.log(first, second))
    assert [(i.finding.tool_name, i.finding.tool_type) for i in items] == [
        ("Trivy", "sca"),
        ("Gitleaks", "secrets"),
    ]
    assert [i.finding.raw_record_ref for i in items] == ["runs[0].results[0]", "runs[1].results[0]"]


def test_a_run_with_results_but_no_tool_is_malformed(sarif: Sarif) -> None:
    document = json.dumps(
        {"version": "2.1.0", "runs": [sarif.run(), {"results": [sarif.result()]}]}
    ).encode()
    with pytest.raises(MalformedReport) as caught:
        sarif.read(document)
    assert caught.value.code == "malformed_report"


def test_a_tool_without_a_driver_name_is_malformed(sarif: Sarif) -> None:
    document = json.dumps(
        {"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": []}]}
    ).encode()
    with pytest.raises(MalformedReport):
        sarif.read(document)


@pytest.mark.parametrize(
    "document",
    [
        {"version": "1.0.0", "runs": []},
        {"version": "2.1.0", "runs": {"tool": {}}},
        {"version": "2.1.0"},
    ],
)
def test_a_log_of_another_version_or_without_a_runs_array_is_malformed(
    document: dict[str, Any],
) -> None:
    report = read_report(io.BytesIO(json.dumps(document).encode()), source_name="x", format="sarif")
    with pytest.raises(MalformedReport):
        list(report.items)


def test_a_bad_rule_is_left_out_and_its_results_still_ingest(sarif: Sarif) -> None:
    rules = [{"id": "good", "defaultConfiguration": {"level": "error"}}, {"name": "no id"}]
    items = sarif.findings(
        sarif.log(
            sarif.run(sarif.result(rule="good"), sarif.result(rule="bad", ruleIndex=1), rules=rules)
        )
    )
    assert [item.finding.severity for item in items] == ["high", "moderate"]


def test_a_result_that_is_not_an_object_or_has_a_bad_rule_id_is_quarantined(sarif: Sarif) -> None:
    items = sarif.read(sarif.log(sarif.run(sarif.result(), 7, sarif.result(rule=None, ruleId=5))))
    assert [type(item).__name__ for item in items] == [
        "NormalizedFinding",
        "Quarantined",
        "Quarantined",
    ]


def test_results_that_report_no_problem_are_skipped(sarif: Sarif) -> None:
    results = [
        sarif.result(line=1, kind="pass"),
        sarif.result(line=2, kind="notApplicable"),
        sarif.result(line=3, kind="informational"),
        sarif.result(line=4, baselineState="absent"),
        sarif.result(line=5, kind="review"),
    ]
    items = sarif.findings(sarif.log(sarif.run(*results)))
    assert [item.finding.locations[0].start_line for item in items] == [5]


def test_fingerprints_are_preferred_over_partial_fingerprints(sarif: Sarif) -> None:
    both = sarif.result(
        fingerprints={"stableResultHash/v1": "old", "stableResultHash/v2": "new"},
        partialFingerprints={"primaryLocationLineHash": "abc:1"},
    )
    (item,) = sarif.findings(sarif.log(sarif.run(both)))
    assert item.finding.tool_fingerprint == "stableResultHash/v2=new"


def test_rule_metadata_is_found_by_index_in_a_tool_extension(sarif: Sarif) -> None:
    tool = {
        "driver": {"name": "CodeQL"},
        "extensions": [
            {
                "name": "codeql/python-queries",
                "rules": [
                    {
                        "id": "py/path-injection",
                        "properties": {
                            "tags": ["security", "external/cwe/cwe-022"],
                            "security-severity": "7.5",
                        },
                    }
                ],
            }
        ],
    }
    result = sarif.result(rule="py/path-injection")
    result["rule"] = {"index": 0, "toolComponent": {"index": 0}}
    document = json.dumps({"version": "2.1.0", "runs": [{"tool": tool, "results": [result]}]})
    (item,) = sarif.findings(document.encode())
    assert item.finding.cwe_ids == ("CWE-22",)
    assert item.finding.severity == "high"


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a node of a JSON value, the root excluded."""
    children: list[tuple[Any, Any]] = []
    if isinstance(value, dict):
        children = list(value.items())
    elif isinstance(value, list):
        children = list(enumerate(value))
    found: list[tuple[Any, ...]] = []
    for key, child in children:
        found.append((*prefix, key))
        found.extend(_paths(child, (*prefix, key)))
    return found


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    copy = json.loads(json.dumps(value))
    node = copy
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = new
    return copy


@pytest.mark.parametrize("wrong", [[], {}, 7, -1, None, True, "", 1.5])
def test_a_wrong_type_anywhere_in_a_run_gives_a_finding_or_a_typed_error(
    corpus_dir: Path, wrong: Any
) -> None:
    raw = json.loads((corpus_dir / "sarif" / "appendix_k.sarif").read_bytes())
    run = raw["runs"][0]
    for path in _paths(run):
        document = json.dumps({**raw, "runs": [_replaced(run, path, wrong)]}).encode()
        report = read_report(io.BytesIO(document), source_name="k.sarif", format="sarif")
        try:
            items = list(report.items)
        except MalformedReport:
            assert path[0] == "tool", path  # only a broken tool breaks the whole log
            continue
        assert len(items) <= 1, path


def test_a_null_runs_array_is_a_log_with_no_findings() -> None:
    document = b'{"version": "2.1.0", "runs": null}'
    report = read_report(io.BytesIO(document), source_name="x", format="sarif")
    assert list(report.items) == []


def test_deeply_nested_values_inside_a_result_are_ignored(sarif: Sarif) -> None:
    deep = "[" * 10_000 + "]" * 10_000
    result = sarif.result(message="")
    result["message"] = {"id": "default", "arguments": ["@DEEP@"]}
    result["properties"] = {"tags": "@DEEP@", "security-severity": "@DEEP@"}
    document = sarif.log(sarif.run(result, rules=[{"id": "py/sql-injection"}]))
    document = document.replace(b'"@DEEP@"', deep.encode())
    (item,) = sarif.findings(document)
    assert item.finding.title == "py/sql-injection"
