"""Tenancy: org_beta's agent and people reach for org_alpha's objects, with their real ids
and with ids nobody holds. Every answer must be the answer for a missing object, to
the byte (but for the trace id, the timestamp and the id itself), and no list may
ever hold the other org's objects. Over REST, over MCP tools and MCP resources."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from mcp import MCPError
from security_calls import (
    MODES,
    SignedIn,
    alpha_secrets,
    body_of,
    mcp,
    normalised,
    rest,
    tool_error,
)
from security_world import APP, COMMIT, EDIT, OrgWorld, Reader, World, neighbour_id

pytestmark = pytest.mark.anyio


@dataclass(frozen=True)
class Ids:
    project: str
    finding: str
    packet: str
    free_packet: str
    approval: str


def real_ids(org: OrgWorld) -> Ids:
    return Ids(
        project=org.project_id,
        finding=org.finding_ids[0],
        packet=org.agent_packet_id,
        free_packet=org.free_packet_ids[0],
        approval=org.agent_approval_id,
    )


def guessed_ids(org: OrgWorld) -> Ids:
    """Ids of the same shape that no org holds (the neighbours of the real ones)."""
    return Ids(
        project="proj_gamma_orders",
        finding=neighbour_id(org.finding_ids[0]),
        packet=neighbour_id(org.agent_packet_id),
        free_packet=neighbour_id(org.free_packet_ids[0]),
        approval=neighbour_id(org.agent_approval_id),
    )


def _all(ids: Ids) -> list[str]:
    return [ids.project, ids.finding, ids.packet, ids.free_packet, ids.approval]


_EXPIRES = (datetime.now(UTC) + timedelta(days=3)).isoformat()
_SPEC = (APP / "pearl-app-spec.json").read_text()

#: name → (who of org_beta calls, method, path, body) with ``{field}`` from :class:`Ids`.
REST_CALLS: dict[str, tuple[str, str, str, Any]] = {
    "read project": ("operator", "GET", "/projects/{project}", None),
    "update project": ("operator", "PUT", "/projects/{project}", {"name": "Hijacked"}),
    "read compiled package": ("agent", "GET", "/projects/{project}/compiled-package", None),
    "compile context": ("operator", "POST", "/projects/{project}/compile-context", {}),
    "generate packet": (
        "operator",
        "POST",
        "/projects/{project}/task-packets",
        {"task_type": "fix", "task_summary": "steal", "environment": "dev"},
    ),
    "generate remediation": (
        "operator",
        "POST",
        "/projects/{project}/remediation-specs/generate",
        {"finding_refs": ["{finding}"], "environment": "dev"},
    ),
    "generate report": (
        "reviewer",
        "POST",
        "/projects/{project}/reports/generate",
        {"report_type": "residual_risk", "format": "json"},
    ),
    "write app spec": ("admin", "POST", "/projects/{project}/app-spec", _SPEC),
    "read packet": ("agent", "GET", "/task-packets/{packet}", None),
    "claim packet": ("agent", "POST", "/task-packets/{free_packet}/claim", None),
    "heartbeat packet": ("agent", "POST", "/task-packets/{packet}/heartbeat", None),
    "release packet": ("agent", "POST", "/task-packets/{packet}/release", None),
    "check action": ("agent", "POST", "/task-packets/{packet}/check-action", EDIT),
    "report outcome": ("agent", "POST", "/task-packets/{packet}/outcome", {"status": "failed"}),
    "read finding": ("agent", "GET", "/findings/{finding}", None),
    "read approval": ("agent", "GET", "/approvals/{approval}", None),
    "decide approval": (
        "reviewer",
        "POST",
        "/approvals/{approval}/decide",
        {"decision": "approve"},
    ),
    "request approval": (
        "agent",
        "POST",
        "/approvals/requests",
        {"task_packet_id": "{packet}", "action": COMMIT},
    ),
    "request exception": (
        "agent",
        "POST",
        "/exceptions",
        {"project_id": "{project}", "rationale": "mine now", "expires_at": _EXPIRES},
    ),
}


def _fill(value: Any, ids: Ids) -> Any:
    if isinstance(value, str):
        return value.format(**ids.__dict__) if "{" in value and "}" in value else value
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def credential(world: World, signed_in: SignedIn, who: str) -> str:
    beta = world.beta
    if who == "agent":
        return beta.agent.key
    person = {"operator": beta.operator, "reviewer": beta.reviewer, "admin": beta.admin}[who]
    return signed_in(person)


async def _call(world: World, token: str, method: str, path: str, body: Any, ids: Ids) -> Any:
    headers = {"X-Change-Reason": "beta takes over"}
    async with rest(world, token) as client:
        if isinstance(body, str):
            headers["Content-Type"] = "application/json"
            return await client.request(
                method, "/api/v1" + _fill(path, ids), content=body, headers=headers
            )
        return await client.request(
            method,
            "/api/v1" + _fill(path, ids),
            json=None if body is None else _fill(body, ids),
            headers=headers,
        )


@pytest.mark.parametrize("name", REST_CALLS)
async def test_org_beta_reaching_an_org_alpha_object_over_rest_gets_a_missing_objects_answer(
    world: World, signed_in: SignedIn, name: str
) -> None:
    who, method, path, body = REST_CALLS[name]
    token = credential(world, signed_in, who)
    real, guessed = real_ids(world.alpha), guessed_ids(world.alpha)

    to_real = await _call(world, token, method, path, body, real)
    to_missing = await _call(world, token, method, path, body, guessed)

    assert to_real.status_code == to_missing.status_code
    assert to_real.status_code == 404, to_real.text
    assert body_of(to_real)["error"]["code"] == "not_found"
    assert normalised(body_of(to_real), _all(real)) == normalised(
        body_of(to_missing), _all(guessed)
    )
    for leaked in alpha_secrets(world.alpha):
        assert leaked not in to_real.text


#: name → (tool, arguments with ``{field}`` from :class:`Ids`).
MCP_CALLS: dict[str, tuple[str, dict[str, Any]]] = {
    "read packet": ("pearl_get_task_packet", {"task_packet_id": "{packet}"}),
    "claim packet": ("pearl_claim_task_packet", {"task_packet_id": "{free_packet}"}),
    "heartbeat": ("pearl_heartbeat", {"task_packet_id": "{packet}"}),
    "release packet": ("pearl_release_task_packet", {"task_packet_id": "{packet}"}),
    "check action": ("pearl_check_action", {"task_packet_id": "{packet}", "action": EDIT}),
    "report outcome": (
        "pearl_report_outcome",
        {"task_packet_id": "{packet}", "report": {"status": "failed"}},
    ),
    "request approval": (
        "pearl_request_approval",
        {"task_packet_id": "{packet}", "action": COMMIT},
    ),
    "read approval": ("pearl_get_approval", {"approval_request_id": "{approval}"}),
    "read finding": ("pearl_get_finding", {"finding_id": "{finding}"}),
    "read context": ("pearl_get_context", {"project_id": "{project}", "environment": "dev"}),
    "gate status": ("pearl_gate_status", {"project_id": "{project}", "environment": "dev"}),
}


@pytest.mark.parametrize("mode", MODES)
async def test_org_beta_reaching_org_alpha_objects_over_mcp_tools_gets_missing_objects_answers(
    world: World, mode: str
) -> None:
    real, guessed = real_ids(world.alpha), guessed_ids(world.alpha)
    async with mcp(world, world.beta.agent.key, mode) as client:
        for name, (tool, arguments) in MCP_CALLS.items():
            to_real = await client.call_tool(tool, _fill(arguments, real))
            to_missing = await client.call_tool(tool, _fill(arguments, guessed))

            code, text = tool_error(to_real)
            assert code == "not_found", (name, text)
            missing_text = tool_error(to_missing)[1]
            assert normalised(text, _all(real)) == normalised(missing_text, _all(guessed)), name
            assert to_real.structured_content is None
        offered = await client.call_tool("pearl_next_task_packet", {"project_id": real.project})

    assert offered.structured_content is not None
    assert offered.structured_content.get("claimed") is False


RESOURCES = {
    "packet": "pearl://task-packets/{packet}",
    "finding": "pearl://findings/{finding}",
    "context": "pearl://projects/{project}/context/dev",
}


@pytest.mark.parametrize("mode", MODES)
async def test_org_beta_reading_org_alpha_resources_gets_missing_resources_answers(
    world: World, mode: str
) -> None:
    real, guessed = real_ids(world.alpha), guessed_ids(world.alpha)
    async with mcp(world, world.beta.agent.key, mode) as client:
        for name, uri in RESOURCES.items():
            with pytest.raises(MCPError) as to_real:
                await client.read_resource(_fill(uri, real))
            with pytest.raises(MCPError) as to_missing:
                await client.read_resource(_fill(uri, guessed))

            assert to_real.value.code == to_missing.value.code, name
            assert normalised(to_real.value.message, _all(real)) == normalised(
                to_missing.value.message, _all(guessed)
            ), name
            assert normalised(repr(to_real.value.data), _all(real)) == normalised(
                repr(to_missing.value.data), _all(guessed)
            ), name
            for leaked in alpha_secrets(world.alpha):
                assert leaked not in repr(to_real.value)


async def test_org_beta_subscribing_to_org_alpha_resources_learns_nothing(world: World) -> None:
    """2025 sessions: ``resources/subscribe`` answers a real and a guessed URI alike."""
    real, guessed = real_ids(world.alpha), guessed_ids(world.alpha)
    answers = []
    async with rest(world, world.beta.agent.key) as client:
        opened = await client.post(
            "/mcp",
            json={
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {
                    "protocolVersion": "2025-11-25",
                    "capabilities": {},
                    "clientInfo": {"name": "beta", "version": "1"},
                },
            },
            headers={"Accept": "application/json, text/event-stream"},
        )
        headers = {
            "Accept": "application/json, text/event-stream",
            "mcp-session-id": opened.headers["mcp-session-id"],
            "mcp-protocol-version": "2025-11-25",
        }
        await client.post(
            "/mcp", json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=headers
        )
        for ids in (real, guessed):
            response = await client.post(
                "/mcp",
                json={
                    "jsonrpc": "2.0",
                    "id": 2,
                    "method": "resources/subscribe",
                    "params": {"uri": f"pearl://task-packets/{ids.packet}"},
                },
                headers=headers,
            )
            answers.append((response.status_code, body_of(response), ids))

    (status_real, body_real, _), (status_missing, body_missing, _) = answers
    assert status_real == status_missing
    assert "result" not in body_real or body_real["result"] == {}
    assert normalised(body_real, _all(real)) == normalised(body_missing, _all(guessed))


LISTS = {
    "findings": "/findings",
    "findings of alpha's project": "/findings?project_id={project}",
    "approvals": "/approvals/requests",
    "approvals of alpha's project": "/approvals/requests?project_id={project}",
    "exceptions": "/exceptions",
    "exceptions of alpha's project": "/exceptions?project_id={project}",
    "packets of alpha's project": "/projects/{project}/task-packets",
}


def _alpha_ids(world: World) -> set[str]:
    alpha = world.alpha
    return {
        *alpha.finding_ids,
        *alpha.packet_ids,
        alpha.agent_approval_id,
        alpha.spare_approval_id,
        alpha.revop_approval_id,
        alpha.bot_approval_id,
        alpha.exception_id,
        alpha.project_id,
    }


@pytest.mark.parametrize("path", LISTS.values(), ids=LISTS.keys())
@pytest.mark.parametrize("who", ["agent", "operator", "reviewer", "admin"])
async def test_org_beta_lists_never_hold_org_alpha_objects_over_rest(
    world: World, signed_in: SignedIn, path: str, who: str
) -> None:
    async with rest(world, credential(world, signed_in, who)) as client:
        response = await client.get("/api/v1" + _fill(path, real_ids(world.alpha)))

    assert response.status_code in {200, 403, 404}, response.text
    for alpha_id in _alpha_ids(world) - {world.alpha.project_id}:
        assert alpha_id not in response.text
    if response.status_code == 200 and "{project}" in path:
        assert response.json()["items"] == []


@pytest.mark.parametrize("mode", MODES)
async def test_org_beta_lists_never_hold_org_alpha_objects_over_mcp(
    world: World, mode: str
) -> None:
    project = world.alpha.project_id
    async with mcp(world, world.beta.agent.key, mode) as client:
        answers = [
            await client.call_tool("pearl_list_findings", {}),
            await client.call_tool("pearl_list_findings", {"project_id": project}),
            await client.call_tool("pearl_list_task_packets", {}),
            await client.call_tool("pearl_list_task_packets", {"project_id": project}),
        ]

    for answer in answers:
        text = repr(answer.structured_content) + repr(answer.content)
        for alpha_id in _alpha_ids(world) - {project}:
            assert alpha_id not in text


async def test_org_beta_cannot_read_a_job_of_org_alpha(world: World, signed_in: SignedIn) -> None:
    alpha = world.alpha
    async with rest(world, signed_in(alpha.operator)) as client:
        started = await client.post(f"/api/v1/projects/{alpha.project_id}/compile-context", json={})
    assert started.status_code in {200, 202}, started.text
    job_id = started.json()["job_id"]
    async with rest(world, signed_in(world.beta.operator)) as client:
        to_real = await client.get(f"/api/v1/jobs/{job_id}")
        to_missing = await client.get(f"/api/v1/jobs/{neighbour_id(job_id)}")

    assert (to_real.status_code, to_missing.status_code) == (404, 404)
    assert normalised(to_real.json(), [job_id]) == normalised(
        to_missing.json(), [neighbour_id(job_id)]
    )


async def test_org_alpha_objects_are_untouched_by_org_beta(world: World, reader: Reader) -> None:
    """Runs after the attacks above (same module, in order): nothing of alpha moved."""
    alpha = world.alpha
    for approval in (alpha.agent_approval_id, alpha.bot_approval_id, alpha.revop_approval_id):
        assert await reader.approval_status("org_alpha", approval) == "pending"
    exceptions = await reader.exception_statuses("org_alpha")
    assert exceptions[alpha.exception_id] == "pending"
    assert len(exceptions) >= 1
    async with rest(world, alpha.agent.key) as client:
        free = (await client.get(f"/api/v1/task-packets/{alpha.free_packet_ids[0]}")).json()
        held = (await client.get(f"/api/v1/task-packets/{alpha.agent_packet_id}")).json()
    assert free["status"] == "available"
    assert held["status"] == "claimed"
    assert held["lease"]["holder_id"] == alpha.agent.subject_id


ORG_SWITCHES = {
    "headers": {"X-Pearl-Org": "org_alpha", "X-Org-Id": "org_alpha", "X-Tenant": "org_alpha"},
    "query": {},
}


@pytest.mark.parametrize("how", ORG_SWITCHES)
async def test_org_beta_cannot_switch_its_org_with_a_header_or_a_parameter(
    world: World, signed_in: SignedIn, how: str
) -> None:
    alpha = world.alpha
    path = f"/api/v1/projects/{alpha.project_id}"
    if how == "query":
        path += "?org_id=org_alpha&org=org_alpha&tenant=org_alpha"
    async with rest(world, signed_in(world.beta.admin)) as client:
        response = await client.get(path, headers=ORG_SWITCHES[how])
        listed = await client.get("/api/v1/findings?org_id=org_alpha", headers=ORG_SWITCHES[how])

    assert response.status_code == 404
    for finding in alpha.finding_ids:
        assert finding not in listed.text


INJECTIONS = ["' OR '1'='1", "proj_alpha_orders' --", "%", "*", "proj_%", '{"$ne": null}']


@pytest.mark.parametrize("value", INJECTIONS)
async def test_injection_strings_in_list_filters_match_nothing_of_another_org(
    world: World, value: str
) -> None:
    async with rest(world, world.beta.agent.key) as client:
        answers = [
            await client.get("/api/v1/findings", params={"project_id": value}),
            await client.get("/api/v1/findings", params={"tool_name": value}),
            await client.get("/api/v1/approvals/requests", params={"project_id": value}),
            await client.get("/api/v1/exceptions", params={"project_id": value}),
        ]

    for response in answers:
        assert response.status_code in {200, 400}, response.text
        for alpha_id in _alpha_ids(world):
            assert alpha_id not in response.text
