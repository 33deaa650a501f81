"""The policy engine port and the decision it returns.

Services depend on :class:`PolicyEngine`; the embedded regorus adapter and
the OPA server adapter satisfy it structurally, as does any test fake.

**The entrypoint contract.** An entrypoint (``pearl.guardrails.decision``) is
total — it has a ``default decision`` — and evaluates to an object::

    {"decision": "<string>",
     "reasons": [{"rule_id": "guardrails.protected_paths", "message": "...", ...}],
     ...any other keys...}

``reasons`` is an array (not a set) of objects, each with a ``rule_id`` that
names a rule module of the bundle and a ``message``. Anything else fails the
decision with :class:`~pearl_core.errors.PolicyEvaluationError`: callers fail
closed, never open.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = ["Decision", "PolicyEngine", "Reason"]


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a decision came out as it did: the rule's own words joined to its METADATA.

    ``title``, ``hint`` and ``severity`` come from the rule module's METADATA
    unless the rule put its own in the reason (a computed severity wins).
    ``details`` holds every other key the rule returned (``path``, ``command``).
    """

    rule_id: str
    message: str
    title: str
    hint: str
    severity: str
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            **({"code": self.details["code"]} if "code" in self.details else {}),
            "message": self.message,
            "title": self.title,
            "hint": self.hint,
            "severity": self.severity,
            **({"details": dict(self.details)} if self.details else {}),
        }


@dataclass(frozen=True, slots=True)
class Decision:
    """One evaluation, as the decision log records it.

    ``input_hash`` is the SHA-256 of the input as sorted compact JSON, so
    a logged decision can be matched to a replayed one. ``latency_us`` covers
    the whole call (input marshalling, evaluation, result checks); ``eval_us``
    only the engine's evaluation, so ``latency_us - eval_us`` is the overhead.
    """

    decision_id: str
    entrypoint: str
    decision: str
    reasons: tuple[Reason, ...]
    result: Mapping[str, Any]
    bundle_hash: str
    input_hash: str
    latency_us: float
    eval_us: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision_id": self.decision_id,
            "entrypoint": self.entrypoint,
            "decision": self.decision,
            "reasons": [reason.to_dict() for reason in self.reasons],
            "result": dict(self.result),
            "bundle_hash": self.bundle_hash,
            "input_hash": self.input_hash,
            "latency_us": self.latency_us,
            "eval_us": self.eval_us,
        }


class PolicyEngine(Protocol):
    """Evaluates decision entrypoints of one loaded, verified policy bundle."""

    @property
    def bundle_hash(self) -> str:
        """The hash of the bundle decisions are currently made with."""
        ...

    @property
    def entrypoints(self) -> tuple[str, ...]:
        """Decision paths this bundle answers, such as ``pearl.gate.decision``."""
        ...

    def evaluate(self, entrypoint: str, input: Mapping[str, Any]) -> Decision:
        """Decide ``entrypoint`` for ``input``; raise ``PolicyEvaluationError``
        (or ``PolicyEngineUnavailable``) rather than ever guess."""
        ...

    def reload_if_changed(self) -> bool:
        """Re-read the bundle from disk; swap it in (True) if its hash changed.

        A bundle that no longer loads raises ``PolicyLoadError`` and the engine
        keeps deciding with the bundle it had.
        """
        ...
