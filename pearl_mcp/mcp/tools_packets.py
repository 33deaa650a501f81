"""Task packet tools: find work, hold it, give it back, report on it.

Each tool validates its arguments (by type), calls one service as the
authenticated caller (:func:`~pearl_mcp.identity.current_principal`) and maps
the result; errors are mapped by the server (:mod:`pearl_mcp.mcp.errors`).
"""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from pearl_core import (
    TaskPacketStatus,
    claim_task_packet,
    get_task_packet,
    heartbeat_task_packet,
    list_task_packets,
    next_task_packet,
    release_task_packet,
    report_outcome,
)
from pearl_mcp.identity import current_principal
from pearl_mcp.mcp.hints import READ_ONLY, mutating
from pearl_mcp.mcp.inputs import OutcomeInput, ProjectId, TaskPacketId
from pearl_mcp.mcp.models import NextTaskPacketOut, TaskPacketList, TaskPacketOut, TaskPacketSummary
from pearl_mcp.runtime import Runtime

__all__ = ["register_packet_tools"]

NEXT = """Claim the next task packet available to you and return it (a packet you \
already hold comes first). Returns claimed=false with no packet when there is no work: \
stop then, do not invent work. A claim is a lease: send pearl_heartbeat while you work. \
Read the packet before acting: allowed_paths, allowed_commands and allowed_packages are \
the whole scope of what you may change; required_tests and evidence_required are what \
pearl_report_outcome needs. Check every action with pearl_check_action first."""

LIST = """List task packets, oldest first, optionally of one project and in some \
statuses (available, claimed, submitted, verified, rejected, expired, cancelled). \
Read-only: to take one, call pearl_claim_task_packet."""

GET = """Read one task packet: its scope (allowed actions, paths, commands, packages), \
required tests and evidence, lease and status. Read-only."""

CLAIM = """Claim a task packet by id: you hold a lease on it until lease.expires_at; \
claiming one you already hold renews the lease. [conflict] means another agent holds \
it: pick another packet (pearl_next_task_packet), do not retry in a loop. \
[invalid_transition] means it is not available (submitted, verified, expired...). \
Check every action with pearl_check_action before taking it."""

RELEASE = """Give back a task packet you hold (it becomes available to others), with an \
optional reason. Do this when you cannot finish it within its scope. Only the lease \
holder may release."""

HEARTBEAT = """Extend your lease on a task packet you hold; call it well before \
lease.expires_at while you work. A lapsed lease cannot be revived: claim the packet \
again ([conflict] if someone else took it meanwhile)."""

REPORT = """Report the outcome of a task packet you hold, with the evidence its \
evidence_required lists: changed_files (path + sha256 after the change), commit_sha, \
test_results (one per required test, rescan: entries excepted; a fixed outcome needs \
them all passed) and tool_output_digests. fixed or not_reproducible submits the packet: \
its findings become fix_submitted until PeaRL's rescan verifies or reopens them. partial \
or failed gives the packet back. [validation_failed] names each missing item: add it and \
report again. Never claim a fix you did not make or tests you did not run."""


def register_packet_tools(server: MCPServer[Any], runtime: Runtime) -> None:
    pearl = runtime.pearl
    work = pearl.settings.work

    @server.tool(
        name="pearl_next_task_packet",
        title="Claim the next task packet",
        description=NEXT,
        annotations=mutating(idempotent=False),
    )
    async def pearl_next_task_packet(
        project_id: Annotated[
            ProjectId | None, Field(description="Only work of this project.")
        ] = None,
    ) -> NextTaskPacketOut:
        packet = await next_task_packet(
            runtime.uow(current_principal()),
            clock=pearl.clock,
            lease_ttl=work.lease_ttl,
            project_id=project_id,
        )
        if packet is None:
            return NextTaskPacketOut(claimed=False, message="no task packet is available: stop")
        return NextTaskPacketOut(
            claimed=True,
            task_packet=TaskPacketOut.of(packet),
            message="claimed: check every action with pearl_check_action before taking it",
        )

    @server.tool(
        name="pearl_list_task_packets",
        title="List task packets",
        description=LIST,
        annotations=READ_ONLY,
    )
    async def pearl_list_task_packets(
        project_id: Annotated[ProjectId | None, Field(description="Only this project.")] = None,
        statuses: Annotated[
            list[TaskPacketStatus] | None, Field(description="Only these statuses.")
        ] = None,
    ) -> TaskPacketList:
        found = await list_task_packets(
            runtime.uow(current_principal()), project_id=project_id, statuses=statuses
        )
        return TaskPacketList(
            task_packets=[TaskPacketSummary.of(p) for p in found], count=len(found)
        )

    @server.tool(
        name="pearl_get_task_packet",
        title="Read a task packet",
        description=GET,
        annotations=READ_ONLY,
    )
    async def pearl_get_task_packet(task_packet_id: TaskPacketId) -> TaskPacketOut:
        packet = await get_task_packet(runtime.uow(current_principal()), task_packet_id)
        return TaskPacketOut.of(packet)

    @server.tool(
        name="pearl_claim_task_packet",
        title="Claim a task packet",
        description=CLAIM,
        annotations=mutating(idempotent=True),
    )
    async def pearl_claim_task_packet(task_packet_id: TaskPacketId) -> TaskPacketOut:
        packet = await claim_task_packet(
            runtime.uow(current_principal()),
            task_packet_id,
            clock=pearl.clock,
            lease_ttl=work.lease_ttl,
        )
        return TaskPacketOut.of(packet)

    @server.tool(
        name="pearl_release_task_packet",
        title="Release a task packet",
        description=RELEASE,
        annotations=mutating(idempotent=False),
    )
    async def pearl_release_task_packet(
        task_packet_id: TaskPacketId,
        reason: Annotated[
            str | None, Field(description="Why you give it back.", max_length=2000)
        ] = None,
    ) -> TaskPacketOut:
        packet = await release_task_packet(
            runtime.uow(current_principal()), task_packet_id, clock=pearl.clock, reason=reason
        )
        return TaskPacketOut.of(packet)

    @server.tool(
        name="pearl_heartbeat",
        title="Extend your lease",
        description=HEARTBEAT,
        annotations=mutating(idempotent=True),
    )
    async def pearl_heartbeat(task_packet_id: TaskPacketId) -> TaskPacketOut:
        packet = await heartbeat_task_packet(
            runtime.uow(current_principal()),
            task_packet_id,
            clock=pearl.clock,
            lease_ttl=work.lease_ttl,
        )
        return TaskPacketOut.of(packet)

    @server.tool(
        name="pearl_report_outcome",
        title="Report the outcome with evidence",
        description=REPORT,
        annotations=mutating(idempotent=False),
    )
    async def pearl_report_outcome(
        task_packet_id: TaskPacketId, report: OutcomeInput
    ) -> TaskPacketOut:
        packet = await report_outcome(
            runtime.uow(current_principal()),
            task_packet_id,
            report.to_report(),
            clock=pearl.clock,
        )
        return TaskPacketOut.of(packet)
