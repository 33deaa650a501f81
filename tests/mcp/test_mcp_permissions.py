"""Every tool and resource declares its permission, checked before dispatch, through
a real in-memory client in both eras: callers list only what they may use, a hidden
tool reads like a missing one, scoped keys get ``insufficient_scope``, and every
refusal leaves an ``access.denied`` audit event."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp import Client, MCPError
from mcp.server.mcpserver import MCPServer
from mcp_world import (
    AGENT,
    OPERATOR,
    PROJECT,
    VIEWER,
    Caller,
    World,
    error_code,
    runtime_for,
    settings_for,
)

from pearl_core import AuditEvent, Permission, Principal, RegorusEngine, list_audit_events
from pearl_core.testing import FakeClock, make_agent
from pearl_mcp.identity import acting_as
from pearl_mcp.mcp import build_mcp_server
from pearl_mcp.mcp.permissions import RESOURCE_PERMISSIONS, TOOL_PERMISSIONS
from pearl_mcp.runtime import Runtime

pytestmark = pytest.mark.anyio

INGEST_ARGS = {"project_id": PROJECT, "environment": "dev", "report": "{}"}
READER = make_agent(
    org_id=AGENT.org_id,
    subject_id="sa_reader",
    scopes=frozenset({Permission.PACKETS_READ, Permission.POLICY_READ}),
)


async def denials(runtime: Runtime) -> list[AuditEvent]:
    events = await list_audit_events(runtime.uow(OPERATOR), limit=1000)
    return [event for event in events if event.action == "access.denied"]


async def tool_names(caller: Caller, who: Principal | None) -> set[str]:
    if who is None:
        return {tool.name for tool in (await caller.client.list_tools()).tools}
    with acting_as(who):
        return {tool.name for tool in (await caller.client.list_tools()).tools}


async def test_every_registered_tool_and_resource_declares_a_permission(world: World) -> None:
    server = build_mcp_server(world.runtime)

    registered_tools = {tool.name for tool in await MCPServer.list_tools(server)}
    registered_resources = {r.uri for r in await MCPServer.list_resources(server)} | {
        t.uri_template for t in await MCPServer.list_resource_templates(server)
    }

    assert registered_tools == set(TOOL_PERMISSIONS)
    assert registered_resources == set(RESOURCE_PERMISSIONS)


async def test_an_operator_lists_every_tool(caller: Caller) -> None:
    assert await tool_names(caller, OPERATOR) == set(TOOL_PERMISSIONS)


async def test_a_service_account_lists_no_operator_only_tool(caller: Caller) -> None:
    listed = await tool_names(caller, AGENT)

    assert "pearl_ingest_findings" not in listed
    assert listed == set(TOOL_PERMISSIONS) - {"pearl_ingest_findings"}


async def test_a_viewer_lists_only_the_tools_that_read(caller: Caller) -> None:
    assert await tool_names(caller, VIEWER) == {
        "pearl_list_task_packets",
        "pearl_get_task_packet",
        "pearl_list_findings",
        "pearl_get_finding",
        "pearl_get_context",
        "pearl_gate_status",
    }


async def test_a_caller_without_a_principal_lists_no_tool(caller: Caller) -> None:
    assert await tool_names(caller, None) == set()


async def test_a_service_account_calling_ingest_is_forbidden_and_audited(
    caller: Caller, world: World
) -> None:
    code = await caller.refused(AGENT, "pearl_ingest_findings", **INGEST_ARGS)

    assert code == "forbidden"
    [event] = await denials(world.runtime)
    assert event.actor_id == AGENT.subject_id
    assert event.details == {
        "surface": "mcp",
        "target": "pearl_ingest_findings",
        "code": "forbidden",
        "permission": "findings:ingest",
        "principal": AGENT.subject_id,
        "principal_kind": "service_account",
    }


async def test_a_nonexistent_tool_and_a_hidden_tool_give_the_same_error(caller: Caller) -> None:
    hidden = await caller.call(AGENT, "pearl_ingest_findings", INGEST_ARGS)
    missing = await caller.call(AGENT, "pearl_ingest_everything", INGEST_ARGS)

    assert hidden.model_dump() == missing.model_dump()
    assert error_code(hidden) == "forbidden"


async def test_a_refused_tool_never_parses_its_arguments(caller: Caller) -> None:
    """The check runs before dispatch: bad arguments to a hidden tool still read forbidden."""
    assert await caller.refused(AGENT, "pearl_ingest_findings", report=17) == "forbidden"


async def test_a_scoped_key_missing_the_permission_gets_insufficient_scope(
    caller: Caller, world: World
) -> None:
    code = await caller.refused(READER, "pearl_next_task_packet")
    listed = await tool_names(caller, READER)

    assert code == "insufficient_scope"
    assert listed == {"pearl_list_task_packets", "pearl_get_task_packet", "pearl_get_context"}
    [event] = await denials(world.runtime)
    assert (event.actor_id, event.details["code"], event.details["permission"]) == (
        "sa_reader",
        "insufficient_scope",
        "packets:work",
    )


async def test_a_scoped_key_reads_and_lists_only_the_resources_of_its_scopes(
    caller: Caller, world: World
) -> None:
    with acting_as(READER):
        templates = await caller.client.list_resource_templates()
        with pytest.raises(MCPError) as refused:
            await caller.client.read_resource(f"pearl://findings/{world.seeded.shell_finding_id}")

    assert "pearl://findings/{finding_id}" not in {
        t.uri_template for t in templates.resource_templates
    }
    assert refused.value.error.message.startswith("[insufficient_scope]")
    [event] = await denials(world.runtime)
    assert event.details["target"] == "pearl://findings/{finding_id}"
    assert event.details["permission"] == "findings:read"


async def test_an_unauthenticated_call_is_audited_as_anonymous(
    caller: Caller, world: World
) -> None:
    assert await caller.refused(None, "pearl_list_task_packets") == "unauthenticated"

    [event] = await denials(world.runtime)
    assert (event.actor_id, event.details["principal"]) == ("system:anonymous", "anonymous")


async def test_a_refused_tool_call_is_audited_on_every_database(
    database_url: str, tmp_path: Path, mode: str, policy_engine: RegorusEngine
) -> None:
    runtime = runtime_for(
        settings_for(database_url, tmp_path / "key.pem"), policy_engine, FakeClock()
    )
    try:
        async with Client(build_mcp_server(runtime), mode=mode) as client:
            with acting_as(AGENT):
                result = await client.call_tool("pearl_ingest_findings", INGEST_ARGS)
        found = await denials(runtime)
    finally:
        await runtime.aclose()

    assert error_code(result) == "forbidden"
    assert [(e.actor_id, e.details["target"]) for e in found] == [
        (AGENT.subject_id, "pearl_ingest_findings")
    ]
