"""The HTTP transport in front of MCP (and REST): Origin and Host checks, missing and
garbage credentials, and another principal's MCP session."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest
from security_calls import SignedIn, body_of, error_code, rest
from security_world import World

pytestmark = pytest.mark.anyio

ACCEPT = {"Accept": "application/json, text/event-stream"}
LEGACY = "2025-11-25"
LIST_TOOLS = {"jsonrpc": "2.0", "id": 7, "method": "tools/list"}


def initialize(name: str) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": LEGACY,
            "capabilities": {},
            "clientInfo": {"name": name, "version": "1"},
        },
    }


async def open_session(client: httpx2.AsyncClient) -> str:
    """A 2025-era session opened by ``client``'s credential; its ``mcp-session-id``."""
    opened = await client.post("/mcp", json=initialize("owner"), headers=ACCEPT)
    assert opened.status_code == 200, opened.text
    session: str = opened.headers["mcp-session-id"]
    initialized = await client.post(
        "/mcp",
        json={"jsonrpc": "2.0", "method": "notifications/initialized"},
        headers=in_session(session),
    )
    assert initialized.status_code in {200, 202}
    return session


def in_session(session: str) -> dict[str, str]:
    return {**ACCEPT, "mcp-session-id": session, "mcp-protocol-version": LEGACY}


@pytest.mark.parametrize("path", ["/mcp", "/api/v1/findings", "/auth/login"])
@pytest.mark.parametrize(
    "origin", ["http://evil.example", "https://127.0.0.1.evil.example", "null"]
)
async def test_a_foreign_origin_is_refused_with_403(world: World, path: str, origin: str) -> None:
    async with rest(world, world.alpha.agent.key) as client:
        response = await client.post(path, json=LIST_TOOLS, headers={**ACCEPT, "Origin": origin})

    assert response.status_code == 403
    assert "Orders of alpha" not in response.text


@pytest.mark.parametrize("path", ["/mcp", "/api/v1/findings", "/auth/login"])
@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.evil.example:80", "localhost.evil"])
async def test_a_foreign_host_is_refused_with_421(world: World, path: str, host: str) -> None:
    async with rest(world, world.alpha.agent.key) as client:
        response = await client.post(path, json=LIST_TOOLS, headers={**ACCEPT, "Host": host})

    assert response.status_code == 421


async def test_a_request_without_a_token_gets_401_naming_the_resource_metadata(
    world: World,
) -> None:
    async with rest(world) as client:
        response = await client.post("/mcp", json=initialize("anonymous"), headers=ACCEPT)
        metadata = await client.get("/.well-known/oauth-protected-resource")

    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith("Bearer ")
    assert f'resource_metadata="{world.base}/.well-known/oauth-protected-resource"' in challenge
    assert "mcp-session-id" not in response.headers
    assert metadata.json()["resource"] == world.mcp_url


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer garbage",
        "Bearer",
        "Bearer a.b.c",
        "Bearer " + "A" * 20_000,
        "Bearer pearl_",
        "Basic YWRtaW46YWRtaW4=",
        "Token {agent}",
        "{agent}",
        "Bearer {agent} extra",
    ],
)
async def test_a_garbage_or_misplaced_credential_gets_401(world: World, authorization: str) -> None:
    header = authorization.replace("{agent}", world.alpha.agent.key)
    async with rest(world, Authorization=header) as client:
        response = await client.post("/mcp", json=LIST_TOOLS, headers=ACCEPT)

    assert response.status_code in {401, 431}
    if response.status_code == 401:
        assert error_code(response) == "unauthenticated"


@pytest.mark.parametrize("name", ["access_token", "token", "api_key"])
async def test_a_credential_in_the_query_string_is_not_accepted(world: World, name: str) -> None:
    async with rest(world) as client:
        response = await client.post(
            f"/mcp?{name}={world.alpha.agent.key}", json=LIST_TOOLS, headers=ACCEPT
        )
        rest_response = await client.get(f"/api/v1/findings?{name}={world.alpha.agent.key}")

    assert response.status_code == 401
    assert rest_response.status_code == 401


@pytest.mark.parametrize("thief", ["beta agent", "alpha reviewer", "alpha revop bot"])
async def test_another_principals_mcp_session_id_is_refused(
    world: World, signed_in: SignedIn, thief: str
) -> None:
    alpha = world.alpha
    stolen_with = {
        "beta agent": world.beta.agent.key,
        "alpha reviewer": signed_in(alpha.reviewer),
        "alpha revop bot": alpha.revop_bot.key,
    }[thief]
    call = {
        "jsonrpc": "2.0",
        "id": 9,
        "method": "tools/call",
        "params": {
            "name": "pearl_get_task_packet",
            "arguments": {"task_packet_id": alpha.agent_packet_id},
        },
    }
    async with rest(world, alpha.agent.key) as owner, rest(world, stolen_with) as other:
        session = await open_session(owner)
        listed = await other.post("/mcp", json=LIST_TOOLS, headers=in_session(session))
        called = await other.post("/mcp", json=call, headers=in_session(session))
        ended = await other.delete("/mcp", headers=in_session(session))
        still_owned = await owner.post("/mcp", json=call, headers=in_session(session))

    for refused in (listed, called, ended):
        assert refused.status_code == 404, refused.text
        assert alpha.agent_packet_id not in refused.text
        assert "result" not in str(body_of(refused))
    assert still_owned.status_code == 200
    assert alpha.agent_packet_id in still_owned.text
