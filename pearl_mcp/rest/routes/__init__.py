"""The REST routers, one per concept; :data:`ROUTERS` in the order they are mounted."""

from __future__ import annotations

from pearl_mcp.rest.routes import (
    approvals,
    context,
    findings,
    governance,
    packets,
    projects,
    remediation,
)

__all__ = ["ROUTERS"]

ROUTERS = (
    projects.router,
    context.router,
    packets.router,
    findings.router,
    remediation.router,
    approvals.router,
    governance.router,
)
