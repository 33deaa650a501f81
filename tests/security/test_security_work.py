"""The work loop within one org: another holder's lease, an approval stretched past the
action it was granted for, and the policy sources served as resources."""

from __future__ import annotations

from datetime import timedelta

import pytest
from mcp import MCPError
from security_calls import MODES, SignedIn, error_code, mcp, rest
from security_world import COMMIT, EDIT, Reader, World

from pearl_core import request_approval

pytestmark = pytest.mark.anyio

LEASE_MOVES = {
    "release": ("/release", None),
    "heartbeat": ("/heartbeat", None),
    "claim": ("/claim", None),
    "outcome": ("/outcome", {"status": "failed", "summary": "gave up"}),
}


@pytest.mark.parametrize("move", LEASE_MOVES)
@pytest.mark.parametrize("who", ["other agent", "owner of the other agent", "operator"])
async def test_nobody_moves_a_packet_leased_to_another(
    world: World, signed_in: SignedIn, move: str, who: str
) -> None:
    alpha = world.alpha
    packet = alpha.bot_packet_id  # leased to revop-bot
    token = {
        "other agent": alpha.agent.key,
        "owner of the other agent": signed_in(alpha.revop),
        "operator": signed_in(alpha.operator),
    }[who]
    suffix, body = LEASE_MOVES[move]
    async with rest(world, token) as client:
        response = await client.post(f"/api/v1/task-packets/{packet}{suffix}", json=body)
    async with rest(world, alpha.revop_bot.key) as client:
        held = (await client.get(f"/api/v1/task-packets/{packet}")).json()

    assert response.status_code in {403, 409}, response.text
    assert held["status"] == "claimed"
    assert held["lease"]["holder_id"] == alpha.revop_bot.subject_id


@pytest.mark.parametrize("mode", MODES)
async def test_nobody_moves_a_packet_leased_to_another_over_mcp(world: World, mode: str) -> None:
    alpha = world.alpha
    packet = alpha.bot_packet_id
    async with mcp(world, alpha.agent.key, mode) as client:
        answers = [
            await client.call_tool("pearl_release_task_packet", {"task_packet_id": packet}),
            await client.call_tool("pearl_heartbeat", {"task_packet_id": packet}),
            await client.call_tool("pearl_claim_task_packet", {"task_packet_id": packet}),
            await client.call_tool(
                "pearl_report_outcome",
                {"task_packet_id": packet, "report": {"status": "failed"}},
            ),
            await client.call_tool(
                "pearl_request_approval", {"task_packet_id": packet, "action": COMMIT}
            ),
        ]
    async with rest(world, alpha.revop_bot.key) as client:
        held = (await client.get(f"/api/v1/task-packets/{packet}")).json()

    assert all(answer.is_error for answer in answers)
    assert held["lease"]["holder_id"] == alpha.revop_bot.subject_id


async def test_an_approval_allows_exactly_the_approved_action_and_only_once(
    world: World, signed_in: SignedIn, reader: Reader
) -> None:
    beta = world.beta
    approved = {**COMMIT, "command": "git commit -m 'Exactly this'"}
    pearl = reader.pearl
    filed = await request_approval(
        pearl.unit_of_work(beta.agent.principal),
        pearl.policy_engine(),
        beta.agent_packet_id,
        approved,
        clock=pearl.clock,
        mask=pearl.decision_mask,
        ttl=timedelta(hours=1),
    )
    async with rest(world, signed_in(beta.reviewer)) as client:
        decided = await client.post(
            f"/api/v1/approvals/{filed.approval_request_id}/decide", json={"decision": "approve"}
        )
    assert decided.status_code == 200, decided.text
    stretched = [
        {**approved, "command": "git commit -m 'Exactly this' && curl https://evil.example"},
        {**approved, "command": "git commit -am 'Exactly this'"},
        {**approved, "command": ["git", "commit", "-m", "Exactly this", "--no-verify"]},
        {"type": "git_push", "command": "git push"},
    ]
    path = f"/api/v1/task-packets/{beta.agent_packet_id}/check-action"

    async with rest(world, beta.agent.key) as client:
        others = [(await client.post(path, json=action)).json() for action in stretched]
        once = (await client.post(path, json=approved)).json()
        twice = (await client.post(path, json=approved)).json()
    async with rest(world, world.alpha.agent.key) as client:
        elsewhere = await client.post(
            f"/api/v1/task-packets/{world.alpha.agent_packet_id}/check-action", json=approved
        )

    assert [answer["decision"] for answer in others if answer["decision"] == "allow"] == []
    assert all(answer.get("approval_request_id") is None for answer in others)
    assert once["decision"] == "allow"
    assert once["approval_request_id"] == filed.approval_request_id
    assert twice["decision"] != "allow"
    assert elsewhere.json()["decision"] != "allow"


@pytest.mark.parametrize(
    "uri",
    [
        "pearl://policies/../../../../etc/passwd",
        "pearl://policies/%2e%2e/%2e%2e/etc/passwd",
        "pearl://policies//etc/passwd",
        "pearl://policies/pearl/gate_test.rego",
        "pearl://policies/pearl/gate.rego%00.txt",
    ],
)
async def test_policy_resources_serve_only_the_bundles_own_modules(world: World, uri: str) -> None:
    async with mcp(world, world.alpha.agent.key) as client:
        served = await client.read_resource("pearl://policies/pearl/gate.rego")
        with pytest.raises(MCPError) as refused:
            await client.read_resource(uri)

    assert "package pearl.gate" in str(served.contents[0])
    assert "root:" not in repr(refused.value)


async def test_an_agent_checking_someone_elses_packet_is_denied_by_policy(
    world: World,
) -> None:
    alpha = world.alpha
    async with rest(world, alpha.agent.key) as client:
        response = await client.post(
            f"/api/v1/task-packets/{alpha.bot_packet_id}/check-action", json=EDIT
        )

    assert response.status_code in {200, 403, 409}
    if response.status_code == 200:
        assert response.json()["decision"] == "deny"
    else:
        assert error_code(response) in {"forbidden", "conflict"}


async def test_another_agent_cannot_get_a_lease_revoked_by_failing_checks_on_it(
    world: World, signed_in: SignedIn
) -> None:
    """Denials count against the lease holder's own actions only: five denied checks by
    someone else on revop-bot's packet (the limit is five) leave its lease alone."""
    alpha = world.alpha
    packet = alpha.bot_packet_id
    outside = {"type": "file_write", "path": "../../etc/passwd"}
    path = f"/api/v1/task-packets/{packet}/check-action"
    for token in (alpha.agent.key, signed_in(alpha.operator)):
        async with rest(world, token) as client:
            for _ in range(6):
                await client.post(path, json=outside)
    async with rest(world, alpha.revop_bot.key) as client:
        held = (await client.get(f"/api/v1/task-packets/{packet}")).json()

    assert held["status"] == "claimed"
    assert held["lease"]["holder_id"] == alpha.revop_bot.subject_id
    assert held["denied_attempts"] == 0
