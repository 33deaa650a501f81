"""Guard-rail and approval tools through a real MCP client, in both protocol eras:
allow, deny and needs_approval; asking for approval and reading it; refusals."""

from __future__ import annotations

import pytest
from mcp_world import (
    AGENT,
    COMMIT,
    EDIT,
    OTHER_AGENT,
    OUTSIDE,
    REVIEWER,
    VIEWER,
    Caller,
    World,
)

from pearl_core import decide_approval

pytestmark = pytest.mark.anyio


@pytest.fixture
async def packet_id(caller: Caller, world: World) -> str:
    """The shell=True packet, claimed by ``AGENT``."""
    packet_id = world.seeded.shell_packet_id
    await caller.ok(AGENT, "pearl_claim_task_packet", task_packet_id=packet_id)
    return packet_id


async def check(caller: Caller, action: dict[str, object], packet_id: str) -> dict[str, object]:
    return await caller.ok(AGENT, "pearl_check_action", task_packet_id=packet_id, action=action)


async def test_an_edit_inside_the_packet_is_allowed(caller: Caller, packet_id: str) -> None:
    verdict = await check(caller, EDIT, packet_id)

    assert verdict["decision"] == "allow"
    assert verdict["reasons"] == []
    assert str(verdict["action_digest"]).startswith("sha256:")


async def test_an_edit_outside_the_packet_is_denied_with_reasons_and_counted(
    caller: Caller, packet_id: str
) -> None:
    verdict = await check(caller, OUTSIDE, packet_id)

    assert verdict["decision"] == "deny"
    assert verdict["denied_attempts"] == 1
    reasons = verdict["reasons"]
    assert isinstance(reasons, list)
    assert reasons
    assert all(reason["rule_id"].startswith("guardrails.") for reason in reasons)
    assert "do not take" in str(verdict["next_step"])


async def test_a_commit_needs_approval_and_an_argv_command_is_judged_too(
    caller: Caller, packet_id: str
) -> None:
    commit = await check(caller, COMMIT, packet_id)
    argv = await check(caller, {"type": "command_run", "command": ["pytest", "-q"]}, packet_id)
    chained = await check(caller, {"type": "command_run", "command": "pytest; curl x"}, packet_id)

    assert commit["decision"] == "needs_approval"
    assert "pearl_request_approval" in str(commit["next_step"])
    assert argv["decision"] == "allow"
    assert chained["decision"] == "deny"


async def test_check_action_refuses_malformed_actions_and_unknown_packets(
    caller: Caller, packet_id: str
) -> None:
    no_type = await caller.refused(
        AGENT, "pearl_check_action", task_packet_id=packet_id, action={"path": "app/shell.py"}
    )
    extra = await caller.refused(
        AGENT,
        "pearl_check_action",
        task_packet_id=packet_id,
        action={"type": "file_write", "path": "app/shell.py", "force": True},
    )
    unknown = await caller.refused(
        AGENT, "pearl_check_action", task_packet_id="tp_missing", action=EDIT
    )

    assert (no_type, extra, unknown) == ("validation_failed", "validation_failed", "not_found")


async def test_an_agent_not_holding_the_packet_is_denied_and_a_viewer_refused(
    caller: Caller, packet_id: str
) -> None:
    other = await caller.ok(
        OTHER_AGENT, "pearl_check_action", task_packet_id=packet_id, action=EDIT
    )
    viewer = await caller.refused(
        VIEWER, "pearl_check_action", task_packet_id=packet_id, action=EDIT
    )

    assert other["decision"] == "deny"
    assert viewer == "forbidden"


async def test_an_approval_is_requested_read_decided_by_a_human_and_used_once(
    caller: Caller, packet_id: str, world: World
) -> None:
    request = await caller.ok(
        AGENT, "pearl_request_approval", task_packet_id=packet_id, action=COMMIT
    )
    again = await caller.ok(
        AGENT, "pearl_request_approval", task_packet_id=packet_id, action=COMMIT
    )
    pending = await caller.ok(
        AGENT, "pearl_get_approval", approval_request_id=request["approval_request_id"]
    )

    assert request["status"] == "pending"
    assert again["approval_request_id"] == request["approval_request_id"]
    assert pending["request"]["status"] == "pending"
    assert pending.get("decision") is None
    assert str(pending["next_step"]).startswith("pending")

    await decide_approval(
        world.runtime.uow(REVIEWER),
        request["approval_request_id"],
        "approve",
        reason="only drops shell=True",
        clock=world.clock,
    )
    approved = await caller.ok(
        AGENT, "pearl_get_approval", approval_request_id=request["approval_request_id"]
    )
    allowed = await check(caller, COMMIT, packet_id)
    used = await caller.ok(
        AGENT, "pearl_get_approval", approval_request_id=request["approval_request_id"]
    )

    assert approved["decision"]["decided_by"] == REVIEWER.subject_id
    assert str(approved["next_step"]).startswith("approved")
    assert allowed["decision"] == "allow"
    assert allowed["approval_request_id"] == request["approval_request_id"]
    assert str(used["next_step"]).startswith("used")
    assert (await check(caller, COMMIT, packet_id))["decision"] == "needs_approval"


async def test_approval_is_only_for_gated_actions_and_only_for_the_holder(
    caller: Caller, packet_id: str
) -> None:
    allowed = await caller.refused(
        AGENT, "pearl_request_approval", task_packet_id=packet_id, action=EDIT
    )
    other = await caller.refused(
        OTHER_AGENT, "pearl_request_approval", task_packet_id=packet_id, action=COMMIT
    )
    viewer = await caller.refused(
        VIEWER, "pearl_request_approval", task_packet_id=packet_id, action=COMMIT
    )

    assert (allowed, other, viewer) == ("invalid_transition", "conflict", "forbidden")


async def test_get_approval_refuses_unknown_ids_and_viewers(caller: Caller) -> None:
    missing = await caller.refused(AGENT, "pearl_get_approval", approval_request_id="appr_nope")
    viewer = await caller.refused(VIEWER, "pearl_get_approval", approval_request_id="appr_nope")
    malformed = await caller.refused(AGENT, "pearl_get_approval", approval_request_id="nope")

    assert (missing, viewer, malformed) == ("not_found", "forbidden", "validation_failed")
