"""Refused REST calls, on SQLite and PostgreSQL: 403 with PeaRL's code (and an RFC 6750
``insufficient_scope`` challenge for a key that is not scoped for the route), and an
``access.denied`` audit event for every one, whether the route's check or a service
refused."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx2
import pytest
from rest_loop import ok, ready_packet
from rest_world import AS, PRINCIPALS

from pearl_core import AuditEvent, Permission, list_audit_events
from pearl_core.testing import make_agent
from pearl_mcp.http_auth import StaticTokens
from pearl_mcp.rest import build_rest_app
from pearl_mcp.runtime import Runtime

pytestmark = pytest.mark.anyio

Example = Callable[[str], Any]
SCOPED = make_agent(
    org_id=PRINCIPALS["agent"].org_id,
    subject_id="sa_scoped",
    scopes=frozenset({Permission.FINDINGS_READ}),
)
SCOPED_KEY = {"Authorization": "Bearer token-scoped"}


async def denials(runtime: Runtime) -> list[AuditEvent]:
    events = await list_audit_events(runtime.uow(PRINCIPALS["admin"]), limit=1000)
    return [event for event in events if event.action == "access.denied"]


@pytest.fixture
async def scoped_client(runtime: Runtime) -> AsyncIterator[httpx2.AsyncClient]:
    """The REST app that also knows a service account's key scoped to findings:read."""
    app = build_rest_app(runtime, resolver=StaticTokens({"token-scoped": SCOPED}))
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://pearl.test") as http:
        yield http


async def test_a_viewer_calling_a_write_route_gets_403_and_an_audit_event(
    client: httpx2.AsyncClient, runtime: Runtime
) -> None:
    body = {"name": "Orders", "project_id": "proj_orders"}

    response = await client.post("/api/v1/projects", json=body, headers=AS["viewer"])

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert "insufficient_scope" not in response.headers.get("www-authenticate", "")
    [event] = await denials(runtime)
    assert event.actor_id == PRINCIPALS["viewer"].subject_id
    assert event.details == {
        "surface": "rest",
        "target": "createProject",
        "code": "forbidden",
        "permission": "project:write",
        "principal": PRINCIPALS["viewer"].subject_id,
        "principal_kind": "human",
    }
    assert event.trace_id == response.headers["x-trace-id"]


async def test_a_key_not_scoped_for_the_route_gets_403_insufficient_scope_with_a_challenge(
    scoped_client: httpx2.AsyncClient, runtime: Runtime
) -> None:
    allowed = await scoped_client.get("/api/v1/findings", headers=SCOPED_KEY)
    refused = await scoped_client.get("/api/v1/task-packets/tp_nope", headers=SCOPED_KEY)

    assert allowed.status_code == 200
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "insufficient_scope"
    assert refused.headers["www-authenticate"] == (
        'Bearer error="insufficient_scope", scope="packets:read"'
    )
    [event] = await denials(runtime)
    assert (event.actor_id, event.details["target"], event.details["code"]) == (
        "sa_scoped",
        "getTaskPacket",
        "insufficient_scope",
    )


async def test_a_refusal_by_the_service_behind_the_route_is_audited_too(
    client: httpx2.AsyncClient, runtime: Runtime, example: Example
) -> None:
    packet, _ = await ready_packet(client, runtime)
    body = example("approvals/create-approval.request.json")
    body |= {"task_packet_id": packet, "action": {"type": "git_commit", "command": "git commit"}}
    created = await ok(
        await client.post("/api/v1/approvals/requests", json=body, headers=AS["agent"]), 201
    )
    approval = created["approval_request_id"]

    response = await client.post(
        f"/api/v1/approvals/{approval}/decide",
        json={"decision": "approve", "reason": "mine"},
        headers=AS["owner"],
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "requester_cannot_decide"
    [event] = await denials(runtime)
    assert (event.actor_id, event.details["target"], event.details["code"]) == (
        PRINCIPALS["owner"].subject_id,
        "decideApproval",
        "requester_cannot_decide",
    )
    assert event.details["permission"] == "approvals:decide"


async def test_answers_other_than_403_leave_no_denial(
    client: httpx2.AsyncClient, runtime: Runtime
) -> None:
    missing = await client.get("/api/v1/projects/proj_nope", headers=AS["viewer"])

    assert missing.status_code == 404
    assert await denials(runtime) == []
