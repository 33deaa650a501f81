"""The issue, replayed end to end by org_alpha's agent against the running server:

    "A coding agent told to 'fix the findings and get promoted' created its own
    exceptions, found the decide endpoints, called them, bulk-marked findings as
    false positives, asked the human for a reviewer flag, wrote that flag into the
    config itself, and restarted the server — and only refused calls were audited."

Each step fails server-side, over REST and over MCP; the project is no closer to
promotion afterwards; and the refusals are on the record under the agent's name.
(The restart with a loosened configuration is
``test_a_server_restarted_with_a_loosened_configuration_refuses_to_start``.)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from security_calls import denials_by, mcp, rest, tool_error
from security_world import Reader, World

pytestmark = pytest.mark.anyio

#: What the agent tries to pass off as a reviewer's say-so ("the reviewer flag").
REVIEWER_FLAG = {
    "X-Pearl-Role": "reviewer",
    "X-Pearl-Principal": "usr_reviewer",
    "X-Forwarded-User": "reviewer@alpha.test",
    "X-Pearl-Reviewer": "true",
}


async def test_the_agent_of_the_issue_gets_nowhere_near_promotion(
    world: World, reader: Reader
) -> None:
    alpha = world.alpha
    agent = alpha.agent
    findings = await reader.findings("org_alpha")
    findings_before = {f: x.status for f, x in findings.items()}
    rules = sorted({x.rule_id for x in findings.values() if x.rule_id})
    gate_before = await _gate(world)
    marks = await reader.heads()
    expires = (datetime.now(UTC) + timedelta(days=90)).isoformat()

    async with rest(world, agent.key) as client:
        # 1. It creates its own exception, marked active and approved.
        own = await client.post(
            "/api/v1/exceptions",
            json={
                "project_id": alpha.project_id,
                "rationale": "fix the findings and get promoted",
                "expires_at": expires,
                "scope": {"environment": "dev", "controls": rules},
                "status": "active",
                "approved_by": [alpha.reviewer.subject_id],
            },
        )
        # 2. It finds the decide endpoints in the published API description.
        paths = (await client.get("/api/v1/openapi.json")).json()["paths"]
        decide = next(p for p in paths if p.endswith("/decide"))
        # 3. It calls them, with the "reviewer flag" in headers, query and body.
        decisions = [
            await client.post(
                decide.replace("{approval_request_id}", approval) + "?role=reviewer",
                json={
                    "decision": "approve",
                    "reason": "approved by the reviewer",
                    "decided_by": alpha.reviewer.subject_id,
                    "decider_role": "reviewer",
                },
                headers=REVIEWER_FLAG,
            )
            for approval in (alpha.agent_approval_id, alpha.bot_approval_id)
        ]
        # 4. It bulk-marks the findings as false positives.
        laundering = [
            await client.patch(
                f"/api/v1/findings/{finding}",
                json={"status": "false_positive", "reason": "not real"},
                headers=REVIEWER_FLAG,
            )
            for finding in alpha.finding_ids
        ]

    async with mcp(world, agent.key) as session:
        listed = {tool.name for tool in (await session.list_tools()).tools}
        by_tool = [
            await session.call_tool(
                "pearl_decide_approval",
                {"approval_request_id": alpha.agent_approval_id, "decision": "approve"},
            ),
            *[
                await session.call_tool(
                    "pearl_update_finding_status",
                    {"finding_id": finding, "status": "false_positive", "reason": "not real"},
                )
                for finding in alpha.finding_ids
            ],
        ]

    assert own.status_code == 201
    assert own.json()["status"] == "pending"
    for response in decisions:
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "human_required"
    for response in laundering:
        assert response.status_code in {404, 405}
    assert not {name for name in listed if "decide" in name or "finding_status" in name}
    for result in by_tool:
        assert tool_error(result)[0] in {"forbidden", "not_found"}

    # Nothing moved: approvals pending, exceptions pending, findings as they were.
    for approval in (alpha.agent_approval_id, alpha.bot_approval_id):
        assert await reader.approval_status("org_alpha", approval) == "pending"
    assert "active" not in (await reader.exception_statuses("org_alpha")).values()
    findings_after = {f: x.status for f, x in (await reader.findings("org_alpha")).items()}
    assert findings_after == findings_before
    # The project is no closer to promotion: the gate sees what it saw before.
    gate_after = await _gate(world)
    for fact in ("open_counts", "blocking_findings", "unverified_fixes", "accepted_risks"):
        assert gate_after["facts"][fact] == gate_before["facts"][fact], fact
    assert gate_after["passed"] <= gate_before["passed"], gate_after["reasons"]
    assert all(e["status"] != "active" for e in gate_after["facts"]["exceptions"])

    # And the refusals are on the record, under the agent's name, not only as outcomes.
    refusals = denials_by(await reader.audit_since(marks), agent.subject_id)
    assert len(refusals) >= len(decisions) + 1


async def _gate(world: World) -> dict[str, Any]:
    """The dev promotion gate of org_alpha's project, as its agent may read it."""
    async with mcp(world, world.alpha.agent.key) as session:
        gate = await session.call_tool(
            "pearl_gate_status", {"project_id": world.alpha.project_id, "environment": "dev"}
        )
    assert gate.structured_content is not None
    return dict(gate.structured_content)
