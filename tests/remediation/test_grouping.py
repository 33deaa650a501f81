"""Grouping findings into work units: one upgrade, one rule per file, one secret each."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from remediation_inputs import PROJECT_ID, sast, sca, secret

from pearl_core import Finding, ValidationFailed
from pearl_core.domain.enums import Confidence, Exploitability, RiskLevel
from pearl_core.remediation import WorkUnit, group_findings
from pearl_core.testing import make_finding


def _shape(units: list[WorkUnit]) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(unit.key, unit.kind, unit.finding_ids) for unit in units]


def test_many_cves_of_one_package_in_one_manifest_are_one_upgrade_to_the_highest_fix() -> None:
    findings = [
        sca("requests", "2.31.0", cve="CVE-2023-32681"),
        sca("Requests", "2.9.1", cve="CVE-2018-18074"),
        sca("requests", "2.32.0", cve="CVE-2024-35195", severity=RiskLevel.CRITICAL),
        sca("requests", None, cve="CVE-2099-0001"),
    ]

    [unit] = group_findings(findings)

    assert (unit.key, unit.kind) == ("dep:pypi:requests@requirements.txt", "dependency")
    assert unit.finding_ids == tuple(sorted(f.finding_id for f in findings))
    assert unit.target_version == "2.32.0"
    assert unit.package is not None
    assert (unit.package.name, unit.package.fixed_version) == ("requests", "2.32.0")
    assert unit.max_severity is RiskLevel.CRITICAL
    assert unit.cve_ids == (
        "CVE-2018-18074",
        "CVE-2023-32681",
        "CVE-2024-35195",
        "CVE-2099-0001",
    )
    assert unit.fix_available is False  # one advisory has no fixed version


def test_the_same_package_in_two_manifests_is_two_units() -> None:
    units = group_findings(
        [
            sca("requests", manifest="requirements.txt"),
            sca("requests", manifest="svc/pyproject.toml"),
        ]
    )

    assert [unit.key for unit in units] == [
        "dep:pypi:requests@requirements.txt",
        "dep:pypi:requests@svc/pyproject.toml",
    ]


def test_the_same_rule_in_two_files_is_two_units_and_twice_in_one_file_is_one() -> None:
    first, again, other = sast("app/db.py", 10), sast("./app/db.py", 80), sast("app/orders.py")

    units = group_findings([first, again, other])

    assert _shape(units) == [
        (
            "code:pearl.python.sql-injection:app/db.py",
            "code",
            tuple(sorted([first.finding_id, again.finding_id])),
        ),
        ("code:pearl.python.sql-injection:app/orders.py", "code", (other.finding_id,)),
    ]
    assert units[0].paths == ("app/db.py",)


def test_two_secrets_in_one_file_are_two_units() -> None:
    first, second = secret("config/settings.py", 3), secret("config/settings.py", 9)

    units = group_findings([first, second])

    assert _shape(units) == sorted(
        [
            (f"secret:{first.finding_id}", "secret", (first.finding_id,)),
            (f"secret:{second.finding_id}", "secret", (second.finding_id,)),
        ]
    )


def test_a_finding_without_location_or_package_is_a_unit_of_its_own() -> None:
    lone = make_finding(project_id=PROJECT_ID, locations=[], title="Missing threat model")
    same_rule = make_finding(project_id=PROJECT_ID, locations=[], title="Missing threat model")

    units = group_findings([lone, same_rule])

    assert sorted(unit.key for unit in units) == sorted(
        [f"finding:{lone.finding_id}", f"finding:{same_rule.finding_id}"]
    )
    assert all(unit.kind == "code" for unit in units)


def test_a_rule_without_an_id_groups_by_its_title() -> None:
    one = sast(rule_id=None, title="Weak   hash\nused")
    two = sast(rule_id=None, title="Weak hash used", locations=one.locations)

    [unit] = group_findings([one, two])

    assert unit.key == "code:Weak hash used:app/db.py"


def test_a_unit_takes_its_worst_exploitability_and_least_confidence() -> None:
    [unit] = group_findings(
        [
            sca("requests", exploitability=Exploitability.LOW, confidence=Confidence.HIGH),
            sca("requests", exploitability=None, confidence=Confidence.LOW),
        ]
    )

    assert unit.worst_exploitability is Exploitability.UNKNOWN
    assert unit.min_confidence is Confidence.LOW


def test_a_finding_given_twice_is_refused() -> None:
    finding = sast()

    with pytest.raises(ValidationFailed) as caught:
        group_findings([finding, finding])

    assert caught.value.code == "validation_failed"


_MIXED: list[Finding] = [
    sast("app/db.py", 10),
    sast("app/db.py", 30),
    sast("app/orders.py"),
    sast("app/db.py", rule_id="pearl.python.xss"),
    sca("requests", "2.31.0"),
    sca("requests", "2.32.0", cve="CVE-2023-32681"),
    sca("django", "4.2.1", cve="CVE-2023-31047"),
    sca("requests", manifest="svc/pyproject.toml"),
    secret("config/settings.py", 3),
    secret("config/settings.py", 9),
    make_finding(project_id=PROJECT_ID, locations=[]),
]
_EXPECTED = _shape(group_findings(_MIXED))


@settings(max_examples=60, deadline=None)
@given(st.permutations(_MIXED))
def test_units_and_their_order_do_not_depend_on_the_input_order(shuffled: list[Finding]) -> None:
    units = group_findings(shuffled)

    assert _shape(units) == _EXPECTED
    assert [unit.key for unit in units] == sorted(unit.key for unit in units)
    assert [unit.target_version for unit in units] == [
        unit.target_version for unit in group_findings(_MIXED)
    ]
