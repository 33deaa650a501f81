"""The structural JSON diff behind ``pearl policy diff``."""

from __future__ import annotations

from typing import Any

import pytest

from pearl_core.domain.diff import Change, diff_json


def lines(old: Any, new: Any) -> list[str]:
    return [change.line() for change in diff_json(old, new)]


def test_equal_values_have_no_changes() -> None:
    doc = {"a": [1, {"b": None}], "c": "x"}

    assert diff_json(doc, {"c": "x", "a": [1.0, {"b": None}]}) == []


def test_objects_diff_key_by_key_at_the_deepest_path() -> None:
    old = {"defaults": {"iam": {"least_privilege": True, "mfa": True}}, "name": "a"}
    new = {"defaults": {"iam": {"least_privilege": False, "sso": True}}, "name": "a"}

    assert diff_json(old, new) == [
        Change("defaults.iam.least_privilege", "changed", old=True, new=False),
        Change("defaults.iam.mfa", "removed", old=True),
        Change("defaults.iam.sso", "added", new=True),
    ]


def test_an_insertion_in_a_list_is_one_addition_at_its_new_index() -> None:
    old = {"blocked": ["prod_deploy", "secret_access", "iam_changes"]}
    new = {"blocked": ["prod_deploy", "network_egress", "secret_access", "iam_changes"]}

    assert lines(old, new) == ['+ blocked[1]: "network_egress"']


def test_list_replacements_removals_and_additions_carry_their_indexes() -> None:
    old = {"allowed": ["code_edit", "test_run", "command_run", "config_edit"]}
    new = {"allowed": ["code_edit", "test_create", "command_run", "deploy", "lint"]}

    assert lines(old, new) == [
        '~ allowed[1]: "test_run" -> "test_create"',
        '~ allowed[3]: "config_edit" -> "deploy"',
        '+ allowed[4]: "lint"',
    ]
    assert lines({"x": [1, 2, 3]}, {"x": [3]}) == ["- x[0]: 1", "- x[1]: 2"]


def test_lists_are_order_sensitive() -> None:
    assert lines(["a", "b"], ["b", "a"]) == ['+ $[0]: "b"', '- $[1]: "b"']


def test_objects_inside_lists_are_diffed_recursively() -> None:
    old = {"rules": [{"id": "r1", "level": "high"}]}
    new = {"rules": [{"id": "r1", "level": "low"}]}

    assert lines(old, new) == ['~ rules[0].level: "high" -> "low"']


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (True, 1, "~ $: true -> 1"),
        ({"a": None}, {"a": "x"}, '~ a: null -> "x"'),
        ({"a": [1]}, {"a": {"0": 1}}, '~ a: [1] -> {"0": 1}'),
        ({"pre-prod": 1}, {"pre-prod": 2}, '~ $["pre-prod"]: 1 -> 2'),
        ({"env": {"pre-prod": 1}}, {"env": {}}, '- env["pre-prod"]: 1'),
    ],
)
def test_type_changes_and_odd_keys_read_clearly(old: Any, new: Any, expected: str) -> None:
    assert lines(old, new) == [expected]


def test_a_change_serialises_to_a_plain_dict() -> None:
    [change] = diff_json({"a": 1}, {"a": 2})

    assert change.to_dict() == {"path": "a", "op": "changed", "old": 1, "new": 2}
