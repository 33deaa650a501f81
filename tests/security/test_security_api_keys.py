"""API keys against the running server: wrong, unknown, spliced, revoked, expired and
out-of-scope keys, over REST and over MCP."""

from __future__ import annotations

import secrets
from collections.abc import Callable

import httpx2
import pytest
from security_calls import MODES, error_code, mcp, mcp_refuses, normalised, rest, tool_error
from security_world import COMMIT, EDIT, World

pytestmark = pytest.mark.anyio

_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"
_MCP_HEADERS = {"Accept": "application/json, text/event-stream"}


def _random(length: int) -> str:
    return "".join(secrets.choice(_BASE32) for _ in range(length))


def _parts(key: str) -> tuple[str, str]:
    _, key_id, secret = key.split("_")
    return key_id, secret


async def _refusal(world: World, credential: str) -> httpx2.Response:
    async with rest(world, credential) as client:
        return await client.get(f"/api/v1/task-packets/{world.alpha.agent_packet_id}")


def _shape(response: httpx2.Response) -> tuple[int, object, str]:
    return response.status_code, normalised(response.json()), response.headers["www-authenticate"]


async def test_the_agent_key_itself_is_accepted(world: World) -> None:
    assert (await _refusal(world, world.alpha.agent.key)).status_code == 200


KEYS: dict[str, Callable[[World], str]] = {
    "wrong-secret": lambda w: f"pearl_{_parts(w.alpha.agent.key)[0]}_{_random(52)}",
    "unknown-key-id": lambda _: f"pearl_{_random(12)}_{_random(52)}",
    "spliced-with-beta-secret": lambda w: (
        f"pearl_{_parts(w.alpha.agent.key)[0]}_{_parts(w.beta.agent.key)[1]}"
    ),
    "secret-one-char-off": lambda w: (
        w.alpha.agent.key[:-1] + ("a" if w.alpha.agent.key[-1] != "a" else "b")
    ),
    "truncated": lambda w: w.alpha.agent.key[:-1],
    "upper-cased": lambda w: w.alpha.agent.key.upper().replace("PEARL_", "pearl_"),
    "prefix-only": lambda _: "pearl_",
}


@pytest.mark.parametrize("make", KEYS.values(), ids=KEYS.keys())
async def test_a_bad_key_is_refused_exactly_like_a_wrong_secret(
    world: World, make: Callable[[World], str]
) -> None:
    reference = await _refusal(world, KEYS["wrong-secret"](world))
    response = await _refusal(world, make(world))

    assert response.status_code == 401
    assert error_code(response) == "unauthenticated"
    assert _shape(response) == _shape(reference)


@pytest.mark.parametrize("which", ["revoked_key", "expired_key"])
async def test_a_revoked_or_expired_key_is_refused_over_rest(world: World, which: str) -> None:
    response = await _refusal(world, getattr(world.alpha, which))

    assert response.status_code == 401
    assert _shape(response) == _shape(await _refusal(world, KEYS["wrong-secret"](world)))


@pytest.mark.parametrize("which", ["revoked_key", "expired_key"])
async def test_a_revoked_or_expired_key_is_refused_over_mcp(world: World, which: str) -> None:
    async with rest(world, getattr(world.alpha, which)) as client:
        response = await client.post(
            "/mcp",
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
            headers=_MCP_HEADERS,
        )

    assert response.status_code == 401
    assert "resource_metadata=" in response.headers["www-authenticate"]
    for mode in MODES:
        await mcp_refuses(world, getattr(world.alpha, which), mode)


async def test_a_key_scoped_to_reading_packets_reads_them(world: World) -> None:
    async with rest(world, world.alpha.scoped_key) as client:
        response = await client.get(f"/api/v1/task-packets/{world.alpha.agent_packet_id}")

    assert response.status_code == 200


async def test_a_key_scoped_to_reading_packets_cannot_check_actions_or_claim_over_rest(
    world: World,
) -> None:
    alpha = world.alpha
    free = alpha.free_packet_ids[0]
    async with rest(world, alpha.scoped_key) as client:
        refused = [
            await client.post(
                f"/api/v1/task-packets/{alpha.agent_packet_id}/check-action", json=EDIT
            ),
            await client.post(f"/api/v1/task-packets/{free}/claim"),
            await client.post(
                "/api/v1/approvals/requests",
                json={"task_packet_id": alpha.agent_packet_id, "action": COMMIT},
            ),
        ]

    for response in refused:
        assert response.status_code == 403, response.text
        assert error_code(response) == "insufficient_scope"
        challenge = response.headers["www-authenticate"]
        assert 'error="insufficient_scope"' in challenge
    async with rest(world, alpha.agent.key) as client:
        packet = (await client.get(f"/api/v1/task-packets/{free}")).json()
    assert packet["status"] == "available"


@pytest.mark.parametrize("mode", MODES)
async def test_a_key_scoped_to_reading_packets_cannot_check_actions_or_claim_over_mcp(
    world: World, mode: str
) -> None:
    alpha = world.alpha
    async with mcp(world, alpha.scoped_key, mode) as client:
        listed = {tool.name for tool in (await client.list_tools()).tools}
        read = await client.call_tool(
            "pearl_get_task_packet", {"task_packet_id": alpha.agent_packet_id}
        )
        refused = [
            await client.call_tool(
                "pearl_check_action", {"task_packet_id": alpha.agent_packet_id, "action": EDIT}
            ),
            await client.call_tool(
                "pearl_claim_task_packet", {"task_packet_id": alpha.free_packet_ids[0]}
            ),
            await client.call_tool("pearl_next_task_packet", {}),
        ]

    assert not read.is_error
    assert "pearl_check_action" not in listed
    for result in refused:
        assert tool_error(result)[0] == "insufficient_scope"


async def test_a_narrow_key_of_the_same_agent_gains_nothing_from_a_session_of_its_full_key(
    world: World,
) -> None:
    """Both keys act as one service account; the scope comes from each request's key."""
    alpha = world.alpha
    packet = alpha.agent_packet_id
    async with rest(world, alpha.agent.key) as full:
        opened = await full.post(
            "/mcp",
            json={
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {
                    "protocolVersion": "2025-11-25",
                    "capabilities": {},
                    "clientInfo": {"name": "attacker", "version": "1"},
                },
            },
            headers=_MCP_HEADERS,
        )
    session = opened.headers.get("mcp-session-id")
    assert opened.status_code == 200
    assert session
    call = {
        "jsonrpc": "2.0",
        "id": 2,
        "method": "tools/call",
        "params": {
            "name": "pearl_check_action",
            "arguments": {"task_packet_id": packet, "action": EDIT},
        },
    }
    headers = {**_MCP_HEADERS, "mcp-session-id": session, "mcp-protocol-version": "2025-11-25"}
    async with rest(world, alpha.scoped_key) as narrow:
        await narrow.post(
            "/mcp",
            json={"jsonrpc": "2.0", "method": "notifications/initialized"},
            headers=headers,
        )
        response = await narrow.post("/mcp", json=call, headers=headers)

    if response.status_code == 200:
        result = response.json()["result"]
        assert result["isError"] is True
        assert result["content"][0]["text"].startswith(("[forbidden]", "[insufficient_scope]"))
    else:
        assert response.status_code in {401, 403, 404}
