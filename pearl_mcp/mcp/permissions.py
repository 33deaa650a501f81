"""Which permission each MCP tool and resource needs, checked before it runs.

:data:`TOOL_PERMISSIONS` maps every tool name to the
:class:`~pearl_core.Permission` its caller must hold;
:class:`~pearl_mcp.mcp.server.PearlMCPServer` authorises the caller against
it before dispatching a call (so no argument is parsed and no service or
database is touched for a caller without it) and lists to each caller only
the tools it may call. :data:`RESOURCE_PERMISSIONS` does the same for the
resources, by URI (template). The services authorise again: these tables
are the first check, not the only one. ``tests/mcp`` fails when a
registered tool or resource has no entry, or an entry names nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from mcp import UriTemplate

from pearl_core import Forbidden, Permission, Principal, authorize

__all__ = ["RESOURCE_PERMISSIONS", "TOOL_PERMISSIONS", "may", "resource_permissions"]

_P = Permission

TOOL_PERMISSIONS: Final[Mapping[str, Permission]] = MappingProxyType(
    {
        # -- the work loop: agents (and operators working a packet by hand) ----
        "pearl_next_task_packet": _P.PACKETS_WORK,
        "pearl_claim_task_packet": _P.PACKETS_WORK,
        "pearl_release_task_packet": _P.PACKETS_WORK,
        "pearl_heartbeat": _P.PACKETS_WORK,
        "pearl_check_action": _P.PACKETS_WORK,
        "pearl_report_outcome": _P.PACKETS_WORK,
        "pearl_list_task_packets": _P.PACKETS_READ,
        "pearl_get_task_packet": _P.PACKETS_READ,
        # -- approvals: asked for and read here, decided by humans elsewhere ---
        "pearl_request_approval": _P.APPROVALS_REQUEST,
        "pearl_get_approval": _P.APPROVALS_READ,
        # -- findings, context and the gate -------------------------------------
        "pearl_list_findings": _P.FINDINGS_READ,
        "pearl_get_finding": _P.FINDINGS_READ,
        "pearl_ingest_findings": _P.FINDINGS_INGEST,
        "pearl_get_context": _P.POLICY_READ,
        "pearl_gate_status": _P.PROJECT_READ,
    }
)

RESOURCE_PERMISSIONS: Final[Mapping[str, Permission]] = MappingProxyType(
    {
        "pearl://projects/{project_id}/context/{environment}": _P.POLICY_READ,
        "pearl://task-packets/{task_packet_id}": _P.PACKETS_READ,
        "pearl://findings/{finding_id}": _P.FINDINGS_READ,
        "pearl://policies": _P.POLICY_READ,
        "pearl://policies/{+path}": _P.POLICY_READ,
    }
)

_TEMPLATES: Final = tuple(
    (uri, UriTemplate.parse(uri), permission) for uri, permission in RESOURCE_PERMISSIONS.items()
)


def may(principal: Principal, permission: Permission) -> bool:
    """Whether ``principal`` holds ``permission`` (for listing; calls use ``authorize``)."""
    try:
        authorize(principal, permission)
    except Forbidden:
        return False
    return True


def resource_permissions(uri: str) -> list[tuple[str, Permission]]:
    """``(declared URI, permission)`` of every declared resource ``uri`` can be
    (usually one; none when no declared resource has that shape)."""
    return [
        (declared, permission)
        for declared, template, permission in _TEMPLATES
        if template.match(uri) is not None
    ]
