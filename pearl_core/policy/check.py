"""``pearl policy check``: does this bundle load, and would an engine serve it?"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pearl_core.policy.bundle import load_bundle
from pearl_core.policy.regorus_build import build_engine, call, verify_engine

__all__ = ["PolicyCheck", "check_policies"]


@dataclass(frozen=True, slots=True)
class PolicyCheck:
    """A bundle that passed: what it holds."""

    root: str
    bundle_hash: str
    entrypoints: tuple[str, ...]
    rule_ids: tuple[str, ...]
    modules: int
    tests: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": True,
            "root": self.root,
            "bundle_hash": self.bundle_hash,
            "entrypoints": list(self.entrypoints),
            "rule_ids": list(self.rule_ids),
            "modules": self.modules,
            "tests": self.tests,
        }


def check_policies(rego_dir: Path | None = None, data_dir: Path | None = None) -> PolicyCheck:
    """Load the bundle and evaluate every entrypoint once, exactly as the
    embedded engine does at start-up; then evaluate every rule and test once
    with the tests loaded, which surfaces compile errors in tests too (a test
    that merely fails is ``pearl policy test``'s business, not this one's).

    Raises :class:`~pearl_core.errors.PolicyLoadError` (``policy_invalid``)
    naming the file, line and column of the first problem; ``details["problems"]``
    lists every METADATA or data problem found.
    """
    bundle = load_bundle(rego_dir, data_dir)
    engine = build_engine(bundle)
    problem = verify_engine(engine, bundle)
    del engine
    if problem is not None:
        raise problem
    with_tests = build_engine(bundle, tests=True)
    # Every rule and test, once: compile errors in tests surface too.
    _, message = call(bundle, with_tests, "eval_query_as_json", "data")
    del with_tests
    if message is not None:
        raise message.load_error()
    return PolicyCheck(
        root=str(bundle.root),
        bundle_hash=bundle.hash,
        entrypoints=bundle.entrypoints,
        rule_ids=tuple(sorted(bundle.rules)),
        modules=len(bundle.policies),
        tests=len(bundle.tests),
    )
