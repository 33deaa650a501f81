"""Approvals over REST: an agent asks for one gated action, a human reviewer decides once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2
import pytest
from rest_loop import ok, ready_packet
from rest_world import AS, PRINCIPALS, Contract

from pearl_mcp.runtime import Runtime

pytestmark = pytest.mark.anyio

Example = Callable[[str], Any]
COMMIT = {"type": "git_commit", "command": "git commit -m fix"}
REQUESTS = "/api/v1/approvals/requests"


async def _request(
    client: httpx2.AsyncClient, runtime: Runtime, example: Example
) -> tuple[str, dict[str, Any]]:
    """The claimed packet and the agent's approval request for committing, from the example."""
    packet, _ = await ready_packet(client, runtime)
    body = example("approvals/create-approval.request.json")
    body |= {"task_packet_id": packet, "action": COMMIT}
    created = await ok(await client.post(REQUESTS, json=body, headers=AS["agent"]), 201)
    return packet, created


def _decision(example: Example, approval_id: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = example("approvals/decision.request.json")
    body.pop("conditions")
    return body | {"approval_request_id": approval_id} | changes


async def test_the_approval_example_with_pearls_binding_files_a_pending_request(
    client: httpx2.AsyncClient, runtime: Runtime, example: Example, contract: Contract
) -> None:
    packet, created = await _request(client, runtime, example)

    assert contract("workflow/approval-request", created) == []
    assert created["status"] == "pending"
    assert created["requested_by"] == PRINCIPALS["agent"].subject_id
    assert created["approval_request_id"] != "appr_network_change_001"
    assert packet in created["artifact_refs"]


async def test_asking_again_while_pending_returns_the_same_request(
    client: httpx2.AsyncClient, runtime: Runtime, example: Example
) -> None:
    packet, created = await _request(client, runtime, example)

    again = await ok(
        await client.post(
            REQUESTS, json={"task_packet_id": packet, "action": COMMIT}, headers=AS["agent"]
        ),
        201,
    )

    assert again["approval_request_id"] == created["approval_request_id"]


async def test_an_approval_without_a_packet_and_action_is_refused(
    client: httpx2.AsyncClient, example: Example, contract: Contract
) -> None:
    response = await client.post(
        REQUESTS, json=example("approvals/create-approval.request.json"), headers=AS["agent"]
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_failed"
    assert contract("common/error-response", response.json()) == []


async def test_an_action_the_guard_rails_allow_needs_no_approval(
    client: httpx2.AsyncClient, runtime: Runtime
) -> None:
    packet, _ = await ready_packet(client, runtime)
    action = {"type": "file_write", "path": "app/shell.py"}

    response = await client.post(
        REQUESTS, json={"task_packet_id": packet, "action": action}, headers=AS["agent"]
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("agent", "human_required"),
        ("operator", "forbidden"),
        ("owner", "requester_cannot_decide"),
    ],
)
async def test_only_an_independent_human_reviewer_decides(
    client: httpx2.AsyncClient,
    runtime: Runtime,
    example: Example,
    contract: Contract,
    who: str,
    code: str,
) -> None:
    _, created = await _request(client, runtime, example)
    approval = created["approval_request_id"]

    response = await client.post(
        f"/api/v1/approvals/{approval}/decide",
        json=_decision(example, approval),
        headers=AS[who],
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == code
    assert contract("common/error-response", response.json()) == []


async def test_a_reviewers_decision_is_the_contracts_and_is_recorded_once(
    client: httpx2.AsyncClient, runtime: Runtime, example: Example, contract: Contract
) -> None:
    _, created = await _request(client, runtime, example)
    approval = created["approval_request_id"]
    url = f"/api/v1/approvals/{approval}/decide"

    decided = await client.post(url, json=_decision(example, approval), headers=AS["reviewer"])
    again = await client.post(url, json=_decision(example, approval), headers=AS["reviewer"])

    assert decided.status_code == 200, decided.text
    assert contract("workflow/approval-decision", decided.json()) == []
    assert decided.json()["decided_by"] == PRINCIPALS["reviewer"].subject_id
    assert (again.status_code, again.json()["error"]["code"]) == (409, "invalid_transition")


async def test_conditions_are_refused_because_pearl_cannot_enforce_them(
    client: httpx2.AsyncClient, runtime: Runtime, example: Example
) -> None:
    _, created = await _request(client, runtime, example)
    approval = created["approval_request_id"]
    body = example("approvals/decision.request.json") | {"approval_request_id": approval}

    response = await client.post(
        f"/api/v1/approvals/{approval}/decide", json=body, headers=AS["reviewer"]
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_failed"


async def test_a_rejection_needs_a_reason(
    client: httpx2.AsyncClient, runtime: Runtime, example: Example
) -> None:
    _, created = await _request(client, runtime, example)
    approval = created["approval_request_id"]

    response = await client.post(
        f"/api/v1/approvals/{approval}/decide",
        json={"decision": "reject"},
        headers=AS["reviewer"],
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "reason_required"


async def test_an_approved_action_runs_once_and_the_record_reads_back(
    client: httpx2.AsyncClient, runtime: Runtime, example: Example
) -> None:
    packet, created = await _request(client, runtime, example)
    approval = created["approval_request_id"]
    await ok(
        await client.post(
            f"/api/v1/approvals/{approval}/decide",
            json={"decision": "approve"},
            headers=AS["reviewer"],
        )
    )
    check = f"/api/v1/task-packets/{packet}/check-action"

    first = await ok(await client.post(check, json=COMMIT, headers=AS["agent"]))
    second = await ok(await client.post(check, json=COMMIT, headers=AS["agent"]))
    shown = await ok(await client.get(f"/api/v1/approvals/{approval}", headers=AS["operator"]))
    listed = await ok(
        await client.get(REQUESTS, params={"status": "approved"}, headers=AS["reviewer"])
    )

    assert (first["decision"], first["approval_request_id"]) == ("allow", approval)
    assert second["decision"] == "needs_approval"
    assert shown["decision"]["decision"] == "approve"
    assert shown["request"]["consumed_at"]
    assert [r["approval_request_id"] for r in listed["items"]] == [approval]


async def test_a_decision_naming_another_request_is_refused(
    client: httpx2.AsyncClient, runtime: Runtime, example: Example
) -> None:
    _, created = await _request(client, runtime, example)
    approval = created["approval_request_id"]

    response = await client.post(
        f"/api/v1/approvals/{approval}/decide",
        json=_decision(example, "appr_someone_else"),
        headers=AS["reviewer"],
    )

    assert response.status_code == 400


async def test_an_unknown_approval_is_not_found(client: httpx2.AsyncClient) -> None:
    response = await client.get("/api/v1/approvals/appr_nope", headers=AS["reviewer"])

    assert response.status_code == 404
