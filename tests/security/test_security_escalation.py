"""Escalation: an agent (and people with too little say) reaching for a human reviewer's
decisions — approvals, exceptions, finding dispositions, policy — over REST and over
MCP. Every attempt is refused server-side and nothing it aimed at changes."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from security_calls import MODES, SignedIn, error_code, mcp, rest, tool_error
from security_world import APP, Reader, World

pytestmark = pytest.mark.anyio

#: Tools an agent might guess exist: decisions, dispositions, keys, roles, policy.
GUESSED_TOOLS = (
    "pearl_decide_approval",
    "pearl_approve",
    "pearl_approve_request",
    "decide_approval",
    "pearl_approvals_decide",
    "pearl_grant_exception",
    "pearl_approve_exception",
    "pearl_activate_exception",
    "pearl_update_finding_status",
    "pearl_set_finding_status",
    "pearl_mark_false_positive",
    "pearl_bulk_update_findings",
    "pearl_create_api_key",
    "pearl_set_user_roles",
    "pearl_create_user",
    "pearl_put_app_spec",
    "pearl_write_policy",
)


async def test_an_agent_cannot_decide_an_approval_over_rest(world: World, reader: Reader) -> None:
    alpha = world.alpha
    async with rest(world, alpha.agent.key) as client:
        answers = [
            await client.post(
                f"/api/v1/approvals/{approval}/decide",
                json={"decision": decision, "reason": "looks fine to me"},
            )
            for approval in (alpha.agent_approval_id, alpha.bot_approval_id)
            for decision in ("approve", "reject")
        ]

    for response in answers:
        assert response.status_code == 403, response.text
        assert error_code(response) == "human_required"
    for approval in (alpha.agent_approval_id, alpha.bot_approval_id):
        assert await reader.approval_status("org_alpha", approval) == "pending"


@pytest.mark.parametrize("mode", MODES)
async def test_an_agent_calling_decide_like_tools_by_name_over_mcp_is_refused(
    world: World, reader: Reader, mode: str
) -> None:
    alpha = world.alpha
    arguments = {
        "approval_request_id": alpha.agent_approval_id,
        "decision": "approve",
        "finding_id": alpha.finding_ids[0],
        "status": "false_positive",
        "reason": "the agent says so",
    }
    async with mcp(world, alpha.agent.key, mode) as client:
        listed = {tool.name for tool in (await client.list_tools()).tools}
        nonexistent = await client.call_tool(f"pearl_{secrets.token_hex(6)}", arguments)
        answers = {name: await client.call_tool(name, arguments) for name in GUESSED_TOOLS}

    assert not listed & set(GUESSED_TOOLS)
    code, text = tool_error(nonexistent)
    for name, answer in answers.items():
        assert tool_error(answer) == (code, text), name  # no way to tell what exists
    assert code in {"forbidden", "not_found"}
    assert await reader.approval_status("org_alpha", alpha.agent_approval_id) == "pending"
    findings = await reader.findings("org_alpha")
    assert findings[alpha.finding_ids[0]].status.value != "false_positive"


@pytest.mark.parametrize("mode", MODES)
async def test_an_agent_cannot_tell_a_tool_it_may_not_call_from_one_that_does_not_exist(
    world: World, signed_in: SignedIn, mode: str
) -> None:
    alpha = world.alpha
    report = {"project_id": alpha.project_id, "environment": "dev", "report": "{}"}
    async with mcp(world, signed_in(alpha.operator), mode) as operator:
        operator_tools = {tool.name for tool in (await operator.list_tools()).tools}
    async with mcp(world, alpha.agent.key, mode) as agent:
        agent_tools = {tool.name for tool in (await agent.list_tools()).tools}
        hidden = await agent.call_tool("pearl_ingest_findings", report)
        missing = await agent.call_tool("pearl_ingest_findingz", report)

    assert "pearl_ingest_findings" in operator_tools
    assert "pearl_ingest_findings" not in agent_tools
    assert tool_error(hidden) == tool_error(missing)


async def test_a_reviewer_cannot_decide_their_own_request(
    world: World, signed_in: SignedIn, reader: Reader
) -> None:
    alpha = world.alpha
    async with rest(world, signed_in(alpha.revop)) as client:
        response = await client.post(
            f"/api/v1/approvals/{alpha.revop_approval_id}/decide", json={"decision": "approve"}
        )

    assert response.status_code == 403
    assert error_code(response) == "requester_cannot_decide"
    assert await reader.approval_status("org_alpha", alpha.revop_approval_id) == "pending"


async def test_a_reviewer_cannot_decide_a_request_of_an_agent_they_own(
    world: World, signed_in: SignedIn, reader: Reader
) -> None:
    alpha = world.alpha
    async with rest(world, signed_in(alpha.revop)) as client:
        response = await client.post(
            f"/api/v1/approvals/{alpha.bot_approval_id}/decide", json={"decision": "approve"}
        )

    assert response.status_code == 403
    assert error_code(response) == "requester_cannot_decide"
    assert await reader.approval_status("org_alpha", alpha.bot_approval_id) == "pending"


async def test_an_operator_who_owns_the_agent_cannot_decide_its_request(
    world: World, signed_in: SignedIn, reader: Reader
) -> None:
    alpha = world.alpha
    async with rest(world, signed_in(alpha.operator)) as client:
        response = await client.post(
            f"/api/v1/approvals/{alpha.agent_approval_id}/decide", json={"decision": "approve"}
        )

    assert response.status_code == 403
    assert error_code(response) in {"forbidden", "requester_cannot_decide"}
    assert await reader.approval_status("org_alpha", alpha.agent_approval_id) == "pending"


async def test_an_independent_reviewer_decides_an_agents_request(
    world: World, signed_in: SignedIn, reader: Reader
) -> None:
    """The control for the refusals above: the route works for the right person."""
    beta = world.beta
    async with rest(world, signed_in(beta.reviewer)) as client:
        response = await client.post(
            f"/api/v1/approvals/{beta.spare_approval_id}/decide", json={"decision": "approve"}
        )

    assert response.status_code == 200, response.text
    assert response.json()["decided_by"] == beta.reviewer.subject_id
    assert await reader.approval_status("org_beta", beta.spare_approval_id) == "approved"


EXCEPTION_WAYS_IN = [
    ("POST", "/exceptions/{id}/decide", {"decision": "approve", "reason": "mine"}),
    ("POST", "/exceptions/{id}/approve", {"reason": "mine"}),
    ("POST", "/exceptions/{id}/activate", {}),
    ("PUT", "/exceptions/{id}", {"status": "active"}),
    ("PATCH", "/exceptions/{id}", {"status": "active"}),
    ("POST", "/exceptions/{id}", {"status": "active"}),
]


async def test_an_agent_cannot_activate_an_exception_it_created(
    world: World, reader: Reader
) -> None:
    alpha = world.alpha
    chosen = f"exc_self{secrets.token_hex(6)}"
    forged = {
        "exception_id": chosen,
        "project_id": alpha.project_id,
        "rationale": "the agent waives its own finding",
        "expires_at": (datetime.now(UTC) + timedelta(days=30)).isoformat(),
        "status": "active",
        "approved_by": [alpha.reviewer.subject_id, alpha.agent.subject_id],
        "requested_by": alpha.reviewer.subject_id,
    }
    async with rest(world, alpha.agent.key) as client:
        created = await client.post("/api/v1/exceptions", json=forged)
        again = await client.post("/api/v1/exceptions", json=forged)
        activations = [
            await client.request(method, "/api/v1" + path.format(id=chosen), json=body)
            for method, path, body in EXCEPTION_WAYS_IN
        ]

    assert created.status_code == 201, created.text
    record = created.json()
    assert record["status"] == "pending"
    assert record.get("approved_by", []) == []
    assert record["requested_by"] == alpha.agent.subject_id
    assert again.status_code == 409  # nor can it overwrite the record with another body
    for response in activations:
        assert response.status_code in {404, 405}, response.text
    statuses = await reader.exception_statuses("org_alpha")
    assert statuses[chosen] == "pending"
    assert "active" not in statuses.values()


FINDING_WAYS_IN = [
    ("PATCH", "/findings/{id}", {"status": "false_positive", "reason": "agent says so"}),
    ("PUT", "/findings/{id}", {"status": "false_positive", "reason": "agent says so"}),
    ("POST", "/findings/{id}/status", {"status": "false_positive", "reason": "agent says so"}),
    ("POST", "/findings/{id}/false-positive", {"reason": "agent says so"}),
    ("POST", "/findings/{id}/accept-risk", {"reason": "agent says so"}),
    ("POST", "/findings/bulk-status", {"finding_ids": ["{id}"], "status": "false_positive"}),
    ("PATCH", "/findings", {"finding_ids": ["{id}"], "status": "accepted_risk"}),
]


async def test_an_agent_cannot_launder_finding_statuses_in_bulk_over_rest(
    world: World, reader: Reader
) -> None:
    alpha = world.alpha
    before = {fid: f.status for fid, f in (await reader.findings("org_alpha")).items()}
    batch = {
        "schema_version": "1.1",
        "source_batch": {
            "batch_id": "batch_launder",
            "connector_id": "agent",
            "received_at": datetime.now(UTC).isoformat(),
        },
        "findings": [],
    }
    async with rest(world, alpha.agent.key) as client:
        answers = [
            await client.request(
                method,
                "/api/v1" + path.format(id=finding),
                json=json.loads(json.dumps(body).replace("{id}", finding)),
            )
            for finding in alpha.finding_ids
            for method, path, body in FINDING_WAYS_IN
        ]
        ingest = await client.post("/api/v1/findings/ingest", json=batch)

    for response in answers:
        assert response.status_code in {404, 405}, response.text
    assert ingest.status_code in {400, 403}, ingest.text
    after = {fid: f.status for fid, f in (await reader.findings("org_alpha")).items()}
    assert after == before


@pytest.mark.parametrize("mode", MODES)
async def test_an_agent_cannot_launder_finding_statuses_over_mcp(
    world: World, reader: Reader, mode: str
) -> None:
    alpha = world.alpha
    before = {fid: f.status for fid, f in (await reader.findings("org_alpha")).items()}
    empty_scan = json.dumps(
        {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "semgrep"}}, "results": []}]}
    )
    async with mcp(world, alpha.agent.key, mode) as client:
        rescan = await client.call_tool(
            "pearl_ingest_findings",
            {
                "project_id": alpha.project_id,
                "environment": "dev",
                "report": empty_scan,
                "scope": "full",
            },
        )
        for name in ("pearl_update_finding_status", "pearl_mark_false_positive"):
            for finding in alpha.finding_ids:
                answer = await client.call_tool(
                    name, {"finding_id": finding, "status": "false_positive", "reason": "x"}
                )
                assert answer.is_error

    assert rescan.is_error
    after = {fid: f.status for fid, f in (await reader.findings("org_alpha")).items()}
    assert after == before


POLICY_WRITES = {
    "org baseline": ("/projects/{project}/org-baseline", "org-baseline.json"),
    "app spec": ("/projects/{project}/app-spec", None),
    "environment profile": ("/projects/{project}/environment-profile", "environments/dev.json"),
}


def _policy_document(world: World, source: str | None) -> str:
    if source is None:
        return (APP / "pearl-app-spec.json").read_text()
    from pearl_core import Settings

    return (Settings.from_env(world.env).policies_dir / source).read_text()


@pytest.mark.parametrize("target", POLICY_WRITES)
@pytest.mark.parametrize("who", ["agent", "operator", "reviewer"])
async def test_only_an_admin_writes_policy_over_rest(
    world: World, signed_in: SignedIn, target: str, who: str
) -> None:
    alpha = world.alpha
    path, source = POLICY_WRITES[target]
    token = alpha.agent.key if who == "agent" else signed_in(getattr(alpha, who))
    async with rest(world, token) as client:
        response = await client.post(
            "/api/v1" + path.format(project=alpha.project_id),
            content=_policy_document(world, source),
            headers={"Content-Type": "application/json", "X-Change-Reason": "loosen it"},
        )

    assert response.status_code == 403, response.text
    expected = "human_required" if who == "agent" else "forbidden"
    assert error_code(response) == expected


AGENT_WRITES = {
    "create project": ("POST", "/projects", {"name": "agent's own"}),
    "update project": ("PUT", "/projects/{project}", {"name": "renamed by the agent"}),
    "compile context": ("POST", "/projects/{project}/compile-context", {}),
    "generate its own packet": (
        "POST",
        "/projects/{project}/task-packets",
        {"task_type": "config", "task_summary": "let me do anything", "environment": "dev"},
    ),
    "generate remediation": (
        "POST",
        "/projects/{project}/remediation-specs/generate",
        {"finding_refs": ["{finding}"], "environment": "dev"},
    ),
}


@pytest.mark.parametrize("name", AGENT_WRITES)
async def test_an_agent_cannot_write_projects_context_or_its_own_packets(
    world: World, name: str
) -> None:
    alpha = world.alpha
    method, path, body = AGENT_WRITES[name]
    filled = json.loads(json.dumps(body).replace("{finding}", alpha.finding_ids[0]))
    async with rest(world, alpha.agent.key) as client:
        response = await client.request(
            method, "/api/v1" + path.format(project=alpha.project_id), json=filled
        )

    assert response.status_code == 403, response.text
    assert error_code(response) in {"forbidden", "human_required"}
