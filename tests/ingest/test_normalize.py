"""Normalisation cleans every string and repairs what the domain model would reject."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pearl_core.domain.enums import RiskLevel, ToolType
from pearl_core.ingest.normalize import Normalizer, Unrepairable, normalize
from pearl_core.ingest.records import ParsedFinding, ParsedLocation, ParsedPackage


def parsed(**changes: object) -> ParsedFinding:
    base = ParsedFinding(
        tool_name="Bandit",
        tool_type=ToolType.SAST,
        rule_id="B608",
        title="Possible SQL injection",
        severity=RiskLevel.MODERATE,
        raw_record_ref="results[0]",
        locations=(ParsedLocation(path="app/db.py", start_line=4, snippet="q = 'a' + b"),),
    )
    return replace(base, **changes)


def package(**changes: str | None) -> ParsedPackage:
    return replace(ParsedPackage(ecosystem="PyPI", name="Django", version="3.2.1"), **changes)


def test_snippets_are_replaced_by_their_hashes() -> None:
    finding, hashes = normalize(parsed())
    assert finding.locations[0].snippet is None
    assert hashes[0] is not None
    assert len(hashes[0]) == 64


def test_an_empty_title_falls_back_to_the_rule_id_then_the_tool() -> None:
    assert normalize(parsed(title="\u202e \x00"))[0].title == "B608"
    assert normalize(parsed(title="", rule_id=None))[0].title == "Bandit finding"


def test_impossible_line_numbers_are_dropped() -> None:
    location = ParsedLocation(path="a.py", start_line=0, end_line=3, start_column=-1, end_column=0)
    repaired = normalize(parsed(locations=(location,)))[0].locations[0]
    assert (repaired.start_line, repaired.end_line) == (None, None)
    assert (repaired.start_column, repaired.end_column) == (None, None)


def test_an_end_line_before_its_start_line_is_dropped() -> None:
    location = ParsedLocation(path="a.py", start_line=9, end_line=3)
    repaired = normalize(parsed(locations=(location,)))[0].locations[0]
    assert (repaired.start_line, repaired.end_line) == (9, None)


def test_a_location_whose_path_is_empty_after_cleaning_is_dropped() -> None:
    finding, hashes = normalize(parsed(locations=(ParsedLocation(path="\u200b"),)))
    assert finding.locations == ()
    assert hashes == ()


def test_paths_are_normalised() -> None:
    location = ParsedLocation(path=".\\src//app\\db.py")
    assert normalize(parsed(locations=(location,)))[0].locations[0].path == "src/app/db.py"


def test_cwe_and_cve_ids_are_spelled_one_way_and_junk_is_dropped() -> None:
    finding, _ = normalize(
        parsed(
            cwe_ids=("cwe-079", "CWE-79", "CWE-89", "79", "CWE-"),
            cve_ids=("cve-2021-44228", "CVE-2021-44228", "GHSA-xxxx", "CVE-21-1"),
        )
    )
    assert finding.cwe_ids == ("CWE-79", "CWE-89")
    assert finding.cve_ids == ("CVE-2021-44228",)


def test_the_ecosystem_is_canonical_and_a_bad_purl_is_dropped() -> None:
    finding, _ = normalize(parsed(package=package(purl="npm:not-a-purl")))
    assert finding.package is not None
    assert (finding.package.ecosystem, finding.package.purl) == ("pypi", None)


@pytest.mark.parametrize("field", ["ecosystem", "name", "version"])
def test_a_package_without_a_name_version_or_ecosystem_cannot_be_repaired(field: str) -> None:
    with pytest.raises(Unrepairable):
        normalize(parsed(package=package(**{field: " \x00 "})))


def test_a_normalizer_gives_the_same_result_with_its_cache_warm() -> None:
    normalizer = Normalizer()
    record = parsed(cwe_ids=("CWE-79",), tool_version="1.7.5")
    assert normalizer(record) == normalizer(record) == normalize(record)
