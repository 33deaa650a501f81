"""The whole remediation loop through MCP tools, in both protocol eras, on SQLite and
PostgreSQL: an agent claims the shell=True packet, is allowed its edit, denied one
outside the packet and told to ask before committing; a human reviewer approves
(through the library, as a UI would); the commit is allowed once; the agent reports
with evidence; an operator ingests the rescan through MCP; the packet is verified.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from mcp import Client
from mcp_world import (
    AGENT,
    COMMIT,
    EDIT,
    OPERATOR,
    OUTSIDE,
    PROJECT,
    REVIEWER,
    SHELL_RULE,
    Caller,
    Seeded,
    runtime_for,
    sarif_without,
    seed_world,
    settings_for,
)

from pearl_core import RegorusEngine, decide_approval
from pearl_core.testing import FakeClock
from pearl_mcp.identity import acting_as
from pearl_mcp.mcp import build_mcp_server
from pearl_mcp.runtime import Runtime

pytestmark = pytest.mark.anyio

FIXED = Path(__file__).resolve().parents[2] / "examples" / "fixes" / "vulnerable-app" / "app"


@pytest.fixture
async def seeded_runtime(
    database_url: str, tmp_path: Path, policy_engine: RegorusEngine
) -> AsyncIterator[tuple[Runtime, Seeded]]:
    settings = settings_for(database_url, tmp_path / "keys" / "signing-key.pem")
    runtime = runtime_for(settings, policy_engine, FakeClock())
    try:
        yield runtime, await seed_world(runtime)
    finally:
        await runtime.aclose()


def evidence(packet: dict[str, object]) -> dict[str, object]:
    fixed = (FIXED / "shell.py").read_bytes()
    required = packet["required_tests"]
    assert isinstance(required, list)
    return {
        "status": "fixed",
        "summary": "Run the report command without a shell.",
        "changed_files": [{"path": "app/shell.py", "sha256": hashlib.sha256(fixed).hexdigest()}],
        "commit_sha": "4f2b9c1d0e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c",
        "test_results": [
            {"name": name, "status": "passed", "output_digest": "c" * 64}
            for name in required
            if not name.startswith("rescan:")
        ],
        "tool_output_digests": {"pytest": "d" * 64},
    }


async def test_the_remediation_loop_closes_through_mcp(
    seeded_runtime: tuple[Runtime, Seeded], mode: str
) -> None:
    runtime, seeded = seeded_runtime
    packet_id = seeded.shell_packet_id
    async with Client(build_mcp_server(runtime), mode=mode) as client:
        mcp = Caller(client)

        claimed = await mcp.ok(AGENT, "pearl_claim_task_packet", task_packet_id=packet_id)
        verdicts = [
            (await mcp.ok(AGENT, "pearl_check_action", task_packet_id=packet_id, action=a))[
                "decision"
            ]
            for a in (EDIT, OUTSIDE, COMMIT)
        ]
        assert verdicts == ["allow", "deny", "needs_approval"]

        request = await mcp.ok(
            AGENT, "pearl_request_approval", task_packet_id=packet_id, action=COMMIT
        )
        request_id = request["approval_request_id"]
        pending = await mcp.ok(AGENT, "pearl_get_approval", approval_request_id=request_id)
        assert pending["request"]["status"] == "pending"
        await decide_approval(
            runtime.uow(REVIEWER),
            request_id,
            "approve",
            reason="only drops shell=True",
            clock=runtime.pearl.clock,
        )
        state = await mcp.ok(AGENT, "pearl_get_approval", approval_request_id=request_id)
        assert state["request"]["status"] == "approved"

        once = await mcp.ok(AGENT, "pearl_check_action", task_packet_id=packet_id, action=COMMIT)
        twice = await mcp.ok(AGENT, "pearl_check_action", task_packet_id=packet_id, action=COMMIT)
        assert (once["decision"], twice["decision"]) == ("allow", "needs_approval")

        reported = await mcp.ok(
            AGENT, "pearl_report_outcome", task_packet_id=packet_id, report=evidence(claimed)
        )
        assert reported["status"] == "submitted"
        finding = await mcp.ok(AGENT, "pearl_get_finding", finding_id=seeded.shell_finding_id)
        assert finding["status"] == "fix_submitted"

        rescan = {"project_id": PROJECT, "environment": "dev", "report": sarif_without(SHELL_RULE)}
        assert await mcp.refused(AGENT, "pearl_ingest_findings", **rescan) == "forbidden"
        summary = await mcp.ok(OPERATOR, "pearl_ingest_findings", **rescan)
        assert summary["resolved_by_rescan"] == 1

        packet = await mcp.ok(AGENT, "pearl_get_task_packet", task_packet_id=packet_id)
        finding = await mcp.ok(AGENT, "pearl_get_finding", finding_id=seeded.shell_finding_id)
        assert (packet["status"], finding["status"]) == ("verified", "fixed_verified")


async def test_the_caller_set_before_connecting_reaches_tools_and_can_change_per_call(
    seeded_runtime: tuple[Runtime, Seeded], mode: str
) -> None:
    runtime, seeded = seeded_runtime
    packet_id = seeded.shell_packet_id
    with acting_as(AGENT):
        async with Client(build_mcp_server(runtime), mode=mode) as client:
            claimed = await client.call_tool(
                "pearl_claim_task_packet", {"task_packet_id": packet_id}
            )
            with acting_as(OPERATOR):
                as_operator = await client.call_tool(
                    "pearl_claim_task_packet", {"task_packet_id": packet_id}
                )
            again = await client.call_tool("pearl_claim_task_packet", {"task_packet_id": packet_id})

    assert not claimed.is_error
    assert (claimed.structured_content or {})["lease"]["holder_id"] == AGENT.subject_id
    assert as_operator.is_error
    assert getattr(as_operator.content[0], "text", "").startswith("[conflict]")
    assert not again.is_error
