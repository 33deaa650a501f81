"""A catalogue of refused attempts, one per attack of the suite, each repeatable and
harmless to the shared world: the audit-trail test replays every one and looks for
the denial it must have left.

Each :class:`Attack` names who should be on the record: seeded principals by
subject id, :data:`ANONYMOUS` for a caller PeaRL could not identify (any actor
that is none of the seeded principals), or the local CLI operator.
"""

from __future__ import annotations

import getpass
import os
import subprocess
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Final

import httpx2
from security_calls import SignedIn, mcp, rest
from security_idp import forge, token_claims
from security_world import COMMIT, EDIT, PEARL, World

ANONYMOUS: Final = "<anonymous>"
ACCEPT: Final = {"Accept": "application/json, text/event-stream"}

Run = Callable[[World, SignedIn], Awaitable[None]]


@dataclass(frozen=True)
class Attack:
    actors: Callable[[World], frozenset[str]]
    """Who may be named on the denial (any one of them)."""
    run: Run


def _expect(status: set[int], response: httpx2.Response) -> None:
    assert response.status_code in status, response.text


async def _agent_decides(world: World, _: SignedIn) -> None:
    async with rest(world, world.alpha.agent.key) as client:
        response = await client.post(
            f"/api/v1/approvals/{world.alpha.agent_approval_id}/decide",
            json={"decision": "approve"},
        )
    _expect({403}, response)


async def _agent_writes_policy(world: World, _: SignedIn) -> None:
    async with rest(world, world.alpha.agent.key) as client:
        response = await client.post(
            f"/api/v1/projects/{world.alpha.project_id}/org-baseline",
            json={},
            headers={"X-Change-Reason": "loosen"},
        )
    _expect({400, 403}, response)


async def _agent_ingests(world: World, _: SignedIn) -> None:
    async with rest(world, world.alpha.agent.key) as client:
        response = await client.post("/api/v1/findings/ingest", json={})
    _expect({400, 403}, response)


async def _scoped_key_checks(world: World, _: SignedIn) -> None:
    async with rest(world, world.alpha.scoped_key) as client:
        response = await client.post(
            f"/api/v1/task-packets/{world.alpha.agent_packet_id}/check-action", json=EDIT
        )
    _expect({403}, response)


async def _reviewer_decides_own(world: World, signed_in: SignedIn) -> None:
    async with rest(world, signed_in(world.alpha.revop)) as client:
        response = await client.post(
            f"/api/v1/approvals/{world.alpha.revop_approval_id}/decide",
            json={"decision": "approve"},
        )
    _expect({403}, response)


async def _operator_decides(world: World, signed_in: SignedIn) -> None:
    async with rest(world, signed_in(world.alpha.operator)) as client:
        response = await client.post(
            f"/api/v1/approvals/{world.alpha.agent_approval_id}/decide",
            json={"decision": "approve"},
        )
    _expect({403}, response)


async def _beta_decides_alpha(world: World, signed_in: SignedIn) -> None:
    async with rest(world, signed_in(world.beta.reviewer)) as client:
        response = await client.post(
            f"/api/v1/approvals/{world.alpha.agent_approval_id}/decide",
            json={"decision": "approve"},
        )
    _expect({404}, response)


async def _beta_reads_alpha_finding(world: World, _: SignedIn) -> None:
    async with rest(world, world.beta.agent.key) as client:
        response = await client.get(f"/api/v1/findings/{world.alpha.finding_ids[0]}")
    _expect({404}, response)


async def _agent_probes_exception_approval(world: World, _: SignedIn) -> None:
    async with rest(world, world.alpha.agent.key) as client:
        response = await client.post(
            f"/api/v1/exceptions/{world.alpha.exception_id}/approve", json={}
        )
    _expect({404, 405}, response)


async def _agent_launders_finding(world: World, _: SignedIn) -> None:
    async with rest(world, world.alpha.agent.key) as client:
        response = await client.patch(
            f"/api/v1/findings/{world.alpha.finding_ids[0]}",
            json={"status": "false_positive", "reason": "agent says so"},
        )
    _expect({404, 405}, response)


async def _garbage_token(world: World, _: SignedIn) -> None:
    async with rest(world, "garbage.token.here") as client:
        response = await client.get(f"/api/v1/projects/{world.alpha.project_id}")
    _expect({401}, response)


async def _revoked_key(world: World, _: SignedIn) -> None:
    async with rest(world, world.alpha.revoked_key) as client:
        response = await client.get(f"/api/v1/projects/{world.alpha.project_id}")
    _expect({401}, response)


async def _forged_token(world: World, _: SignedIn) -> None:
    claims = token_claims(world.idp.a.url, world.base, groups=["pearl-reviewers"])
    token = forge({"alg": "none", "typ": "at+jwt", "kid": "a-rsa-1"}, claims)
    async with rest(world, token) as client:
        response = await client.get(f"/api/v1/projects/{world.alpha.project_id}")
    _expect({401}, response)


async def _wrong_password(world: World, _: SignedIn) -> None:
    async with rest(world) as client:
        response = await client.post(
            "/auth/login", json={"email": world.alpha.victim.email, "password": "not it at all"}
        )
    _expect({401}, response)


async def _refresh_replay(world: World, _: SignedIn) -> None:
    async with rest(world) as client:
        first = await client.post(
            "/auth/login",
            json={"email": world.alpha.reviewer.email, "password": world.alpha.reviewer.password},
        )
        token = first.json()["refresh_token"]
        await client.post("/auth/refresh", json={"refresh_token": token})
        replayed = await client.post("/auth/refresh", json={"refresh_token": token})
    _expect({401}, replayed)


async def _mcp_agent_calls_decide_tool(world: World, _: SignedIn) -> None:
    async with mcp(world, world.alpha.agent.key) as client:
        result = await client.call_tool(
            "pearl_decide_approval",
            {"approval_request_id": world.alpha.agent_approval_id, "decision": "approve"},
        )
    assert result.is_error


async def _mcp_agent_calls_hidden_tool(world: World, _: SignedIn) -> None:
    async with mcp(world, world.alpha.agent.key) as client:
        result = await client.call_tool(
            "pearl_ingest_findings",
            {"project_id": world.alpha.project_id, "environment": "dev", "report": "{}"},
        )
    assert result.is_error


async def _mcp_scoped_key_checks(world: World, _: SignedIn) -> None:
    async with mcp(world, world.alpha.scoped_key) as client:
        result = await client.call_tool(
            "pearl_check_action", {"task_packet_id": world.alpha.agent_packet_id, "action": EDIT}
        )
    assert result.is_error


async def _mcp_beta_reads_alpha_packet(world: World, _: SignedIn) -> None:
    async with mcp(world, world.beta.agent.key) as client:
        result = await client.call_tool(
            "pearl_get_task_packet", {"task_packet_id": world.alpha.agent_packet_id}
        )
    assert result.is_error


async def _mcp_beta_requests_on_alpha_packet(world: World, _: SignedIn) -> None:
    async with mcp(world, world.beta.agent.key) as client:
        result = await client.call_tool(
            "pearl_request_approval",
            {"task_packet_id": world.alpha.agent_packet_id, "action": COMMIT},
        )
    assert result.is_error


async def _mcp_without_token(world: World, _: SignedIn) -> None:
    async with rest(world) as client:
        response = await client.post(
            "/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"}, headers=ACCEPT
        )
    _expect({401}, response)


async def _mcp_stolen_session(world: World, _: SignedIn) -> None:
    initialize = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "owner", "version": "1"},
        },
    }
    async with rest(world, world.alpha.agent.key) as owner:
        opened = await owner.post("/mcp", json=initialize, headers=ACCEPT)
    session = opened.headers["mcp-session-id"]
    headers = {**ACCEPT, "mcp-session-id": session, "mcp-protocol-version": "2025-11-25"}
    async with rest(world, world.beta.agent.key) as thief:
        response = await thief.post(
            "/mcp", json={"jsonrpc": "2.0", "id": 2, "method": "tools/list"}, headers=headers
        )
    _expect({404}, response)


async def _mcp_foreign_origin(world: World, _: SignedIn) -> None:
    async with rest(world, world.alpha.agent.key) as client:
        response = await client.post(
            "/mcp",
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
            headers={**ACCEPT, "Origin": "http://evil.example"},
        )
    _expect({403}, response)


def run_cli(
    world: World,
    *args: str,
    org_id: str = "org_alpha",
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``pearl <args>`` on the server's database as the local OS user (the local
    operator), with ``env`` added to the server's settings."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PEARL_")}
    environ.update(world.env)
    environ["PEARL_ORG_ID"] = org_id
    environ.update(env or {})
    return subprocess.run(  # noqa: S603 - fixed argv of the venv's own pearl
        [PEARL, *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )


async def _cli_local_operator_decides(world: World, _: SignedIn) -> None:
    done = run_cli(
        world, "approvals", "decide", world.alpha.agent_approval_id, "approve", "--reason", "ok"
    )
    assert done.returncode != 0, done.stdout


def _local_operator(_: World) -> frozenset[str]:
    return frozenset({f"local:{getpass.getuser()}"})


def _who(*picks: Callable[[World], str]) -> Callable[[World], frozenset[str]]:
    return lambda world: frozenset(pick(world) for pick in picks)


def _anonymous(*also: Callable[[World], str]) -> Callable[[World], frozenset[str]]:
    return lambda world: frozenset({ANONYMOUS, *(pick(world) for pick in also)})


_ALPHA_AGENT = _who(lambda w: w.alpha.agent.subject_id)
_BETA_AGENT = _who(lambda w: w.beta.agent.subject_id)

ATTACKS: Final[dict[str, Attack]] = {
    "rest agent decides an approval": Attack(_ALPHA_AGENT, _agent_decides),
    "rest agent writes policy": Attack(_ALPHA_AGENT, _agent_writes_policy),
    "rest agent ingests findings": Attack(_ALPHA_AGENT, _agent_ingests),
    "rest scoped key checks an action": Attack(_ALPHA_AGENT, _scoped_key_checks),
    "rest reviewer decides own request": Attack(
        _who(lambda w: w.alpha.revop.subject_id), _reviewer_decides_own
    ),
    "rest operator decides": Attack(_who(lambda w: w.alpha.operator.subject_id), _operator_decides),
    "rest beta reviewer decides alpha approval": Attack(
        _who(lambda w: w.beta.reviewer.subject_id), _beta_decides_alpha
    ),
    "rest beta agent reads alpha finding": Attack(_BETA_AGENT, _beta_reads_alpha_finding),
    "rest agent probes an exception approval route": Attack(
        _ALPHA_AGENT, _agent_probes_exception_approval
    ),
    "rest agent patches a finding status": Attack(_ALPHA_AGENT, _agent_launders_finding),
    "rest garbage token": Attack(_anonymous(), _garbage_token),
    "rest revoked key": Attack(_anonymous(lambda w: w.alpha.agent.subject_id), _revoked_key),
    "rest forged alg none token": Attack(_anonymous(), _forged_token),
    "auth wrong password": Attack(_anonymous(lambda w: w.alpha.victim.subject_id), _wrong_password),
    "auth refresh token replay": Attack(
        _who(lambda w: w.alpha.reviewer.subject_id), _refresh_replay
    ),
    "mcp agent calls a decide tool": Attack(_ALPHA_AGENT, _mcp_agent_calls_decide_tool),
    "mcp agent calls a hidden tool": Attack(_ALPHA_AGENT, _mcp_agent_calls_hidden_tool),
    "mcp scoped key checks an action": Attack(_ALPHA_AGENT, _mcp_scoped_key_checks),
    "mcp beta agent reads alpha packet": Attack(_BETA_AGENT, _mcp_beta_reads_alpha_packet),
    "mcp beta agent requests approval on alpha packet": Attack(
        _BETA_AGENT, _mcp_beta_requests_on_alpha_packet
    ),
    "mcp without token": Attack(_anonymous(), _mcp_without_token),
    "mcp stolen session": Attack(_BETA_AGENT, _mcp_stolen_session),
    "mcp foreign origin": Attack(_ALPHA_AGENT, _mcp_foreign_origin),
    "cli local operator decides": Attack(_local_operator, _cli_local_operator_decides),
}
