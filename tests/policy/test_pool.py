"""The process pool: decisions made in spawned workers, errors carried back intact."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest
from policy_bundle import DECISION, Write

from pearl_core import PolicyEvaluationError, PolicyLoadError, PolicyProcessPool, load_bundle

GUARD = "pearl.guardrails.decision"


@pytest.mark.anyio
async def test_a_worker_decides_without_blocking_the_loop(rego_dir: Path, data_dir: Path) -> None:
    with PolicyProcessPool(load_bundle(rego_dir, data_dir), workers=1) as pool:
        with anyio.fail_after(60):
            decision = await pool.evaluate(GUARD, {"path": ".git/config", "command": "pytest"})
        assert decision.decision == "deny"
        assert decision.bundle_hash == pool.bundle_hash
        assert decision.reasons[0].title == "Protected paths"
        with pytest.raises(PolicyEvaluationError) as caught:
            pool.submit("pearl.nothing.decision", {}).result(timeout=60)
        assert caught.value.code == "policy_evaluation_failed"
        assert caught.value.details["reason"] == "unknown"


def test_a_bad_bundle_fails_before_any_worker_starts(
    rego_dir: Path, data_dir: Path, write: Write
) -> None:
    write("pearl/guardrails/decision.rego", DECISION.replace("default decision", "fallback"))
    with pytest.raises(PolicyLoadError) as caught:
        PolicyProcessPool(load_bundle(rego_dir, data_dir), workers=1)
    assert caught.value.code == "policy_invalid"
