"""Task packets over REST: the contract's generate, remediation, and the agent loop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2
import pytest
from rest_loop import (
    PROJECT,
    REASON,
    compile_dev,
    make_project,
    ok,
    ready_packet,
    scan,
    shell_finding,
)
from rest_world import AS, PRINCIPALS, Contract

from pearl_core.testing import FakeClock
from pearl_mcp.runtime import Runtime

pytestmark = pytest.mark.anyio

Example = Callable[[str], Any]
CUSTOMER = "proj_customer_support_ai"
GENERATE = f"/api/v1/projects/{CUSTOMER}/task-packets"


async def _customer(client: httpx2.AsyncClient, example: Example, *, compiled: bool) -> None:
    body = example("project/create-project.request.json")
    await ok(await client.post("/api/v1/projects", json=body, headers=AS["admin"]), 201)
    url = f"/api/v1/projects/{CUSTOMER}/app-spec"
    spec = example("project/app-spec.request.json")
    await ok(await client.post(url, json=spec, headers=AS["admin"] | REASON))
    if compiled:
        compile_url = f"/api/v1/projects/{CUSTOMER}/compile-context"
        await ok(await client.post(compile_url, json={}, headers=AS["operator"]), 202)


def _url(packet: str, action: str = "") -> str:
    return f"/api/v1/task-packets/{packet}" + (f"/{action}" if action else "")


async def test_the_task_packet_example_generates_a_contract_packet_that_grants_no_paths(
    client: httpx2.AsyncClient, example: Example, contract: Contract
) -> None:
    await _customer(client, example, compiled=True)
    body = example("task-packets/generate-task-packet.request.json")

    response = await client.post(GENERATE, json=body, headers=AS["operator"])

    assert response.status_code == 201, response.text
    packet = response.json()
    assert contract("context/task-packet", packet) == []
    assert (packet["task_type"], packet["environment"]) == ("refactor", "preprod")
    assert packet["context_budget"] == {"max_tokens_hint": 2400}
    full = await ok(await client.get(response.headers["location"], headers=AS["agent"]))
    assert (full["allowed_paths"], full["allowed_commands"], full["status"]) == (
        [],
        [],
        "available",
    )
    assert full["integrity"]["signature"]


async def test_a_task_packet_needs_a_compiled_context(
    client: httpx2.AsyncClient, example: Example, contract: Contract
) -> None:
    await _customer(client, example, compiled=False)
    body = example("task-packets/generate-task-packet.request.json")

    response = await client.post(GENERATE, json=body, headers=AS["operator"])

    assert response.status_code == 404
    assert contract("common/error-response", response.json()) == []


async def test_an_agent_cannot_cut_its_own_task_packet(
    client: httpx2.AsyncClient, example: Example
) -> None:
    await _customer(client, example, compiled=True)
    body = example("task-packets/generate-task-packet.request.json")

    response = await client.post(GENERATE, json=body, headers=AS["agent"])

    assert response.status_code == 403


async def test_the_same_idempotency_key_returns_the_same_packet(
    client: httpx2.AsyncClient, example: Example
) -> None:
    await _customer(client, example, compiled=True)
    body = example("task-packets/generate-task-packet.request.json")
    headers = AS["operator"] | {"Idempotency-Key": "packet-key-0001"}

    first = await ok(await client.post(GENERATE, json=body, headers=headers), 201)
    again = await ok(await client.post(GENERATE, json=body, headers=headers), 201)
    other = await client.post(GENERATE, json=body | {"task_summary": "x"}, headers=headers)

    assert again["task_packet_id"] == first["task_packet_id"]
    assert other.status_code == 409


async def test_the_remediation_example_generates_the_contract_spec_of_the_asked_finding(
    client: httpx2.AsyncClient, runtime: Runtime, example: Example, contract: Contract
) -> None:
    await make_project(client)
    await compile_dev(client)
    await scan(runtime)
    finding = await shell_finding(client)
    body = example("remediation/generate-remediation-spec.request.json")
    body |= {"finding_refs": [finding], "environment": "dev"}
    url = f"/api/v1/projects/{PROJECT}/remediation-specs/generate"

    response = await client.post(url, json=body, headers=AS["operator"])

    assert response.status_code == 201, response.text
    assert contract("findings/remediation-spec", response.json()) == []
    assert finding in response.json()["finding_refs"]


async def test_remediation_of_findings_a_live_packet_covers_is_a_conflict(
    client: httpx2.AsyncClient, runtime: Runtime
) -> None:
    _, finding = await ready_packet(client, runtime)
    body = {"finding_refs": [finding], "environment": "dev"}
    url = f"/api/v1/projects/{PROJECT}/remediation-specs/generate"

    again = await client.post(url, json=body, headers=AS["operator"])
    agent = await client.post(url, json=body, headers=AS["agent"])

    assert (again.status_code, again.json()["error"]["code"]) == (409, "conflict")
    assert agent.status_code == 403


async def test_the_guard_rails_answer_allow_deny_and_needs_approval(
    client: httpx2.AsyncClient, runtime: Runtime
) -> None:
    packet, _ = await ready_packet(client, runtime)
    url = _url(packet, "check-action")

    async def check(action: dict[str, Any]) -> str:
        answer = await ok(await client.post(url, json=action, headers=AS["agent"]))
        return str(answer["decision"])

    assert await check({"type": "file_write", "path": "app/shell.py"}) == "allow"
    assert await check({"type": "file_write", "path": "app/db.py"}) == "deny"
    assert await check({"type": "git_commit", "command": "git commit -m fix"}) == "needs_approval"


async def test_a_malformed_action_is_a_validation_error(
    client: httpx2.AsyncClient, runtime: Runtime
) -> None:
    packet, _ = await ready_packet(client, runtime)

    response = await client.post(
        _url(packet, "check-action"), json={"path": "app/shell.py"}, headers=AS["agent"]
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_failed"


async def test_heartbeats_extend_the_lease_and_only_the_holder_may_send_them(
    client: httpx2.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    packet, _ = await ready_packet(client, runtime)
    before = await ok(await client.get(_url(packet), headers=AS["agent"]))
    clock.advance(60)

    beaten = await ok(await client.post(_url(packet, "heartbeat"), headers=AS["agent"]))
    stranger = await client.post(_url(packet, "heartbeat"), headers=AS["other_agent"])
    viewer = await client.post(_url(packet, "heartbeat"), headers=AS["viewer"])

    assert beaten["lease"]["expires_at"] > before["lease"]["expires_at"]
    assert (stranger.status_code, stranger.json()["error"]["code"]) == (409, "conflict")
    assert (viewer.status_code, viewer.json()["error"]["code"]) == (403, "forbidden")


async def test_a_released_packet_is_available_to_another_agent(
    client: httpx2.AsyncClient, runtime: Runtime
) -> None:
    packet, _ = await ready_packet(client, runtime)

    taken = await client.post(_url(packet, "claim"), headers=AS["other_agent"])
    released = await ok(
        await client.post(_url(packet, "release"), json={"reason": "done"}, headers=AS["agent"])
    )
    claimed = await ok(await client.post(_url(packet, "claim"), headers=AS["other_agent"]))

    assert taken.status_code == 409
    assert released["status"] == "available"
    assert claimed["lease"]["holder_id"] != released.get("lease", {}).get("holder_id")


async def test_an_outcome_needs_its_evidence_and_then_submits_the_packet(
    client: httpx2.AsyncClient, runtime: Runtime
) -> None:
    packet, _ = await ready_packet(client, runtime)
    shown = await ok(await client.get(_url(packet), headers=AS["agent"]))
    evidence = {
        "status": "fixed",
        "changed_files": [{"path": "app/shell.py", "sha256": "a" * 64}],
        "commit_sha": "0123456789abcdef0123456789abcdef01234567",
        "test_results": [
            {"name": name, "status": "passed"}
            for name in shown["required_tests"]
            if not name.startswith("rescan:")
        ],
        "tool_output_digests": {"pytest": "b" * 64},
    }

    bare = await client.post(_url(packet, "outcome"), json={"status": "fixed"}, headers=AS["agent"])
    reported = await ok(
        await client.post(_url(packet, "outcome"), json=evidence, headers=AS["agent"])
    )

    assert (bare.status_code, bare.json()["error"]["code"]) == (400, "validation_failed")
    assert "changed_files" in bare.json()["error"]["details"]["missing"]
    assert reported["status"] == "submitted"
    assert reported["outcome"]["reported_by"] == PRINCIPALS["agent"].subject_id


async def test_packets_are_listed_per_project_and_status(
    client: httpx2.AsyncClient, runtime: Runtime
) -> None:
    packet, _ = await ready_packet(client, runtime)

    claimed = await ok(
        await client.get(
            f"/api/v1/projects/{PROJECT}/task-packets",
            params={"status": "claimed"},
            headers=AS["viewer"],
        )
    )

    assert [p["task_packet_id"] for p in claimed["items"]] == [packet]


async def test_an_unknown_packet_is_not_found(client: httpx2.AsyncClient) -> None:
    response = await client.post(_url("tp_nope", "claim"), headers=AS["agent"])

    assert response.status_code == 404
