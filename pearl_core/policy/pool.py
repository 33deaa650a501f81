"""Big evaluations in a process pool, one embedded engine per worker process.

regorus holds the GIL while it evaluates, so a large decision (a promotion
gate over thousands of findings) run in a thread still stalls the event loop,
and two threads are no faster than one. A worker process is the way out:
each builds its own :class:`RegorusEngine` from the (picklable) bundle in its
initializer. Workers are *spawned*, not forked, so no engine of the parent's
threads is ever copied into a child.

Per-action decisions (guard rails, eligibility) stay in-process: a round trip
to a worker costs more than they do.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from types import TracebackType
from typing import Any, Self

import anyio.to_thread

from pearl_core.errors import PolicyEvaluationError
from pearl_core.policy.bundle import PolicyBundle
from pearl_core.policy.ports import Decision
from pearl_core.policy.regorus_build import build_engine, verify_engine
from pearl_core.policy.regorus_engine import RegorusEngine

__all__ = ["PolicyProcessPool"]

_worker_engine: list[RegorusEngine] = []


def _start_worker(bundle: PolicyBundle, require: tuple[str, ...]) -> None:
    _worker_engine.append(RegorusEngine(bundle, require=require))


def _evaluate(entrypoint: str, input: Mapping[str, Any]) -> Decision:
    if not _worker_engine:
        raise PolicyEvaluationError(
            "this process has no policy engine", entrypoint=entrypoint, reason="no_engine"
        )
    return _worker_engine[0].evaluate(entrypoint, input)


class PolicyProcessPool:
    """Evaluate entrypoints of one bundle in ``workers`` spawned processes.

    The bundle is verified in the calling thread first, so a bad bundle raises
    :class:`~pearl_core.errors.PolicyLoadError` here rather than breaking the
    pool. Use it as a context manager, or call :meth:`close`.
    """

    def __init__(
        self, bundle: PolicyBundle, *, workers: int = 2, require: Iterable[str] = ()
    ) -> None:
        required = tuple(require)
        problem = verify_engine(build_engine(bundle), bundle, required)
        if problem is not None:
            raise problem
        self._bundle = bundle
        self._executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(bundle, required),
        )

    @property
    def bundle_hash(self) -> str:
        return self._bundle.hash

    @property
    def entrypoints(self) -> tuple[str, ...]:
        return self._bundle.entrypoints

    def submit(self, entrypoint: str, input: Mapping[str, Any]) -> Future[Decision]:
        """Queue one decision; the future raises what the engine raised."""
        return self._executor.submit(_evaluate, entrypoint, dict(input))

    async def evaluate(self, entrypoint: str, input: Mapping[str, Any]) -> Decision:
        """Decide in a worker without blocking the event loop."""
        future = self.submit(entrypoint, input)
        return await anyio.to_thread.run_sync(future.result, abandon_on_cancel=True)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
