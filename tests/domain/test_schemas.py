"""The committed JSON Schemas in pearl_core/schemas match the models that generate them."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from pearl_core.domain.base import SCHEMA_VERSION
from pearl_core.schemas.generate import ENTITIES, SCHEMA_DIR, build_schemas, main, render

REGENERATE = "regenerate with: PYTHONPATH=. .venv/bin/python -m pearl_core.schemas.generate"


def test_committed_schemas_match_the_models() -> None:
    expected = {name: render(schema) for name, schema in build_schemas().items()}
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in SCHEMA_DIR.glob("*.schema.json")}
    drifted = sorted(name for name in expected if on_disk.get(name) != expected[name])
    stale = sorted(set(on_disk) - set(expected))
    assert (drifted, stale) == ([], []), f"schemas out of date; {REGENERATE}"


def test_check_mode_reports_no_drift() -> None:
    assert main(["--check"]) == 0, REGENERATE


def test_there_is_one_schema_per_public_entity() -> None:
    assert sorted(build_schemas()) == sorted(f"{stem}.schema.json" for stem in ENTITIES)


@pytest.mark.parametrize("name", sorted(build_schemas()))
def test_each_schema_is_valid_draft_2020_12_with_id_and_title(name: str) -> None:
    schema = build_schemas()[name]
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith(f"/{SCHEMA_VERSION}/{name}")
    assert schema["title"]


def test_rendering_is_deterministic() -> None:
    first = {name: render(schema) for name, schema in build_schemas().items()}
    second = {name: render(schema) for name, schema in build_schemas().items()}
    assert first == second
    assert all(text.endswith("}\n") for text in first.values())
    sample = json.loads(first["project.schema.json"])
    assert list(sample) == sorted(sample)


def test_extension_fields_are_marked_in_the_published_schema() -> None:
    finding = build_schemas()["finding.schema.json"]
    assert "fingerprint" in finding["x-pearl-extensions"]
    assert finding["$defs"]["FindingSource"]["x-pearl-extensions"] == ["tool_version"]
    assert "x-pearl-extensions" not in build_schemas()["project.schema.json"]
