"""Which permission each REST operation needs, checked before any service runs.

Every route is declared with an ``operation_id``; :data:`ROUTE_PERMISSIONS`
maps it to the :class:`~pearl_core.Permission` the caller must hold.
:func:`pearl_mcp.rest.deps.caller` looks the running route up here and calls
:func:`pearl_core.authorize` before the handler body runs, and
:func:`pearl_mcp.rest.app.build_rest_app` refuses to build an app with a route
missing from the table, so an undeclared route can never serve. The services
authorise again: this table is the first check, not the only one.

:data:`PUBLIC_PATHS` are the only paths served without a principal: the
API's own description, which holds no data.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from pearl_core import Permission

__all__ = ["PUBLIC_PATHS", "ROUTE_PERMISSIONS"]

_P = Permission

ROUTE_PERMISSIONS: Final = MappingProxyType(
    {
        # -- the v1.1 contract ------------------------------------------------
        "createProject": _P.PROJECT_WRITE,
        "getProject": _P.PROJECT_READ,
        "updateProject": _P.PROJECT_WRITE,
        "upsertOrgBaselineForProject": _P.POLICY_WRITE,
        "upsertApplicationSpec": _P.POLICY_WRITE,
        "upsertEnvironmentProfile": _P.POLICY_WRITE,
        "compileContext": _P.PROJECT_WRITE,
        "getJobStatus": _P.PROJECT_READ,
        "getCompiledPackage": _P.POLICY_READ,
        "generateTaskPacket": _P.REMEDIATION_GENERATE,
        "ingestFindings": _P.FINDINGS_INGEST,
        "generateRemediationSpec": _P.REMEDIATION_GENERATE,
        "createApprovalRequest": _P.APPROVALS_REQUEST,
        "decideApproval": _P.APPROVALS_DECIDE,
        "createException": _P.APPROVALS_REQUEST,
        "generateReport": _P.AUDIT_READ,
        # -- PeaRL's own: the agent loop and reads ------------------------------
        "listTaskPackets": _P.PACKETS_READ,
        "getTaskPacket": _P.PACKETS_READ,
        "claimTaskPacket": _P.PACKETS_WORK,
        "releaseTaskPacket": _P.PACKETS_WORK,
        "heartbeatTaskPacket": _P.PACKETS_WORK,
        "checkAction": _P.PACKETS_WORK,
        "reportOutcome": _P.PACKETS_WORK,
        "listFindings": _P.FINDINGS_READ,
        "getFinding": _P.FINDINGS_READ,
        "listApprovalRequests": _P.APPROVALS_READ,
        "getApproval": _P.APPROVALS_READ,
        "listExceptions": _P.APPROVALS_READ,
    }
)

PUBLIC_PATHS: Final = frozenset({"/api/v1/openapi.json", "/api/v1/docs"})
