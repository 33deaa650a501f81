"""The server ``pearl serve`` runs, over real HTTP on 127.0.0.1: health, readiness,
authentication before any handler, Host checks, REST beside MCP, and the whole
loop through the official MCP client over streamable HTTP in both eras."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass

import anyio
import httpx2
import pytest
import uvicorn
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp_world import (
    AGENT,
    COMMIT,
    EDIT,
    OPERATOR,
    OUTSIDE,
    PROJECT,
    REVIEWER,
    SHELL_RULE,
    World,
    sarif_without,
)

from pearl_core import decide_approval
from pearl_mcp.http_app import build_http_app
from pearl_mcp.http_auth import StaticTokens

pytestmark = pytest.mark.anyio

TOKENS = {"agent-token": AGENT, "operator-token": OPERATOR}


@dataclass
class Served:
    base: str
    world: World


@pytest.fixture
async def served(world: World) -> AsyncIterator[Served]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    app = build_http_app(world.runtime, StaticTokens(TOKENS), public_url=base)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="on")
    )
    async with anyio.create_task_group() as group:
        group.start_soon(server.serve)
        while not server.started:  # noqa: ASYNC110 - uvicorn offers a flag, not an event
            await anyio.sleep(0.02)
        yield Served(base, world)
        server.should_exit = True


def http(token: str | None = None) -> httpx2.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=120))


async def test_health_and_readiness_answer_without_credentials(served: Served) -> None:
    async with http() as client:
        health = await client.get(f"{served.base}/healthz")
        ready = await client.get(f"{served.base}/readyz")

    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] == "ok"


@pytest.mark.parametrize("path", ["/mcp", "/api/v1/projects/proj_orders"])
@pytest.mark.parametrize("token", [None, "not-a-key"])
async def test_no_handler_runs_without_a_valid_credential(
    served: Served, path: str, token: str | None
) -> None:
    async with http(token) as client:
        response = await client.post(f"{served.base}{path}", json={})

    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "unauthenticated"
    assert error["trace_id"] == response.headers["x-trace-id"]
    assert error["timestamp"].endswith("Z")
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith("Bearer ")
    assert f'resource_metadata="{served.base}/.well-known/oauth-protected-resource"' in challenge


async def test_the_api_description_is_public_and_describes_the_served_routes(
    served: Served,
) -> None:
    async with http() as client:
        document = await client.get(f"{served.base}/api/v1/openapi.json")
        docs = await client.get(f"{served.base}/api/v1/docs")

    assert document.status_code == 200
    assert "/api/v1/task-packets/{task_packet_id}/check-action" in document.json()["paths"]
    assert docs.status_code == 200


async def test_the_protected_resource_metadata_names_the_mcp_endpoint(served: Served) -> None:
    async with http() as client:
        response = await client.get(f"{served.base}/.well-known/oauth-protected-resource")

    assert response.json()["resource"] == f"{served.base}/mcp"


async def test_a_foreign_host_header_is_refused(served: Served) -> None:
    async with http("agent-token") as client:
        response = await client.post(
            f"{served.base}/mcp",
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
            headers={"Host": "evil.example", "Accept": "application/json, text/event-stream"},
        )

    assert response.status_code == 421


async def test_rest_answers_beside_mcp_with_the_same_credential(served: Served) -> None:
    async with http("operator-token") as client:
        response = await client.get(f"{served.base}/api/v1/projects/{PROJECT}")

    assert response.status_code == 200
    assert response.json()["project_id"] == PROJECT


async def call(client: Client, tool: str, **arguments: object) -> dict[str, object]:
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content
    return dict(result.structured_content or {})


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_the_whole_loop_over_streamable_http(served: Served, mode: str) -> None:
    world, packet = served.world, served.world.seeded.shell_packet_id
    url = f"{served.base}/mcp"
    async with (
        http("agent-token") as agent_http,
        Client(streamable_http_client(url, http_client=agent_http), mode=mode) as agent,
    ):
        claimed = await call(agent, "pearl_claim_task_packet", task_packet_id=packet)
        required = [t for t in claimed["required_tests"] if not str(t).startswith("rescan:")]
        decisions = [
            (await call(agent, "pearl_check_action", task_packet_id=packet, action=a))["decision"]
            for a in (EDIT, OUTSIDE, COMMIT)
        ]
        assert decisions == ["allow", "deny", "needs_approval"]
        request = await call(agent, "pearl_request_approval", task_packet_id=packet, action=COMMIT)
        await decide_approval(
            world.runtime.uow(REVIEWER),
            str(request["approval_request_id"]),
            "approve",
            reason="only the flagged call changes",
            clock=world.clock,
        )
        allowed = await call(agent, "pearl_check_action", task_packet_id=packet, action=COMMIT)
        assert allowed["decision"] == "allow"
        submitted = await call(
            agent,
            "pearl_report_outcome",
            task_packet_id=packet,
            report={
                "status": "fixed",
                "changed_files": [{"path": "app/shell.py", "sha256": "ab" * 32}],
                "commit_sha": "0123456789abcdef0123456789abcdef01234567",
                "test_results": [{"name": name, "status": "passed"} for name in required],
                "tool_output_digests": {"pytest": "cd" * 32},
            },
        )
        assert submitted["status"] == "submitted"
    async with (
        http("operator-token") as operator_http,
        Client(streamable_http_client(url, http_client=operator_http), mode=mode) as op,
    ):
        await call(
            op,
            "pearl_ingest_findings",
            project_id=PROJECT,
            environment="dev",
            report=sarif_without(SHELL_RULE),
        )
        packet_now = await call(op, "pearl_get_task_packet", task_packet_id=packet)
    assert packet_now["status"] == "verified"


def _post(
    path: str, body_length: int, *extra: tuple[bytes, bytes], token: bytes = b"agent-token"
) -> dict[str, object]:
    """The ASGI scope of an authenticated POST of ``body_length`` bytes."""
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8080),
        "headers": [
            (b"host", b"127.0.0.1:8080"),
            (b"authorization", b"Bearer " + token),
            (b"content-type", b"application/json"),
            (b"accept", b"application/json, text/event-stream"),
            (b"content-length", str(body_length).encode()),
            *extra,
        ],
    }


async def _exchange(
    world: World, scope: dict[str, object], arriving: list[dict[str, object]], **options: int
) -> list[dict[str, object]]:
    """Run one request through the app (lifespan up); what the app sent back."""
    app = build_http_app(
        world.runtime, StaticTokens(TOKENS), public_url="http://127.0.0.1:8080", **options
    )
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return arriving.pop(0) if arriving else {"type": "http.disconnect"}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    async with app.router.lifespan_context(app):
        await app(scope, receive, send)  # nothing escapes to the server's error log
    return sent


MODERN = (b"mcp-protocol-version", b"2026-07-28")


@pytest.mark.parametrize(
    ("path", "extra", "token"),
    [
        ("/mcp", (), b"agent-token"),
        ("/mcp", (MODERN,), b"agent-token"),
        ("/api/v1/projects", (), b"operator-token"),
    ],
    ids=["mcp-2025", "mcp-2026", "rest"],
)
async def test_a_client_that_leaves_mid_body_ends_its_request_quietly(
    world: World,
    path: str,
    extra: tuple[tuple[bytes, bytes], ...],
    token: bytes,
    caplog: pytest.LogCaptureFixture,
) -> None:
    arriving: list[dict[str, object]] = [
        {"type": "http.request", "body": b'{"jsonrpc": "2.0", "id": 1, "me', "more_body": True},
        {"type": "http.disconnect"},
    ]

    sent = await _exchange(world, _post(path, 4096, *extra, token=token), arriving)

    assert [r for r in caplog.records if r.levelname == "ERROR"] == []
    if path == "/mcp":  # read in full before the SDK runs: nothing started, nothing answered
        assert [m for m in sent if m["type"] == "http.response.start"] == []


async def test_an_mcp_body_over_the_limit_is_refused_before_the_sdk_reads_it(
    world: World,
) -> None:
    chunk = b"x" * 600
    arriving: list[dict[str, object]] = [
        {"type": "http.request", "body": chunk, "more_body": True},
        {"type": "http.request", "body": chunk, "more_body": True},
    ]

    sent = await _exchange(world, _post("/mcp", 10_000), arriving, max_mcp_body=1_000)

    assert [m["status"] for m in sent if m["type"] == "http.response.start"] == [413]
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")  # type: ignore[misc]
    assert b"limit_exceeded" in body
    assert arriving == []  # it stopped reading at the limit, not at the end
