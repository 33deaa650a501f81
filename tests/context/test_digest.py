"""Compiling context is deterministic: same inputs, same bytes, same hash (pure, no store)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from context_docs import PROJECT, app_spec, baseline, compile_, profile, version_of

from pearl_core import CompiledContextPackage, ValidationFailed
from pearl_core.canonical import canonical_json
from pearl_core.context import package_hash
from pearl_core.domain.enums import Environment, RiskLevel
from pearl_core.testing import DEFAULT_START


def test_compiling_the_same_inputs_twice_gives_identical_bytes_and_hash() -> None:
    first, second = compile_(), compile_()

    assert canonical_json(first.model_dump(mode="json")) == canonical_json(
        second.model_dump(mode="json")
    )
    assert first.package_metadata.integrity.hash == second.package_metadata.integrity.hash


def test_the_hash_leaves_out_the_package_id_and_the_compile_time() -> None:
    first = compile_(package_id="pkg_one")
    later = compile_(package_id="pkg_two", compiled_at=DEFAULT_START + timedelta(days=3))

    assert first.package_metadata.integrity.hash == later.package_metadata.integrity.hash
    assert first.package_metadata.integrity.hash == package_hash(first)


def test_key_order_in_the_inputs_does_not_change_the_hash() -> None:
    forwards = {"approval_level": "high", "production_data_allowed": False, "zone": "eu"}
    backwards = dict(reversed(list(forwards.items())))

    one = compile_(baseline(environment_defaults={Environment.DEV: forwards}))
    two = compile_(baseline(environment_defaults={Environment.DEV: backwards}))

    assert one.package_metadata.integrity.hash == two.package_metadata.integrity.hash


def test_list_order_in_the_inputs_does_not_change_the_merged_sections() -> None:
    one = compile_(p=profile(allowed_capabilities=["code_edit", "test_run"]))
    two = compile_(p=profile(allowed_capabilities=["test_run", "code_edit", "test_run"]))

    def sections(package: CompiledContextPackage) -> bytes:
        return canonical_json(package.model_dump(mode="json", exclude={"package_metadata"}))

    assert sections(one) == sections(two)


@pytest.mark.parametrize(
    "changed",
    [
        {"b": baseline(org_name="Renamed")},
        {"a": app_spec(ai_enabled=True)},
        {"p": profile(risk_level=RiskLevel.HIGH)},
        {"bundle_hash": "c" * 64},
    ],
    ids=["baseline", "app_spec", "profile", "bundle"],
)
def test_any_changed_input_changes_the_hash(changed: dict[str, Any]) -> None:
    assert (
        compile_(**changed).package_metadata.integrity.hash
        != compile_().package_metadata.integrity.hash
    )


def test_versions_that_do_not_describe_the_documents_are_refused() -> None:
    stale = version_of("app_spec", PROJECT.project_id, app_spec(ai_enabled=True))

    with pytest.raises(ValidationFailed) as caught:
        compile_(
            versions={
                "org_baseline": version_of("org_baseline", "orgb_main", baseline()),
                "app_spec": stale,
                "environment_profile": version_of("environment_profile", "envp_dev", profile()),
            }
        )

    assert caught.value.code == "validation_failed"
    assert caught.value.details["kind"] == "app_spec"


def test_a_bundle_hash_that_is_not_sha256_hex_is_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        compile_(bundle_hash="not-a-hash")

    assert caught.value.code == "validation_failed"


def test_a_compiled_package_is_unsigned_until_signed() -> None:
    integrity = compile_().package_metadata.integrity

    assert (integrity.signed, integrity.signature, integrity.key_id) == (False, None, None)
