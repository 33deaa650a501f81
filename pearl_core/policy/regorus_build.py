"""Building and verifying ``regorus.Engine`` objects for a bundle.

An engine belongs to the thread that made it, and dropping it on another
thread is an error. A Python exception's traceback keeps every frame it
passed through alive, locals included, and tracebacks end up in reference
cycles that the garbage collector may break on *any* thread. So no exception
may leave a frame that still holds an engine:

* regorus errors are caught where they happen and come back as data
  (:class:`EngineMessage`), never re-raised from an ``except`` block (which
  would chain the original traceback as ``__context__``);
* functions that receive an engine report problems by *returning* them;
* the function that owns an engine ``del``-etes it before it raises.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pearl_core.errors import ConfigurationError, PolicyEvaluationError, PolicyLoadError
from pearl_core.policy.bundle import PolicyBundle
from pearl_core.policy.results import build_decision, entrypoint_path

__all__ = [
    "UNDEFINED",
    "EngineMessage",
    "build_engine",
    "call",
    "engine_message",
    "regorus_module",
    "verify_engine",
]

UNDEFINED = '"<undefined>"'
"""What ``eval_rule_as_json`` returns for an undefined rule."""

_LOCATION = re.compile(r"-->\s*(?P<file>\S.*?):(?P<line>\d+):(?P<column>\d+)")


@dataclass(frozen=True, slots=True)
class EngineMessage:
    """A regorus error as data: where (the bundle's display path) and what."""

    file: str | None
    line: int | None
    column: int | None
    reason: str

    def location(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column}

    def load_error(self, *, file: str | None = None) -> PolicyLoadError:
        return PolicyLoadError(
            self.reason, file=self.file or file, line=self.line, column=self.column
        )


def regorus_module() -> Any:
    """``regorus``, imported on first use so PeaRL imports without it."""
    try:
        import regorus  # optional native dependency: loaded on first use
    except ImportError:
        raise ConfigurationError(
            "the embedded policy engine needs regorus: "
            "pip install --require-hashes --no-deps -r requirements/regorus.txt",
            setting="policy_engine",
        ) from None
    return regorus


def engine_message(bundle: PolicyBundle, exc: BaseException) -> EngineMessage:
    """Parse regorus' ``--> file:line:col`` text, cut before any Rust backtrace."""
    text = str(exc).split("Stack backtrace", 1)[0]
    errors = [
        line[len("error:") :].strip() for line in text.splitlines() if line.startswith("error:")
    ]
    reason = errors[-1] if errors else " ".join(text.split()) or type(exc).__name__
    match = _LOCATION.search(text)
    if match is None:
        return EngineMessage(None, None, None, reason)
    file = match.group("file")
    shown = bundle.display_path(file) if bundle.module(file) is not None else file
    return EngineMessage(shown, int(match.group("line")), int(match.group("column")), reason)


def call(
    bundle: PolicyBundle, engine: Any, method: str, *args: str
) -> tuple[Any, EngineMessage | None]:
    """``engine.<method>(*args)``; a regorus error comes back as data, never raised."""
    try:
        return getattr(engine, method)(*args), None
    except RuntimeError as exc:
        return None, engine_message(bundle, exc)


def build_engine(bundle: PolicyBundle, *, tests: bool = False) -> Any:
    """A ``regorus.Engine`` (this thread's) with the bundle's modules, tests if
    asked, and data. Syntax errors raise :class:`PolicyLoadError` here; other
    compile errors appear only when the engine first evaluates."""
    engine = regorus_module().Engine()
    for module in bundle.modules if tests else bundle.policies:
        _, message = call(bundle, engine, "add_policy", module.path, module.source)
        if message is not None:
            del engine
            raise message.load_error(file=bundle.display_path(module.path))
    _, message = call(bundle, engine, "add_data_json", bundle.data_json)
    if message is not None:
        del engine
        raise message.load_error(file=str(bundle.data_root))
    return engine


def verify_engine(
    engine: Any, bundle: PolicyBundle, require: Iterable[str] = ()
) -> PolicyLoadError | None:
    """Evaluate the whole ``data`` document (every rule compiles; conflicts
    anywhere surface) and every entrypoint with an empty input (each must give
    a result that meets the contract). Returns the first problem, or ``None``."""
    for path in require:
        if entrypoint_path(path) not in bundle.entrypoints:
            return PolicyLoadError(
                f"required entrypoint {entrypoint_path(path)} is not defined", file=str(bundle.root)
            )
    call(bundle, engine, "set_input_json", "{}")
    _, message = call(bundle, engine, "eval_query_as_json", "data")
    if message is not None:
        return message.load_error()
    for path in bundle.entrypoints:
        home = next(
            bundle.display_path(m.path)
            for m in bundle.policies
            if m.defines_decision and f"{m.package}.decision" == path
        )
        raw, message = call(bundle, engine, "eval_rule_as_json", f"data.{path}")
        if message is not None:
            return message.load_error(file=home)
        problem = _contract_problem(bundle, path, raw)
        if problem is not None:
            return PolicyLoadError(
                f"with an empty input, {problem} (give it a default decision)", file=home
            )
    return None


def _contract_problem(bundle: PolicyBundle, path: str, raw: str) -> str | None:
    try:
        build_decision(
            path,
            None if raw == UNDEFINED else json.loads(raw),
            rules=bundle.rules,
            bundle_hash=bundle.hash,
            input_hash="",
            started_ns=0,
            eval_ns=0,
            finished_ns=0,
        )
    except PolicyEvaluationError as exc:
        return exc.message
    return None
