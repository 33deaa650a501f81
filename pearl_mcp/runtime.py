"""The running server's shared parts: PeaRL, its policy engine, and the settings
the loop services need, built once per process and handed to every surface
(MCP tools, REST routes, the demo agent). Handlers call one service with a
unit of work acting as the caller (:func:`pearl_mcp.identity.current_principal`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from pearl_core import (
    GuardFastPath,
    Pearl,
    PolicyEngine,
    Principal,
    Settings,
    UnitOfWork,
    bootstrap,
)

__all__ = ["Runtime"]

#: Entrypoints the server's services call: a bundle without one fails at start-up.
REQUIRED_ENTRYPOINTS = (
    "pearl.guardrails.decision",
    "pearl.remediation.decision",
    "pearl.gate.decision",
)


@dataclass(frozen=True, slots=True)
class Runtime:
    """PeaRL as one server process sees it."""

    pearl: Pearl
    engine: PolicyEngine
    rego_dir: Path | None = None
    """Where the served policy bundle lives (``None``: the bundled ``rego/``)."""

    @classmethod
    def start(cls, settings: Settings, *, configure_logs: bool = True) -> Runtime:
        """Build PeaRL and load (and verify) the policy bundle; a bad bundle fails here."""
        pearl = bootstrap(settings, configure_logs=configure_logs)
        return cls(pearl, pearl.policy_engine(require=REQUIRED_ENTRYPOINTS))

    def uow(self, principal: Principal) -> UnitOfWork:
        """A fresh unit of work acting as ``principal``."""
        return self.pearl.unit_of_work(principal)

    @property
    def fast_path(self) -> GuardFastPath:
        """The guard rail's cache-and-buffer path; it answers only while :meth:`running`."""
        return self.pearl.guard_fast_path

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Runtime]:
        """Serve: write buffered decision records behind requests, and all of them at exit."""
        async with self.pearl.decision_buffer.run():
            yield self

    async def aclose(self) -> None:
        await self.pearl.aclose()
