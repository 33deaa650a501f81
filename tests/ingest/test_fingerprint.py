"""A finding keeps its fingerprint across rescans, and distinct problems never share one."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from pearl_core.domain.enums import RiskLevel, ToolType
from pearl_core.ingest.fingerprint import (
    canonical_ecosystem,
    canonical_package_name,
    cross_tool_key,
    identity,
    normalise_path,
    snippet_hash,
)
from pearl_core.ingest.records import ParsedFinding, ParsedLocation, ParsedPackage

if TYPE_CHECKING:
    from tests.ingest.conftest import Sarif


def sca_finding(
    version: str = "4.17.4", cves: tuple[str, ...] = ("CVE-2020-8203",)
) -> ParsedFinding:
    return ParsedFinding(
        tool_name="trivy",
        tool_type=ToolType.SCA,
        rule_id="CVE-2020-8203",
        title="Prototype pollution in lodash",
        severity=RiskLevel.HIGH,
        raw_record_ref="Results[0].Vulnerabilities[0]",
        cve_ids=cves,
        package=ParsedPackage(
            ecosystem="npm", name="lodash", version=version, manifest_path="package-lock.json"
        ),
    )


def test_moving_lines_above_a_finding_keeps_its_fingerprint(sarif: Sarif) -> None:
    before = sarif.log(
        sarif.run(sarif.result(line=10), sarif.result(rule="py/xss", line=40, snippet="render(x)"))
    )
    after = sarif.log(
        sarif.run(sarif.result(line=17), sarif.result(rule="py/xss", line=52, snippet="render(x)"))
    )
    assert sarif.fingerprints(before) == sarif.fingerprints(after)


def test_reindenting_the_flagged_code_keeps_its_fingerprint(sarif: Sarif) -> None:
    before = sarif.log(sarif.run(sarif.result(snippet="cursor.execute(query)")))
    after = sarif.log(
        sarif.run(sarif.result(snippet="        cursor.execute( query)".replace("( ", "(")))
    )
    assert sarif.fingerprints(before) == sarif.fingerprints(after)


def test_a_different_rule_on_the_same_code_is_a_different_finding(sarif: Sarif) -> None:
    first, second = sarif.fingerprints(
        sarif.log(sarif.run(sarif.result(rule="py/a"), sarif.result(rule="py/b")))
    )
    assert first != second


def test_the_same_rule_on_different_code_in_one_file_is_a_different_finding(sarif: Sarif) -> None:
    first, second = sarif.fingerprints(
        sarif.log(
            sarif.run(
                sarif.result(line=3, snippet="eval(a)"), sarif.result(line=9, snippet="eval(b)")
            )
        )
    )
    assert first != second


def test_the_same_snippet_twice_in_one_file_gives_two_fingerprints(sarif: Sarif) -> None:
    report = sarif.log(
        sarif.run(sarif.result(line=3, snippet="eval(x)"), sarif.result(line=30, snippet="eval(x)"))
    )
    first, second = sarif.fingerprints(report)
    assert first != second
    shifted = sarif.log(
        sarif.run(sarif.result(line=8, snippet="eval(x)"), sarif.result(line=35, snippet="eval(x)"))
    )
    assert sarif.fingerprints(shifted) == [first, second]


def test_the_same_result_at_the_same_line_twice_is_one_finding(sarif: Sarif) -> None:
    assert (
        len(sarif.fingerprints(sarif.log(sarif.run(sarif.result(line=3), sarif.result(line=3)))))
        == 1
    )


def test_the_same_snippet_in_two_files_gives_two_fingerprints(sarif: Sarif) -> None:
    first, second = sarif.fingerprints(
        sarif.log(sarif.run(sarif.result(path="a.py"), sarif.result(path="b.py")))
    )
    assert first != second


def test_the_tool_fingerprint_is_preferred_over_the_location(sarif: Sarif) -> None:
    stable = {"fingerprints": {"matchBasedId/v1": "abc123"}}
    before = sarif.fingerprints(
        sarif.log(sarif.run(sarif.result(line=3, snippet="old code", **stable)))
    )
    after = sarif.fingerprints(
        sarif.log(sarif.run(sarif.result(line=90, snippet="new code", **stable)))
    )
    assert before == after
    assert before[0].startswith("tool:")


def test_a_positional_partial_fingerprint_is_not_part_of_identity(sarif: Sarif) -> None:
    def with_column(column: str) -> bytes:
        partial = {
            "primaryLocationLineHash": "9cbc869f:1",
            "primaryLocationStartColumnFingerprint": column,
        }
        return sarif.log(sarif.run(sarif.result(partialFingerprints=partial)))

    assert sarif.fingerprints(with_column("0")) == sarif.fingerprints(with_column("8"))


def test_without_a_snippet_the_title_and_path_identify_the_finding(sarif: Sarif) -> None:
    first = sarif.fingerprints(
        sarif.log(sarif.run(sarif.result(snippet=None, line=5, message="Weak hash.")))
    )
    moved = sarif.fingerprints(
        sarif.log(sarif.run(sarif.result(snippet=None, line=50, message="Weak hash.")))
    )
    other = sarif.fingerprints(
        sarif.log(sarif.run(sarif.result(snippet=None, line=5, message="Weak cipher.")))
    )
    assert first == moved
    assert first != other
    assert first[0].startswith("loc:")


def test_a_package_finding_keeps_its_identity_when_the_version_changes() -> None:
    assert identity(sca_finding("4.17.4"), None) == identity(sca_finding("4.17.11"), None)
    assert identity(sca_finding(), None)[0] == "sca"


def test_a_package_finding_with_another_advisory_is_another_finding() -> None:
    other = sca_finding(cves=("CVE-2019-10744",))
    assert identity(sca_finding(), None) != identity(other, None)


def test_the_cross_tool_key_joins_cve_ecosystem_name_and_manifest() -> None:
    assert cross_tool_key(sca_finding()) == "CVE-2020-8203|npm|lodash|package-lock.json"


def test_a_finding_without_a_cve_or_package_has_no_cross_tool_key() -> None:
    assert cross_tool_key(sca_finding(cves=())) is None
    sast = ParsedFinding(
        tool_name="bandit",
        tool_type=ToolType.SAST,
        rule_id="B303",
        title="md5",
        severity=RiskLevel.LOW,
        raw_record_ref="results[0]",
        cve_ids=("CVE-2020-1",),
        locations=(ParsedLocation(path="a.py"),),
    )
    assert cross_tool_key(sast) is None


def test_paths_are_compared_in_posix_form_without_dot_segments() -> None:
    assert normalise_path(".\\src\\\\app/./db.py") == "src/app/db.py"
    assert normalise_path("././src//App.py") == "src/App.py"
    assert normalise_path("/abs/../x.py") == "/abs/../x.py"


def test_ecosystems_and_pypi_names_are_canonical() -> None:
    assert canonical_ecosystem("PIP") == "pypi"
    assert canonical_ecosystem("golang") == "go"
    assert canonical_package_name("pip", "Django_REST.framework") == "django-rest-framework"
    assert canonical_package_name("npm", "@Babel/Core") == "@babel/core"


def test_the_snippet_hash_is_sha256_of_the_whitespace_collapsed_snippet() -> None:
    expected = hashlib.sha256(b"if x: eval(y)").hexdigest()
    assert snippet_hash("  if x:\n\teval(y)  ") == expected
    assert snippet_hash(" \n ") is None
    assert snippet_hash(None) is None


def test_every_fingerprint_fits_the_domain_limit(sarif: Sarif) -> None:
    prints = sarif.fingerprints(
        sarif.log(sarif.run(sarif.result(), sarif.result(line=99), sarif.result(snippet=None)))
    )
    assert all(len(value) <= 200 for value in prints)
