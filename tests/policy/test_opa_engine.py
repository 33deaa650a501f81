"""The OPA server adapter.

Tests that need a real OPA run only when ``PEARL_TEST_OPA_URL`` names one
(e.g. ``http://127.0.0.1:8181``): no ``opa`` binary can be installed where
PeaRL is built, so CI here covers the adapter's configuration and failure
paths, and the parity tests run wherever an OPA server is available.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from fake_opa import fake_opa_server
from policy_bundle import PROTECTED, Write

from pearl_core import (
    OpaEngine,
    PolicyEngineUnavailable,
    PolicyLoadError,
    RegorusEngine,
    load_bundle,
)
from pearl_core.errors import ConfigurationError

GUARD = "pearl.guardrails.decision"
OPA_URL = os.environ.get("PEARL_TEST_OPA_URL")
needs_opa = pytest.mark.skipif(
    not OPA_URL, reason="PEARL_TEST_OPA_URL is not set: no OPA server to test against"
)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_a_url_that_is_not_http_is_a_configuration_error(rego_dir: Path, data_dir: Path) -> None:
    with pytest.raises(ConfigurationError) as caught:
        OpaEngine(load_bundle(rego_dir, data_dir), url="opa.internal:8181")
    assert caught.value.code == "configuration_error"


def test_an_unreachable_server_is_policy_engine_unavailable(rego_dir: Path, data_dir: Path) -> None:
    with pytest.raises(PolicyEngineUnavailable) as caught:
        OpaEngine(
            load_bundle(rego_dir, data_dir),
            url=f"http://127.0.0.1:{closed_port()}",
            retries=0,
            timeout=2,
        )
    assert caught.value.code == "policy_engine_unavailable"


def test_the_adapter_pushes_the_bundle_and_decides_over_http(
    rego_dir: Path, data_dir: Path
) -> None:
    bundle = load_bundle(rego_dir, data_dir)
    with fake_opa_server() as (url, server):
        opa = OpaEngine(bundle, url=url, require=[GUARD])
        try:
            decision = opa.evaluate(GUARD, {"path": ".git/config", "command": "pytest"})
        finally:
            opa.close()
    assert sorted(server.policies) == sorted(f"pearl/{m.path}" for m in bundle.policies)
    assert server.data == {"pearl_data": dict(bundle.data)}
    assert decision.decision == "deny"
    assert (
        decision.reasons
        == RegorusEngine(bundle)
        .evaluate(GUARD, {"path": ".git/config", "command": "pytest"})
        .reasons
    )


def test_the_adapter_maps_a_rejected_module_to_policy_invalid(
    rego_dir: Path, data_dir: Path, write: Write
) -> None:
    write(
        "pearl/guardrails/rules/protected_paths.rego",
        PROTECTED.replace("[input.path, prefix]", "[input.path, nowhere]"),
    )
    with fake_opa_server() as (url, _), pytest.raises(PolicyLoadError) as caught:
        OpaEngine(load_bundle(rego_dir, data_dir), url=url)
    assert caught.value.code == "policy_invalid"
    assert caught.value.details["file"] == str(
        rego_dir / "pearl/guardrails/rules/protected_paths.rego"
    )
    assert caught.value.details["line"] == 15


def test_reload_removes_modules_the_bundle_no_longer_has(rego_dir: Path, data_dir: Path) -> None:
    with fake_opa_server() as (url, server):
        opa = OpaEngine(load_bundle(rego_dir, data_dir), url=url)
        (rego_dir / "pearl/guardrails/rules/command_allowed.rego").unlink()
        (rego_dir / "pearl/guardrails/rules/command_allowed_test.rego").unlink()
        try:
            assert opa.reload_if_changed() is True
            assert opa.reload_if_changed() is False
        finally:
            opa.close()
    assert "pearl/pearl/guardrails/rules/command_allowed.rego" not in server.policies
    assert opa.bundle.rules.keys() == {"guardrails.rules.protected_paths"}


@needs_opa
def test_opa_decides_as_the_embedded_engine_does(rego_dir: Path, data_dir: Path) -> None:
    assert OPA_URL is not None
    bundle = load_bundle(rego_dir, data_dir)
    opa = OpaEngine(bundle, url=OPA_URL, prefix="pearl-test", require=[GUARD])
    embedded = RegorusEngine(bundle)
    try:
        for action in ({"path": ".git/config", "command": "rm"}, {"path": "a.py"}):
            remote, local = opa.evaluate(GUARD, action), embedded.evaluate(GUARD, action)
            assert remote.decision == local.decision
            assert remote.reasons == local.reasons
            assert remote.input_hash == local.input_hash
            assert remote.bundle_hash == local.bundle_hash
    finally:
        opa.close()


@needs_opa
def test_opa_rejects_a_syntax_error_with_file_and_line(
    rego_dir: Path, data_dir: Path, write: Write
) -> None:
    assert OPA_URL is not None
    write("pearl/guardrails/rules/protected_paths.rego", PROTECTED.replace("msg :=", "msg :=="))
    with pytest.raises(PolicyLoadError) as caught:
        OpaEngine(load_bundle(rego_dir, data_dir), url=OPA_URL, prefix="pearl-test")
    assert caught.value.code == "policy_invalid"
    assert caught.value.details["line"] == 15


@needs_opa
def test_opa_reload_pushes_a_changed_rule(rego_dir: Path, data_dir: Path, write: Write) -> None:
    assert OPA_URL is not None
    opa = OpaEngine(load_bundle(rego_dir, data_dir), url=OPA_URL, prefix="pearl-test")
    try:
        write(
            "pearl/guardrails/rules/protected_paths.rego",
            PROTECTED.replace("severity: high", "severity: critical"),
        )
        assert opa.reload_if_changed() is True
        decision = opa.evaluate(GUARD, {"path": ".git/config", "command": "pytest"})
        assert decision.reasons[0].severity == "critical"
    finally:
        opa.close()
