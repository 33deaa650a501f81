"""The Rego test runner behind ``pearl policy test``.

Tests are rules named ``test_*`` in modules named ``*_test.rego``, found in
the engine's AST (not by pattern-matching text). Each runs on the embedded
engine with no input set (tests give theirs with ``with input as``): it
passes when it evaluates to ``true``; ``false`` or undefined is a failure; a
run-time error is an error. Line coverage comes from regorus' coverage
report: a non-test module none of whose lines ran is reported as not
covered, and a rule module without a ``<name>_test.rego`` beside it is
reported as having no test file.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pearl_core.policy.bundle import TEST_SUFFIX, PolicyBundle, load_bundle
from pearl_core.policy.metadata import is_rule_package
from pearl_core.policy.regorus_build import EngineMessage, build_engine, call

__all__ = [
    "ModuleCoverage",
    "RegoTestCase",
    "RegoTestReport",
    "run_bundle_tests",
    "run_rego_tests",
]

Outcome = Literal["pass", "fail", "error"]


@dataclass(frozen=True, slots=True)
class RegoTestCase:
    """One ``test_*`` rule and how it went."""

    name: str
    """``<package>.<rule>``, e.g. ``pearl.gate.critical_open_test.test_fail_open_critical``."""
    file: str
    line: int
    outcome: Outcome
    duration_us: float
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ModuleCoverage:
    """Which lines of one non-test module the tests ran."""

    file: str
    package: str | None
    rule_id: str | None
    covered: tuple[int, ...]
    not_covered: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class RegoTestReport:
    bundle_hash: str
    cases: tuple[RegoTestCase, ...]
    coverage: tuple[ModuleCoverage, ...]
    without_test_file: tuple[str, ...]
    """Rule ids whose module has no ``<name>_test.rego`` beside it."""

    @property
    def not_covered(self) -> tuple[ModuleCoverage, ...]:
        """Non-test modules no test executed a single line of."""
        return tuple(module for module in self.coverage if not module.covered)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for case in self.cases if case.outcome == outcome)

    @property
    def ok(self) -> bool:
        """Every test passed, and there was at least one: a suite that tests nothing fails."""
        return bool(self.cases) and all(case.outcome == "pass" for case in self.cases)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "bundle_hash": self.bundle_hash,
            "passed": self.count("pass"),
            "failed": self.count("fail"),
            "errors": self.count("error"),
            "cases": [
                {
                    "name": c.name,
                    "file": c.file,
                    "line": c.line,
                    "outcome": c.outcome,
                    "duration_us": c.duration_us,
                    "error": c.error,
                }
                for c in self.cases
            ],
            "not_covered": [
                {"file": m.file, "rule_id": m.rule_id, "package": m.package}
                for m in self.not_covered
            ],
            "without_test_file": list(self.without_test_file),
        }


def run_rego_tests(rego_dir: Path | None = None, data_dir: Path | None = None) -> RegoTestReport:
    """Load the bundle at ``rego_dir`` (tests included) and run every test in it."""
    return run_bundle_tests(load_bundle(rego_dir, data_dir))


def run_bundle_tests(bundle: PolicyBundle) -> RegoTestReport:
    """Run every ``test_*`` rule of ``bundle`` on a fresh engine in this thread.

    A bundle (tests included) that does not compile raises
    :class:`~pearl_core.errors.PolicyLoadError`; a test that fails or errors is
    a result, not an exception.
    """
    engine = build_engine(bundle, tests=True)
    ast, message = call(bundle, engine, "get_ast_as_json")
    if message is None:  # any evaluation compiles every module, tests included
        _, message = call(bundle, engine, "eval_query_as_json", "true")
    if message is not None:
        del engine
        raise message.load_error()
    engine.set_enable_coverage(True)
    cases = []
    for path, package, rule, line in _discover(ast, bundle):
        started = time.perf_counter_ns()
        raw, message = call(bundle, engine, "eval_rule_as_json", f"data.{package}.{rule}")
        outcome: Outcome = "error" if message else "pass" if raw == "true" else "fail"
        cases.append(
            RegoTestCase(
                name=f"{package}.{rule}",
                file=bundle.display_path(path),
                line=line,
                outcome=outcome,
                duration_us=(time.perf_counter_ns() - started) / 1000,
                error=_describe(message) if message else None,
            )
        )
    coverage, _ = call(bundle, engine, "get_coverage_report_as_json")
    del engine
    return RegoTestReport(
        bundle_hash=bundle.hash,
        cases=tuple(cases),
        coverage=_coverage(bundle, json.loads(coverage or "{}")),
        without_test_file=_without_test_file(bundle),
    )


def _describe(message: EngineMessage) -> str:
    where = f"{message.file}:{message.line}:{message.column} " if message.file else ""
    return f"{where}{message.reason}"


def _discover(ast: str, bundle: PolicyBundle) -> Iterator[tuple[str, str, str, int]]:
    """``(path, package, rule, line)`` of each distinct ``test_*`` rule, in file order."""
    for module in json.loads(ast):
        path = module["source"]["file"]
        found = bundle.module(path)
        if found is None or not found.is_test or found.package is None:
            continue
        seen: set[str] = set()
        for rule in module["ast"]["rules"]:
            name, line = _rule_name(rule)
            if name is not None and name.startswith("test_") and name not in seen:
                seen.add(name)
                yield path, found.package, name, line


def _rule_name(rule: dict[str, Any]) -> tuple[str | None, int]:
    """The name and line of a plain (non-function, non-set) rule head."""
    if "Default" in rule:
        ref = rule["Default"]["refr"]
    else:
        head = rule.get("Spec", {}).get("head", {})
        if "Compr" not in head:
            return None, 0
        ref = head["Compr"]["refr"]
    var = ref.get("Var")
    if var is None:
        return None, 0
    return str(var["value"]), int(var["span"]["line"])


def _coverage(bundle: PolicyBundle, report: dict[str, Any]) -> tuple[ModuleCoverage, ...]:
    lines = {entry["path"]: entry for entry in report.get("files", [])}
    result = []
    for module in bundle.policies:
        entry = lines.get(module.path, {})
        package = module.package
        result.append(
            ModuleCoverage(
                file=bundle.display_path(module.path),
                package=package,
                rule_id=package.removeprefix("pearl.")
                if package and is_rule_package(package)
                else None,
                covered=tuple(entry.get("covered", ())),
                not_covered=tuple(entry.get("not_covered", ())),
            )
        )
    return tuple(result)


def _without_test_file(bundle: PolicyBundle) -> tuple[str, ...]:
    tests = {module.path for module in bundle.tests}
    return tuple(
        rule.rule_id
        for rule in sorted(bundle.rules.values(), key=lambda r: r.rule_id)
        if rule.path.removesuffix(".rego") + TEST_SUFFIX not in tests
    )
