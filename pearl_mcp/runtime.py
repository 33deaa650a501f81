"""The running server's shared parts: PeaRL, its policy engine, and the settings
the loop services need, built once per process and handed to every surface
(MCP tools, REST routes, the demo agent). Handlers call one service with a
unit of work acting as the caller (:func:`pearl_mcp.identity.current_principal`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pearl_core import (
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

    async def aclose(self) -> None:
        await self.pearl.aclose()
