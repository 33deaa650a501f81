"""Building the ``pearl.guardrails`` input and asking the policy engine."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from pearl_core.clock import rfc3339
from pearl_core.guardrails.actions import AgentAction, normalise_action
from pearl_core.policy.ports import Decision, PolicyEngine

__all__ = ["GUARDRAIL_ENTRYPOINT", "Actor", "evaluate_guardrail", "guardrail_input"]

GUARDRAIL_ENTRYPOINT = "pearl.guardrails.decision"


class Actor(Protocol):
    """The acting principal, as the guard rails see it."""

    @property
    def subject_id(self) -> str: ...

    @property
    def kind(self) -> str: ...


def guardrail_input(
    action: AgentAction,
    packet: Mapping[str, Any],
    profile: Mapping[str, Any],
    principal: Actor,
    now: datetime,
    approvals: Iterable[Mapping[str, Any]] = (),
    *,
    workspace_root: Path | None = None,
) -> dict[str, Any]:
    """The input ``pearl.guardrails.decision`` documents, for ``action`` under
    ``packet`` and the effective environment ``profile``. The environment is
    the action's own, else the profile's."""
    environment = action.environment or profile.get("environment")
    return {
        "now": rfc3339(now),
        "environment": environment,
        "principal": {"subject_id": principal.subject_id, "kind": str(principal.kind)},
        "profile": dict(profile),
        "packet": dict(packet),
        "action": normalise_action(action, workspace_root=workspace_root),
        "approvals": [dict(approval) for approval in approvals],
    }


def evaluate_guardrail(engine: PolicyEngine, input: Mapping[str, Any]) -> Decision:
    """The guard-rail decision for ``input`` (built by :func:`guardrail_input`)."""
    return engine.evaluate(GUARDRAIL_ENTRYPOINT, input)
