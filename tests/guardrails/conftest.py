"""Fixtures: the real policy bundle, a workspace with symlinks, and ``judge``,
which sends one agent action through the guard-rail service layer."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pearl_core import RegorusEngine, default_rego_dir, load_bundle
from pearl_core.canonical import sorted_json
from pearl_core.guardrails import (
    GUARDRAIL_ENTRYPOINT,
    AgentAction,
    evaluate_guardrail,
    guardrail_input,
)
from pearl_core.policy.regorus_build import build_engine
from pearl_core.settings import default_policies_dir

Outcome = tuple[str, frozenset[tuple[str, str]]]
Judge = Callable[..., Outcome]
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
PROFILE = {
    "environment": "dev",
    "allowed_capabilities": [
        "code_edit",
        "command_run",
        "network_egress",
        "code_read",
        "dependency_change",
        "config_edit_nonprod",
    ],
    "blocked_capabilities": ["secret_access"],
    "approval_required_for": [],
    "outbound_allowlist": ["allowed.example"],
}
PACKET: dict[str, Any] = {
    "task_packet_id": "tp_1",
    "status": "claimed",
    "lease": {"holder_id": "sa_agent", "expires_at": "2025-06-01T12:30:00Z"},
    "expires_at": "2025-06-02T00:00:00Z",
    "denied_attempts": 0,
    "allowed_actions": [
        "code_edit",
        "command_run",
        "network_request",
        "code_read",
        "dependency_change",
        "network_egress",
        "config_change",
    ],
    "blocked_actions": [],
    "allowed_paths": ["src/**"],
    "allowed_commands": ["pytest", "git status", "git commit"],
    "allowed_packages": ["requests"],
    "approval_triggers": [],
}


@dataclass(frozen=True)
class Agent:
    subject_id: str = "sa_agent"
    kind: str = "service_account"


@pytest.fixture(scope="module")
def guard_engine() -> Iterator[RegorusEngine]:
    """The real bundle (``rego/`` + ``policies/``), built and dropped on the test thread."""
    policy = RegorusEngine(
        load_bundle(default_rego_dir(), default_policies_dir()), require=[GUARDRAIL_ENTRYPOINT]
    )
    yield policy
    del policy


@pytest.fixture(scope="module")
def fast_path_probe() -> Iterator[Callable[[Mapping[str, Any]], tuple[bool, str]]]:
    """``probe(input)``: does the fast path hold, and what do the full rules say?"""
    engine = build_engine(load_bundle(default_rego_dir(), default_policies_dir()))

    def probe(request: Mapping[str, Any]) -> tuple[bool, str]:
        engine.set_input_json(sorted_json(request).decode())
        fast = engine.eval_rule("data.pearl.guardrails.lib.fast_path.allowed") is True
        full = engine.eval_rule("data.pearl.guardrails.full_decision")["decision"]
        return fast, str(full)

    yield probe
    del probe


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("workspace")
    (root / "src").mkdir()
    (root / ".git" / "hooks").mkdir(parents=True)
    (root / ".git" / "config").write_text("[core]\n")
    os.symlink("../.git/config", root / "src" / "link")
    os.symlink("../.git/hooks/pre-commit", root / "src" / "hook")
    os.symlink("/etc/passwd", root / "src" / "outside")
    return root


@pytest.fixture(scope="module")
def judge(
    guard_engine: RegorusEngine,
    workspace: Path,
    fast_path_probe: Callable[[Mapping[str, Any]], tuple[bool, str]],
) -> Judge:
    """``judge(action, packet_changes={...}, subject_id=...)``: the decision and
    the ``(rule, code)`` of every reason (rule without the ``guardrails.rules.`` prefix).

    Every judged input also checks the fast path's one duty: when it says
    allow, the full rules must say allow too.
    """

    def _judge(
        action: Mapping[str, Any],
        packet_changes: Mapping[str, Any] | None = None,
        subject_id: str = "sa_agent",
    ) -> Outcome:
        request = guardrail_input(
            AgentAction.model_validate(action),
            PACKET | dict(packet_changes or {}),
            PROFILE,
            Agent(subject_id=subject_id),
            NOW,
            workspace_root=workspace,
        )
        decision = evaluate_guardrail(guard_engine, request)
        fast, full = fast_path_probe(request)
        assert not fast or full == "allow", f"fast path allowed what the rules {full}: {request}"
        reasons = {
            (r.rule_id.rsplit(".", 1)[-1], str(r.details.get("code"))) for r in decision.reasons
        }
        return decision.decision, frozenset(reasons)

    return _judge
