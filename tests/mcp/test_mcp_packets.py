"""Task packet tools through a real MCP client, in both protocol eras: claiming,
listing, reading, heartbeats, releasing, and who may do each."""

from __future__ import annotations

from datetime import timedelta

import pytest
from mcp_world import AGENT, OTHER_AGENT, PROJECT, STRANGER, VIEWER, Caller, World

from pearl_core.testing import make_agent

pytestmark = pytest.mark.anyio


async def test_next_task_packet_claims_work_and_then_returns_the_one_you_hold(
    caller: Caller,
) -> None:
    first = await caller.ok(AGENT, "pearl_next_task_packet")
    again = await caller.ok(AGENT, "pearl_next_task_packet", project_id=PROJECT)

    assert first["claimed"] is True
    packet = first["task_packet"]
    assert packet["status"] == "claimed"
    assert packet["lease"]["holder_id"] == AGENT.subject_id
    assert again["task_packet"]["task_packet_id"] == packet["task_packet_id"]


async def test_next_task_packet_says_so_when_there_is_no_work(caller: Caller) -> None:
    result = await caller.ok(AGENT, "pearl_next_task_packet", project_id="proj_empty")

    assert result["claimed"] is False
    assert result.get("task_packet") is None


async def test_next_task_packet_refuses_a_viewer(caller: Caller) -> None:
    assert await caller.refused(VIEWER, "pearl_next_task_packet") == "forbidden"


async def test_list_task_packets_filters_by_project_and_status(
    caller: Caller, world: World
) -> None:
    await caller.ok(AGENT, "pearl_claim_task_packet", task_packet_id=world.seeded.shell_packet_id)

    everything = await caller.ok(VIEWER, "pearl_list_task_packets", project_id=PROJECT)
    claimed = await caller.ok(VIEWER, "pearl_list_task_packets", statuses=["claimed"])

    assert everything["count"] == len(world.seeded.packet_ids) == 6
    assert [p["task_packet_id"] for p in claimed["task_packets"]] == [world.seeded.shell_packet_id]
    assert claimed["task_packets"][0]["lease_holder"] == AGENT.subject_id


async def test_list_task_packets_refuses_an_unknown_status(caller: Caller) -> None:
    code = await caller.refused(VIEWER, "pearl_list_task_packets", statuses=["done"])

    assert code == "validation_failed"


async def test_get_task_packet_shows_the_scope_and_refuses_unknown_ids(
    caller: Caller, world: World
) -> None:
    packet = await caller.ok(
        AGENT, "pearl_get_task_packet", task_packet_id=world.seeded.shell_packet_id
    )

    assert packet["allowed_paths"] == ["app/shell.py", "tests/**"]
    assert "test_results" in packet["evidence_required"]
    assert packet["integrity"]["signed"] is True
    missing = await caller.refused(AGENT, "pearl_get_task_packet", task_packet_id="tp_missing")
    assert missing == "not_found"
    assert await caller.refused(AGENT, "pearl_get_task_packet", task_packet_id="x") == (
        "validation_failed"
    )


async def test_a_packet_of_another_org_looks_missing(caller: Caller, world: World) -> None:
    code = await caller.refused(
        STRANGER, "pearl_get_task_packet", task_packet_id=world.seeded.shell_packet_id
    )

    assert code == "not_found"


async def test_claim_leases_the_packet_and_another_agent_gets_a_conflict(
    caller: Caller, world: World
) -> None:
    packet_id = world.seeded.shell_packet_id
    claimed = await caller.ok(AGENT, "pearl_claim_task_packet", task_packet_id=packet_id)
    renewed = await caller.ok(AGENT, "pearl_claim_task_packet", task_packet_id=packet_id)

    assert claimed["status"] == renewed["status"] == "claimed"
    assert await caller.refused(
        OTHER_AGENT, "pearl_claim_task_packet", task_packet_id=packet_id
    ) == ("conflict")
    assert await caller.refused(VIEWER, "pearl_claim_task_packet", task_packet_id=packet_id) == (
        "forbidden"
    )


async def test_heartbeat_extends_the_lease_of_its_holder_only(caller: Caller, world: World) -> None:
    packet_id = world.seeded.shell_packet_id
    claimed = await caller.ok(AGENT, "pearl_claim_task_packet", task_packet_id=packet_id)
    world.clock.advance(timedelta(minutes=10))

    beaten = await caller.ok(AGENT, "pearl_heartbeat", task_packet_id=packet_id)

    assert beaten["lease"]["expires_at"] > claimed["lease"]["expires_at"]
    assert beaten["lease"]["heartbeat_at"] is not None
    assert await caller.refused(OTHER_AGENT, "pearl_heartbeat", task_packet_id=packet_id) == (
        "conflict"
    )


async def test_a_lapsed_lease_cannot_be_revived_by_a_heartbeat(
    caller: Caller, world: World
) -> None:
    packet_id = world.seeded.shell_packet_id
    await caller.ok(AGENT, "pearl_claim_task_packet", task_packet_id=packet_id)
    world.clock.advance(timedelta(hours=1))

    assert await caller.refused(AGENT, "pearl_heartbeat", task_packet_id=packet_id) == (
        "invalid_transition"
    )


async def test_release_gives_the_packet_back_and_only_its_holder_may(
    caller: Caller, world: World
) -> None:
    packet_id = world.seeded.shell_packet_id
    await caller.ok(AGENT, "pearl_claim_task_packet", task_packet_id=packet_id)

    refused = await caller.refused(
        OTHER_AGENT, "pearl_release_task_packet", task_packet_id=packet_id
    )
    released = await caller.ok(
        AGENT, "pearl_release_task_packet", task_packet_id=packet_id, reason="out of scope"
    )

    assert refused == "conflict"
    assert released["status"] == "available"
    assert released.get("lease") is None


async def test_report_outcome_names_the_missing_evidence(caller: Caller, world: World) -> None:
    packet_id = world.seeded.shell_packet_id
    await caller.ok(AGENT, "pearl_claim_task_packet", task_packet_id=packet_id)

    code = await caller.refused(
        AGENT, "pearl_report_outcome", task_packet_id=packet_id, report={"status": "fixed"}
    )
    bad = await caller.refused(
        AGENT, "pearl_report_outcome", task_packet_id=packet_id, report={"status": "done"}
    )
    outsider = await caller.refused(
        make_agent(org_id="org_mcptest"),
        "pearl_report_outcome",
        task_packet_id=packet_id,
        report={"status": "failed"},
    )

    assert (code, bad, outsider) == ("validation_failed", "validation_failed", "conflict")


async def test_a_call_without_a_principal_is_unauthenticated(caller: Caller) -> None:
    assert await caller.refused(None, "pearl_list_task_packets") == "unauthenticated"
    assert await caller.refused(None, "pearl_next_task_packet") == "unauthenticated"
