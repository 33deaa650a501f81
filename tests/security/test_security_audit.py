"""The audit trail of refusals, and secrets that must never be written down.

Every refused attempt of the suite (replayed from ``security_attacks``) leaves a
denial in the audit log (``access.denied``, or a service's own denial event
such as ``guardrail.denied`` or ``session.refresh_reuse_detected``) naming the
caller, or an anonymous caller when PeaRL could not tell who it was.

A canary secret sent as a password, an API key secret, a bearer token, a refresh
token and inside request bodies appears in no server log line, no response, no
audit event and no decision-log record, nor anywhere in the database file.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import httpx2
import pytest
from security_attacks import ANONYMOUS, ATTACKS
from security_calls import SignedIn, anonymous_denials, is_denial, mcp, rest
from security_idp import forge, token_claims
from security_world import COMMIT, EDIT, Reader, World

from pearl_core import AuditOutcome

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("name", list(ATTACKS))
async def test_every_refused_attempt_leaves_a_denial_naming_the_caller(
    world: World, signed_in: SignedIn, reader: Reader, name: str
) -> None:
    attack = ATTACKS[name]
    expected = attack.actors(world)
    marks = await reader.heads()

    await attack.run(world, signed_in)

    events = await reader.audit_since(marks)
    named = [e for e in events if is_denial(e) and e.actor_id in expected]
    if ANONYMOUS in expected:
        named += anonymous_denials(events, world)
    seen = [(e.action, e.actor_id, e.outcome.value) for e in events]
    assert named, f"no denial on the record for {name!r}; new events: {seen}"


async def test_guard_rail_denials_are_recorded_with_the_denied_outcome(
    world: World, reader: Reader
) -> None:
    """A check on a packet the agent does not hold is denied by policy and audited."""
    alpha = world.alpha
    marks = await reader.heads()
    async with rest(world, alpha.agent.key) as client:
        response = await client.post(
            f"/api/v1/task-packets/{alpha.free_packet_ids[-1]}/check-action", json=EDIT
        )

    assert response.status_code == 200
    assert response.json()["decision"] == "deny"
    events = [e for e in await reader.audit_since(marks) if e.action == "guardrail.denied"]
    assert [e.actor_id for e in events] == [alpha.agent.subject_id]
    assert events[0].outcome is AuditOutcome.DENIED


_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"


async def test_a_canary_secret_is_never_written_down_or_echoed(
    world: World, signed_in: SignedIn, reader: Reader
) -> None:
    canary = f"canary{secrets.token_hex(16)}"
    key_canary = "".join(secrets.choice(_BASE32) for _ in range(52))
    canaries = (canary, key_canary)
    alpha = world.alpha
    seen: list[str] = []

    def keep(response: httpx2.Response) -> None:
        seen.append(response.text)
        seen.append(json.dumps(dict(response.headers)))

    real_key_id = alpha.agent.key.split("_")[1]
    bearers = [
        canary,
        f"pearl_{real_key_id}_{key_canary}",
        f"pearl_{'a' * 12}_{key_canary}",
        forge(
            {"alg": "RS256", "typ": "at+jwt", "kid": "a-rsa-1"},
            token_claims(world.idp.a.url, world.base, sub=canary, password=canary),
            canary.encode(),
        ),
    ]
    async with rest(world) as client:
        for body in (
            {"email": alpha.victim.email, "password": canary},
            {"email": alpha.victim.email, "password": canary, "org_id": "org_alpha"},
        ):
            keep(await client.post("/auth/login", json=body))
        for route in ("/auth/refresh", "/auth/logout"):
            keep(await client.post(route, json={"refresh_token": canary}))
            keep(await client.post(route, json={"refresh_token": bearers[-1]}))
        for token in bearers:
            headers = {"Authorization": f"Bearer {token}", "Cookie": f"session={canary}"}
            keep(await client.get(f"/api/v1/projects/{alpha.project_id}", headers=headers))
            keep(
                await client.post(
                    "/mcp",
                    json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                    headers={**headers, "Accept": "application/json, text/event-stream"},
                )
            )

    await _canary_in_bodies(world, signed_in, canary, keep)

    sinks = {
        "server logs": world.server.logs(),
        "responses": "\n".join(seen),
        "audit events": await _audit_dump(reader),
        "decision log": await _decision_dump(reader),
        "database files": _database_bytes(world),
    }
    for sink, content in sinks.items():
        for value in canaries:
            assert value not in content, f"the canary reached the {sink}"


async def _canary_in_bodies(world: World, signed_in: SignedIn, canary: str, keep: object) -> None:
    alpha, beta = world.alpha, world.beta
    record = keep  # a callable taking a response
    assert callable(record)
    approval = alpha.agent_approval_id
    async with rest(world, alpha.agent.key) as agent:
        record(
            await agent.post(
                f"/api/v1/approvals/{approval}/decide",
                json={"decision": "approve", "reason": canary},
            )
        )
        record(
            await agent.post(
                f"/api/v1/task-packets/{alpha.agent_packet_id}/check-action",
                json={**EDIT, "token": canary, "password": canary},
            )
        )
        record(
            await agent.post(
                "/api/v1/approvals/requests",
                json={
                    "task_packet_id": alpha.agent_packet_id,
                    "action": COMMIT,
                    "requested_by": canary,
                    "status": canary,
                    "approval_request_id": canary,
                },
            )
        )
        record(
            await agent.put(
                f"/api/v1/projects/{alpha.project_id}", json={"name": canary, "description": canary}
            )
        )
        record(await agent.post("/api/v1/findings/ingest", json={"findings": [{"title": canary}]}))
    async with rest(world, signed_in(alpha.reviewer)) as reviewer:
        record(
            await reviewer.post(f"/api/v1/approvals/{approval}/decide", json={"decision": canary})
        )
        record(
            await reviewer.post(
                f"/api/v1/approvals/{beta.agent_approval_id}/decide",
                json={"decision": "approve", "reason": canary},
            )
        )
    async with mcp(world, alpha.agent.key) as client:
        for name, arguments in (
            (
                "pearl_get_task_packet",
                {"task_packet_id": alpha.agent_packet_id, "password": canary},
            ),
            ("pearl_get_approval", {"approval_request_id": canary}),
            (
                "pearl_check_action",
                {"task_packet_id": alpha.agent_packet_id, "action": {**EDIT, "secret": canary}},
            ),
            ("pearl_decide_approval", {"approval_request_id": approval, "reason": canary}),
            (
                "pearl_report_outcome",
                {
                    "task_packet_id": beta.agent_packet_id,
                    "report": {"status": "failed", "summary": canary},
                },
            ),
        ):
            result = await client.call_tool(name, arguments)
            record_text = json.dumps(result.model_dump(mode="json"))
            assert canary not in record_text, name


async def _audit_dump(reader: Reader) -> str:
    dumps: list[str] = []
    for org_id in reader.orgs:
        dumps.extend(e.model_dump_json() for e in await reader.audit(org_id))
    return "\n".join(dumps)


async def _decision_dump(reader: Reader) -> str:
    dumps: list[str] = []
    for org_id in reader.orgs:
        dumps.extend(r.model_dump_json() for r in await reader.decision_records(org_id))
    return "\n".join(dumps)


def _database_bytes(world: World) -> str:
    database = Path(world.env["PEARL_DATABASE_URL"].split(":///", 1)[1])
    files = [p for p in database.parent.glob(database.name + "*") if p.is_file()]
    return "\n".join(p.read_bytes().decode("latin-1") for p in files)
