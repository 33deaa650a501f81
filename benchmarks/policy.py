"""Policy decision benchmark on the real bundle (``rego/`` + ``policies/``).

    python benchmarks/policy.py [--n N]

Loads the bundle once, then times ``RegorusEngine.evaluate`` (input
canonicalisation + hand-over + evaluation + result join) for:

- a guard-rail decision for one file edit with a realistic packet and profile;
- a remediation eligibility decision;
- the promotion gate over 200 and over 10,000 findings, where the time
  includes computing the lean facts (counts by severity, the blocking
  findings) from the findings in Python, as PeaRL hands Rego facts, not the
  full list.

Prints p50 / p99 per decision and the share spent marshalling the input
(canonical JSON + SHA-256) versus evaluating.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any

from pearl_core import RegorusEngine, default_rego_dir, load_bundle
from pearl_core.policy.results import canonical_input
from pearl_core.settings import default_policies_dir

GUARD_INPUT: dict[str, Any] = {
    "now": "2025-06-01T12:00:00Z",
    "environment": "dev",
    "principal": {"subject_id": "sa_fixer", "kind": "service_account"},
    "profile": {
        "allowed_capabilities": ["code_edit", "test_create", "test_run", "command_run"],
        "blocked_capabilities": ["prod_deploy", "privileged_iam_changes", "secret_access"],
        "approval_required_for": [],
        "outbound_allowlist": [],
    },
    "packet": {
        "task_packet_id": "tp_orders_rounding",
        "status": "claimed",
        "lease": {"holder_id": "sa_fixer", "expires_at": "2025-06-01T12:30:00Z"},
        "expires_at": "2025-06-02T00:00:00Z",
        "denied_attempts": 0,
        "allowed_actions": ["code_edit", "test_run", "command_run"],
        "blocked_actions": [],
        "allowed_paths": ["src/orders/**", "tests/orders/**", "requirements.txt"],
        "allowed_commands": ["pytest", "ruff check", "git status", "git diff"],
        "allowed_packages": [],
        "approval_triggers": [],
    },
    "action": {"type": "code_edit", "digest": "sha256:e1", "paths": ["src/orders/rounding.py"]},
    "approvals": [],
}

REMEDIATION_INPUT: dict[str, Any] = {
    "environment": "preprod",
    "autonomy_mode": "supervised_autonomous",
    "severity": "high",
    "category": "security",
    "tool_type": "sca",
    "exploitability": "medium",
    "fix_available": True,
    "components_touched": ["api"],
    "critical_components": ["payments"],
    "finding_ids": ["find_1", "find_2"],
}

SEVERITIES = ("low", "moderate", "high", "critical")


def _findings(n: int, rng: random.Random) -> list[dict[str, str]]:
    weights = (60, 30, 8, 2)
    return [
        {"finding_id": f"find_{i:06d}", "severity": rng.choices(SEVERITIES, weights)[0]}
        for i in range(n)
    ]


def _gate_input(findings: list[dict[str, str]]) -> dict[str, Any]:
    """The lean facts PeaRL computes in Python before asking ``pearl.gate``."""
    counts = Counter(f["severity"] for f in findings)
    blocking = [f for f in findings if f["severity"] in ("high", "critical")]
    return {
        "target_environment": "preprod",
        "now": "2025-06-01T12:00:00Z",
        "open_counts": {s: counts.get(s, 0) for s in SEVERITIES},
        "blocking_findings": blocking,
        "unverified_fixes": [],
        "exceptions": [],
        "accepted_risks": [],
        "evidence": ["sast_scan", "sca_scan"],
    }


def _measure(n: int, call: Callable[[], object]) -> tuple[float, float]:
    for _ in range(min(200, n)):
        call()
    samples = []
    for _ in range(n):
        started = time.perf_counter_ns()
        call()
        samples.append(time.perf_counter_ns() - started)
    samples.sort()
    return statistics.median(samples) / 1000, samples[int(len(samples) * 0.99) - 1] / 1000


def _evaluate(engine: RegorusEngine, entrypoint: str, make: Callable[[], dict[str, Any]]) -> object:
    return engine.evaluate(entrypoint, make())


def _marshal(entrypoint: str, make: Callable[[], dict[str, Any]]) -> object:
    return canonical_input(entrypoint, make())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=5000)
    args = parser.parse_args()
    started = time.perf_counter()
    engine = RegorusEngine(load_bundle(default_rego_dir(), default_policies_dir()))
    engine.evaluate("pearl.guardrails.decision", GUARD_INPUT)
    print(f"bundle load + first decision: {(time.perf_counter() - started) * 1000:.1f} ms")
    rng = random.Random(7)
    f200, f10k = _findings(200, rng), _findings(10_000, rng)
    cases: list[tuple[str, str, Callable[[], dict[str, Any]], int]] = [
        ("guard-rail (file edit)", "pearl.guardrails.decision", lambda: GUARD_INPUT, args.n),
        ("remediation", "pearl.remediation.decision", lambda: REMEDIATION_INPUT, args.n),
        ("gate, 200 findings", "pearl.gate.decision", lambda: _gate_input(f200), args.n // 5),
        ("gate, 10,000 findings", "pearl.gate.decision", lambda: _gate_input(f10k), 200),
    ]
    print(f"{'decision':<26} {'p50 µs':>9} {'p99 µs':>9}   marshal share (p50)")
    for label, entrypoint, make_input, n in cases:
        decided = engine.evaluate(entrypoint, make_input())
        assert decided.decision, decided
        p50, p99 = _measure(n, partial(_evaluate, engine, entrypoint, make_input))
        marshal, _ = _measure(n, partial(_marshal, entrypoint, make_input))
        print(f"{label:<26} {p50:9.0f} {p99:9.0f}   {marshal / p50:5.0%} ({decided.decision})")


if __name__ == "__main__":
    main()
