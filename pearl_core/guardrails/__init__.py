"""Guard rails: agent actions, their normalisation, and the guard-rail decision."""

from pearl_core.guardrails.actions import AgentAction, action_digest, normalise_action
from pearl_core.guardrails.check import (
    GUARDRAIL_ENTRYPOINT,
    Actor,
    evaluate_guardrail,
    guardrail_input,
)
from pearl_core.guardrails.shell import ShellSplit, split_shell

__all__ = [
    "GUARDRAIL_ENTRYPOINT",
    "Actor",
    "AgentAction",
    "ShellSplit",
    "action_digest",
    "evaluate_guardrail",
    "guardrail_input",
    "normalise_action",
    "split_shell",
]
