"""The tool surface agents see is pinned: names, titles, descriptions, input and
output schemas and annotations hash to one constant, so any change is deliberate.

If ``test_the_tool_surface_is_unchanged`` fails after a change you meant, copy the
new hash from its message into ``TOOL_SURFACE_SHA256`` and say in the commit
message what changed for agents and why.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from mcp.types import Tool
from mcp_world import OPERATOR, Caller

from pearl_mcp.identity import acting_as

pytestmark = pytest.mark.anyio

TOOL_SURFACE_SHA256 = "3d12e554f427e61938e8d159e2d1b3ac5b42119abf29bd85c1f481534aca6b06"

TOOLS = {
    "pearl_next_task_packet",
    "pearl_list_task_packets",
    "pearl_get_task_packet",
    "pearl_claim_task_packet",
    "pearl_release_task_packet",
    "pearl_heartbeat",
    "pearl_check_action",
    "pearl_request_approval",
    "pearl_get_approval",
    "pearl_report_outcome",
    "pearl_get_context",
    "pearl_list_findings",
    "pearl_get_finding",
    "pearl_ingest_findings",
    "pearl_gate_status",
}
READ_ONLY = {
    "pearl_list_task_packets",
    "pearl_get_task_packet",
    "pearl_get_approval",
    "pearl_get_context",
    "pearl_list_findings",
    "pearl_get_finding",
    "pearl_gate_status",
}
#: Words no tool name may contain: deciding, granting and disposing are humans' acts.
FORBIDDEN_WORDS = (
    "decide",
    "approve",
    "reject",
    "exception",
    "waive",
    "accept",
    "false_positive",
    "dispose",
    "status",
    "triage",
    "suppress",
)


def canonical(tools: list[Tool]) -> bytes:
    """Sorted, compact JSON of the listed tools, as the wire carries them."""
    dumped: list[dict[str, Any]] = [
        tool.model_dump(mode="json", by_alias=True, exclude_none=True)
        for tool in sorted(tools, key=lambda tool: tool.name)
    ]
    return json.dumps(dumped, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


async def listed(caller: Caller) -> list[Tool]:
    """The whole surface: an operator may call every tool (each caller sees only its own)."""
    with acting_as(OPERATOR):
        return (await caller.client.list_tools()).tools


async def test_the_tool_surface_is_unchanged(caller: Caller) -> None:
    digest = hashlib.sha256(canonical(await listed(caller))).hexdigest()

    assert digest == TOOL_SURFACE_SHA256, (
        "The MCP tool surface changed. If the change is deliberate, set TOOL_SURFACE_SHA256 = "
        f'"{digest}" in tests/mcp/test_tool_surface.py and say in the commit message what '
        "changed for agents and why."
    )


async def test_the_server_offers_exactly_the_loop_tools(caller: Caller) -> None:
    assert {tool.name for tool in await listed(caller)} == TOOLS


async def test_no_tool_decides_approvals_grants_exceptions_or_disposes_of_findings(
    caller: Caller,
) -> None:
    names = [tool.name for tool in await listed(caller) if tool.name != "pearl_gate_status"]

    assert [name for name in names if any(word in name for word in FORBIDDEN_WORDS)] == []


async def test_every_tool_has_an_output_schema_and_honest_annotations(caller: Caller) -> None:
    for tool in await listed(caller):
        assert tool.output_schema is not None, tool.name
        assert tool.output_schema["type"] == "object", tool.name
        hints = tool.annotations
        assert hints is not None, tool.name
        assert hints.open_world_hint is False, tool.name
        assert hints.read_only_hint is (tool.name in READ_ONLY), tool.name
        assert hints.idempotent_hint is not None, tool.name
        assert hints.destructive_hint is (tool.name == "pearl_ingest_findings"), tool.name


async def test_descriptions_tell_the_agent_what_to_do_when_refused(caller: Caller) -> None:
    tools = {tool.name: tool for tool in await listed(caller)}

    check = tools["pearl_check_action"].description or ""
    assert "deny" in check
    assert "needs_approval" in check
    assert "pearl_request_approval" in check
    approval = tools["pearl_get_approval"].description or ""
    assert "pearl_check_action" in approval
    assert "[forbidden]" in (tools["pearl_ingest_findings"].description or "")
