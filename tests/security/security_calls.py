"""How the security suite calls the server and judges its answers.

Clients: :func:`rest` (an ``httpx2.AsyncClient`` on the server's base URL,
with a bearer credential or none) and :func:`mcp` (the official MCP client over
streamable HTTP, in either protocol era). :func:`login` signs a person in at
``/auth/login``.

Judging: :func:`normalised` strips what differs between any two answers
(``trace_id``, ``timestamp``) and replaces the ids a test names, so a refusal
for a real object of another org can be compared with the refusal for an id
nobody holds. :func:`is_denial` says which audit events record a refusal.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import Any, Final

import httpx2
import pytest
from mcp import Client, MCPError
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult
from security_world import OrgWorld, Person, World

from pearl_core import AuditEvent, AuditOutcome

TIMEOUT: Final = httpx2.Timeout(30, read=120)
MODES: Final = ("auto", "legacy")
"""The 2026 era (no session) and the 2025 handshake (a session per client)."""
#: Audit actions that record a refusal whatever their outcome field says.
DENIAL_ACTIONS: Final = frozenset(
    {"access.denied", "guardrail.denied", "session.refresh_reuse_detected"}
)
_CODE: Final = re.compile(r"^\[([a-z_]+)\] ")
_VOLATILE: Final = frozenset({"trace_id", "timestamp"})


def bearer(credential: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {credential}"} if credential is not None else {}


@asynccontextmanager
async def rest(
    world: World, credential: str | None = None, **headers: str
) -> AsyncIterator[httpx2.AsyncClient]:
    async with httpx2.AsyncClient(
        base_url=world.base, headers={**bearer(credential), **headers}, timeout=TIMEOUT
    ) as client:
        yield client


@asynccontextmanager
async def mcp(world: World, credential: str, mode: str = "auto") -> AsyncIterator[Client]:
    async with (
        httpx2.AsyncClient(headers=bearer(credential), timeout=TIMEOUT) as http,
        Client(streamable_http_client(world.mcp_url, http_client=http), mode=mode) as client,
    ):
        yield client


async def mcp_refuses(world: World, credential: str, mode: str = "auto") -> None:
    """The official client cannot connect with ``credential`` (a 401 surfaces as an error)."""
    listed = None
    with pytest.raises((BaseExceptionGroup, MCPError)):
        async with mcp(world, credential, mode) as client:
            listed = await client.list_tools()
    assert listed is None


async def login(world: World, person: Person) -> dict[str, Any]:
    """The token response of a successful sign-in of ``person``."""
    async with rest(world) as client:
        response = await client.post(
            "/auth/login", json={"email": person.email, "password": person.password}
        )
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


async def access_token(world: World, person: Person) -> str:
    token: str = (await login(world, person))["access_token"]
    return token


def tool_error(result: CallToolResult) -> tuple[str, str]:
    """``(code, text)`` of a refused tool call (``[code] message``)."""
    assert result.is_error, result.structured_content
    text = "".join(getattr(block, "text", "") for block in result.content)
    match = _CODE.match(text)
    assert match, text
    return match.group(1), text


def error_code(response: httpx2.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


def normalised(document: Any, ids: Iterable[str] = ()) -> Any:
    """``document`` without ``trace_id``/``timestamp``, every id of ``ids`` as ``<id>``."""
    text = json.dumps(_without_volatile(document), sort_keys=True)
    for value in sorted(ids, key=len, reverse=True):
        text = text.replace(value, "<id>")
    return json.loads(text)


def _without_volatile(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _without_volatile(v) for k, v in value.items() if k not in _VOLATILE}
    if isinstance(value, list):
        return [_without_volatile(v) for v in value]
    return value


def body_of(response: httpx2.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def alpha_secrets(org: OrgWorld) -> list[str]:
    """Strings that only an answer leaking ``org``'s data would contain."""
    return [
        org.admin.subject_id,
        org.reviewer.subject_id,
        org.operator.subject_id,
        org.agent.subject_id,
        f"Orders of {org.org_id.removeprefix('org_')}",
        org.package_id,
    ]


def is_denial(event: AuditEvent) -> bool:
    return event.outcome is AuditOutcome.DENIED or event.action in DENIAL_ACTIONS


def denials_by(events: Iterable[AuditEvent], actor_id: str) -> list[AuditEvent]:
    """The refusals in ``events`` that name ``actor_id`` as the actor."""
    return [e for e in events if is_denial(e) and e.actor_id == actor_id]


def anonymous_denials(events: Iterable[AuditEvent], world: World) -> list[AuditEvent]:
    """Refusals whose actor is none of the seeded principals: an unauthenticated caller."""
    known = {
        person.subject_id
        for org in world.orgs.values()
        for person in (org.admin, org.reviewer, org.operator, org.revop, org.victim)
    } | {agent.subject_id for org in world.orgs.values() for agent in (org.agent, org.revop_bot)}
    return [e for e in events if is_denial(e) and e.actor_id not in known]


class SignedIn:
    """Access tokens of the seeded people, signed in once and reused for ten minutes
    (they live fifteen)."""

    def __init__(self, world: World) -> None:
        self._world = world
        self._tokens: dict[str, tuple[float, str]] = {}

    def __call__(self, person: Person) -> str:
        now = time.monotonic()
        cached = self._tokens.get(person.email)
        if cached is not None and now - cached[0] < 600:
            return cached[1]
        with httpx2.Client(base_url=self._world.base, timeout=30) as client:
            response = client.post(
                "/auth/login", json={"email": person.email, "password": person.password}
            )
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        self._tokens[person.email] = (now, token)
        return token
