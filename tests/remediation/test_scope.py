"""Allowed paths: the findings' files, exactly, and never anything broad or escaping."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from remediation_inputs import sast, sca

from pearl_core.domain.findings import Location
from pearl_core.remediation import TESTS_GLOB, allowed_paths, group_findings, safe_relative_path

_SAFE = re.compile(r"^[\x20-\x7e]+$")


def _assert_plain(path: str) -> None:
    assert path not in ("**", "*", ".", "")
    assert not path.startswith(("/", "-"))
    assert ".." not in path.split("/")
    assert "//" not in path
    assert _SAFE.match(path)
    assert not set(path) & set("\\:~?[]{}!")


def test_allowed_paths_are_the_files_normalised_and_never_escapes() -> None:
    finding = sast(
        locations=[
            Location(path="./app/./db.py"),
            Location(path="../etc/passwd"),
            Location(path="/srv/app/db.py"),
            Location(path="app/*"),
            Location(path="app/../../outside.py"),
            Location(path="C:/win.py"),
            Location(path="~/.ssh/config"),
            Location(path="app/util.py"),
        ]
    )
    [unit] = group_findings([finding])

    assert allowed_paths(unit, include_tests=False) == ["app/db.py", "app/util.py"]
    assert allowed_paths(unit, include_tests=True) == ["app/db.py", "app/util.py", TESTS_GLOB]


def test_a_manifest_brings_its_lock_files_and_nothing_else() -> None:
    [unit] = group_findings([sca("requests", manifest="svc/pyproject.toml")])

    assert allowed_paths(unit, include_tests=False) == [
        "svc/pdm.lock",
        "svc/poetry.lock",
        "svc/pyproject.toml",
        "svc/uv.lock",
    ]


def test_a_plain_requirements_file_is_allowed_alone() -> None:
    [unit] = group_findings([sca("requests")])

    assert allowed_paths(unit, include_tests=False) == ["requirements.txt"]


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab./-*?~:\\ \x00é[]")), max_size=20))
def test_no_reported_path_yields_a_broad_or_escaping_glob(raw: str) -> None:
    safe = safe_relative_path(raw)

    if safe is not None:
        _assert_plain(safe)
