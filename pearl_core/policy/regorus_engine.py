"""The embedded policy engine: regorus (Microsoft's Rego interpreter in Rust).

Facts this adapter is built around (measured with gordon-to-regorus 0.13):

* A ``regorus.Engine`` is bound to the thread that made it: touching it from
  another thread raises ``PanicException`` (a ``BaseException``), and dropping
  it on another thread reports an unraisable error. So each thread gets its
  own engine, built *in that thread* from the bundle's source text and kept in
  a module-level ``threading.local``; an engine is never shared, never stored
  on an object another thread could drop, never left in a frame an exception
  carries away (see :mod:`pearl_core.policy.regorus_build`), and stale ones
  are dropped by their own thread (on its next build, or when it exits).
* ``Engine.clone()`` is not used: a clone is as thread-bound as its original,
  so it cannot seed another thread's engine, and one thread needs only one.
* ``add_policy`` only parses. Loading therefore evaluates the whole ``data``
  document once (which compiles every rule and surfaces conflicts anywhere)
  and every entrypoint once with an empty input, so a bad policy is a
  :class:`PolicyLoadError` at start-up, never on the first request.
* Evaluation holds the GIL: keep per-action inputs small, and run big
  evaluations in a process pool (:mod:`pearl_core.policy.pool`).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pearl_core.errors import PolicyEvaluationError
from pearl_core.policy.bundle import PolicyBundle, load_bundle
from pearl_core.policy.ports import Decision
from pearl_core.policy.regorus_build import (
    UNDEFINED,
    EngineMessage,
    build_engine,
    call,
    engine_message,
    verify_engine,
)
from pearl_core.policy.results import build_decision, canonical_input, entrypoint_path

__all__ = ["RegorusEngine"]

_SERIALS = itertools.count(1)
_THREAD = threading.local()


@dataclass(frozen=True, slots=True, eq=False)
class _Loaded:
    """One verified bundle; per-thread engines built from it are tagged with it."""

    bundle: PolicyBundle


def _slots() -> dict[int, tuple[_Loaded, Any, weakref.ref[RegorusEngine]]]:
    slots: dict[int, tuple[_Loaded, Any, weakref.ref[RegorusEngine]]] | None = getattr(
        _THREAD, "slots", None
    )
    if slots is None:
        slots = _THREAD.slots = {}
    return slots


class RegorusEngine:
    """:class:`~pearl_core.policy.ports.PolicyEngine` on an embedded regorus, one
    engine per thread. Safe to call from any thread; every thread pays one
    engine build (a few ms) on its first decision and after each reload.

    ``require`` lists entrypoints that must exist (the composition root passes
    the ones its services call), so a bundle missing one fails at start-up.
    """

    def __init__(self, bundle: PolicyBundle, *, require: Iterable[str] = ()) -> None:
        self._serial = next(_SERIALS)
        self._require = tuple(require)
        self._reload_lock = threading.Lock()
        self._loaded = self._prepare(bundle)

    @classmethod
    def from_directory(
        cls,
        rego_dir: Path | None = None,
        data_dir: Path | None = None,
        *,
        require: Iterable[str] = (),
    ) -> RegorusEngine:
        return cls(load_bundle(rego_dir, data_dir), require=require)

    @property
    def bundle(self) -> PolicyBundle:
        return self._loaded.bundle

    @property
    def bundle_hash(self) -> str:
        return self._loaded.bundle.hash

    @property
    def entrypoints(self) -> tuple[str, ...]:
        return self._loaded.bundle.entrypoints

    def evaluate(self, entrypoint: str, input: Mapping[str, Any]) -> Decision:
        started = time.perf_counter_ns()
        path = entrypoint_path(entrypoint)
        if path not in self._loaded.bundle.entrypoints:
            raise PolicyEvaluationError(
                f"{path} is not an entrypoint of this bundle", entrypoint=path, reason="unknown"
            )
        text, input_hash = canonical_input(path, input)
        loaded, engine = self._engine()
        bundle = loaded.bundle
        failure: EngineMessage | None = None
        try:
            engine.set_input_json(text)
            eval_start = time.perf_counter_ns()
            raw = engine.eval_rule_as_json(f"data.{path}")
            eval_ns = time.perf_counter_ns() - eval_start
        except RuntimeError as exc:
            failure = engine_message(bundle, exc)
        del engine  # nothing raised below may carry this thread's engine in a traceback
        if failure is not None:
            raise PolicyEvaluationError(
                f"{path}: {failure.reason}",
                entrypoint=path,
                reason="runtime_error",
                **failure.location(),
            )
        return build_decision(
            path,
            None if raw == UNDEFINED else json.loads(raw),
            rules=bundle.rules,
            bundle_hash=bundle.hash,
            input_hash=input_hash,
            started_ns=started,
            eval_ns=eval_ns,
            finished_ns=time.perf_counter_ns(),
        )

    def reload_if_changed(self) -> bool:
        with self._reload_lock:
            current = self._loaded.bundle
            bundle = load_bundle(current.root, current.data_root)
            if bundle.hash == current.hash:
                return False
            self._loaded = self._prepare(bundle)
            return True

    def _prepare(self, bundle: PolicyBundle) -> _Loaded:
        """Build and verify an engine for ``bundle`` in this thread, and keep it."""
        engine = build_engine(bundle)
        problem = verify_engine(engine, bundle, self._require)
        if problem is not None:
            del engine
            raise problem
        loaded = _Loaded(bundle)
        self._keep(loaded, engine)
        return loaded

    def _engine(self) -> tuple[_Loaded, Any]:
        loaded = self._loaded
        slot = _slots().get(self._serial)
        if slot is not None and slot[0] is loaded:
            return loaded, slot[1]
        engine = build_engine(loaded.bundle)
        call(loaded.bundle, engine, "set_input_json", "{}")
        for path in loaded.bundle.entrypoints:  # warm the prepared schedule
            call(loaded.bundle, engine, "eval_rule_as_json", f"data.{path}")
        self._keep(loaded, engine)
        return loaded, engine

    def _keep(self, loaded: _Loaded, engine: Any) -> None:
        slots = _slots()
        for serial in [s for s, (_, _, owner) in slots.items() if owner() is None]:
            del slots[serial]  # owner gone: drop its engine here, in the thread that made it
        slots[self._serial] = (loaded, engine, weakref.ref(self))
