"""Decision records and the input mask: what the decision log keeps, and what it never does."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from pearl_core.canonical import canonical_json, sha256_hex
from pearl_core.domain.decisions import DEFAULT_MASK_FIELDS, MASKED, DecisionRecord, InputMask
from pearl_core.domain.enums import PrincipalKind

DEFAULT = InputMask.of(DEFAULT_MASK_FIELDS)


def test_default_fields_are_masked_at_any_depth_and_in_arrays() -> None:
    value = {
        "path": "src/app.py",
        "token": "t",
        "env": {"PASSWORD": "p", "user": "u"},
        "steps": [{"authorization": "a"}, {"note": "n", "private_key": {"pem": "k"}}],
    }

    assert DEFAULT.apply(value) == {
        "path": "src/app.py",
        "token": MASKED,
        "env": {"PASSWORD": MASKED, "user": "u"},
        "steps": [{"authorization": MASKED}, {"note": "n", "private_key": MASKED}],
    }


def test_key_names_match_across_case_dashes_and_underscores_only() -> None:
    mask = InputMask.of(["api_key"])

    assert mask.apply({"API-Key": 1, "apiKey": 2, "api_key_id": 3, "x_api_key": 4}) == {
        "API-Key": MASKED,
        "apiKey": MASKED,
        "api_key_id": 3,
        "x_api_key": 4,
    }


def test_a_dotted_path_masks_one_place_from_the_root_through_arrays() -> None:
    mask = InputMask.of(["action.args", "Files.Body"])
    value = {
        "action": {"args": ["--token", "x"], "kind": "run"},
        "args": "top-level args stay",
        "files": [{"path": "a", "body": "secret"}, {"path": "b"}],
        "nested": {"action": {"args": "deeper stays"}},
    }

    assert mask.apply(value) == {
        "action": {"args": MASKED, "kind": "run"},
        "args": "top-level args stay",
        "files": [{"path": "a", "body": MASKED}, {"path": "b"}],
        "nested": {"action": {"args": "deeper stays"}},
    }


def test_masking_copies_and_leaves_the_input_alone() -> None:
    value = {"env": {"secret": "s"}}

    DEFAULT.apply(value)

    assert value == {"env": {"secret": "s"}}


@pytest.mark.parametrize("field", ["", "a..b", ".a", "a."])
def test_an_empty_key_or_path_step_is_refused(field: str) -> None:
    with pytest.raises(ValueError, match="key name or dotted path"):
        InputMask.of([field])


def record(input: dict[str, Any], raw: dict[str, Any], **overrides: Any) -> DecisionRecord:
    fields: dict[str, Any] = {
        "decision_id": "dec_01",
        "org_id": "org_a",
        "entrypoint": "pearl.gate.decision",
        "decision": "allow",
        "reasons": [{"rule_id": "gate.a", "message": "m"}, {"rule_id": "gate.b", "message": "m"}],
        "result": {"decision": "allow", "reasons": []},
        "input": input,
        "input_hash": sha256_hex(canonical_json(raw)),
        "bundle_hash": "0" * 64,
        "principal_id": "usr_1",
        "principal_kind": PrincipalKind.HUMAN,
        "latency_us": 10,
        "eval_us": 5.5,
        "decided_at": datetime(2025, 1, 1, tzinfo=UTC),
        "trace_id": "trc_1",
    }
    return DecisionRecord(**(fields | overrides))


def test_a_record_survives_a_json_round_trip() -> None:
    original = record({"a": [1, {"b": None}]}, {"a": [1, {"b": None}]})

    assert DecisionRecord.model_validate_json(original.model_dump_json()) == original


def test_a_record_knows_its_rule_ids_and_whether_its_input_was_masked() -> None:
    raw = {"path": "p", "token": "t"}

    assert record(raw, raw).rule_ids == {"gate.a", "gate.b"}
    assert not record(raw, raw).input_masked
    assert record(DEFAULT.apply(raw), raw).input_masked


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("decision_id", "find_01"),
        ("input_hash", "not-a-hash"),
        ("latency_us", -1.0),
        ("decided_at", datetime(2025, 1, 1)),
        ("decision", ""),
    ],
)
def test_a_malformed_record_is_refused(field: str, value: Any) -> None:
    with pytest.raises(ValidationError):
        record({}, {}, **{field: value})
