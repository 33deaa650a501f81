"""What every adapter does around the engine call: hash the input, check the
result against the entrypoint contract, and join reasons to METADATA."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pearl_core.canonical import sha256_hex, sorted_json
from pearl_core.errors import PolicyEvaluationError
from pearl_core.ids import new_id
from pearl_core.policy.metadata import RuleMetadata
from pearl_core.policy.ports import Decision, Reason

__all__ = ["build_decision", "canonical_input", "entrypoint_path"]

_JOINED = ("title", "hint", "severity")


def entrypoint_path(entrypoint: str) -> str:
    """``pearl.gate.decision`` whether given with or without a leading ``data.``."""
    return entrypoint.removeprefix("data.")


def canonical_input(entrypoint: str, value: Mapping[str, Any]) -> tuple[str, str]:
    """The input as sorted, compact JSON text and its SHA-256; non-JSON input is refused."""
    try:
        raw = sorted_json(value)
    except (TypeError, ValueError) as exc:
        raise PolicyEvaluationError(
            f"the input for {entrypoint} is not JSON data: {exc}",
            entrypoint=entrypoint,
            reason="input_not_json",
        ) from None
    return raw.decode("utf-8"), sha256_hex(raw)


def build_decision(
    entrypoint: str,
    value: Any,
    *,
    rules: Mapping[str, RuleMetadata],
    bundle_hash: str,
    input_hash: str,
    started_ns: int,
    eval_ns: int,
    finished_ns: int,
) -> Decision:
    """Check ``value`` against the entrypoint contract and make it a :class:`Decision`."""
    if value is None:
        raise _broken(entrypoint, "undefined", "the entrypoint is undefined for this input")
    if not isinstance(value, dict):
        raise _broken(entrypoint, "not_an_object", "the result is not an object")
    decision = value.get("decision")
    if not isinstance(decision, str) or not decision:
        raise _broken(entrypoint, "no_decision", "the result has no string 'decision'")
    raw_reasons = value.get("reasons")
    if not isinstance(raw_reasons, list):
        raise _broken(entrypoint, "reasons_not_array", "'reasons' must be an array")
    reasons = tuple(_reason(entrypoint, raw, rules) for raw in raw_reasons)
    return Decision(
        decision_id=new_id("dec"),
        entrypoint=entrypoint,
        decision=decision,
        reasons=reasons,
        result=value,
        bundle_hash=bundle_hash,
        input_hash=input_hash,
        latency_us=(finished_ns - started_ns) / 1000,
        eval_us=eval_ns / 1000,
    )


def _reason(entrypoint: str, raw: Any, rules: Mapping[str, RuleMetadata]) -> Reason:
    if not isinstance(raw, dict):
        raise _broken(entrypoint, "reason_not_object", "every reason must be an object")
    rule_id, message = raw.get("rule_id"), raw.get("message")
    if not isinstance(rule_id, str) or not isinstance(message, str):
        raise _broken(entrypoint, "reason_shape", "every reason needs string rule_id and message")
    rule = rules.get(rule_id)
    if rule is None:
        raise _broken(
            entrypoint, "unknown_rule_id", f"reason names {rule_id!r}, which no rule module defines"
        )
    joined = {
        key: raw[key] if isinstance(raw.get(key), str) else getattr(rule, key) for key in _JOINED
    }
    details = {
        key: item for key, item in raw.items() if key not in ("rule_id", "message", *_JOINED)
    }
    return Reason(rule_id=rule_id, message=message, details=details, **joined)


def _broken(entrypoint: str, reason: str, text: str) -> PolicyEvaluationError:
    return PolicyEvaluationError(f"{entrypoint}: {text}", entrypoint=entrypoint, reason=reason)
