"""MCP over streamable HTTP: ``pearl_check_action`` with the official client.

    python benchmarks/mcp_http.py [--checks N] [--sessions S] [--per-session M]

Starts PeaRL's HTTP app (the one ``pearl serve`` runs) under uvicorn in a
child process on 127.0.0.1 with a fresh SQLite database, the example app's
findings planned into packets and one packet claimed by the benchmark's
agent; then, from this process, times sequential ``pearl_check_action``
calls (p50 / p99) and the throughput of S concurrent agent sessions, and
counts errors. For scale it first times the floor on this machine at this
moment: a bare ``MCPServer`` whose one tool returns its argument, served the
same way (the SDK notes' method). The agent authenticates with a bearer token the child maps to
its principal (a fixed table, so key hashing stays out of the numbers).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import anyio
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

# One bearer token per run, made by the parent and inherited by the server child.
TOKEN = os.environ.setdefault("PEARL_BENCH_TOKEN", secrets.token_urlsafe(24))
ROOT = Path(__file__).resolve().parent.parent


async def _serve(port: int, data: Path) -> None:
    import uvicorn

    from pearl_core import Settings, claim_task_packet
    from pearl_mcp.demo.cast import cast_for
    from pearl_mcp.demo.story import Story
    from pearl_mcp.demo.world import World
    from pearl_mcp.http_app import build_http_app
    from pearl_mcp.http_auth import StaticTokens
    from pearl_mcp.runtime import Runtime

    settings = Settings.from_env(
        {
            "PEARL_DATABASE_URL": f"sqlite+aiosqlite:///{data / 'pearl.db'}",
            "PEARL_SIGNING_KEY_FILE": str(data / "key.pem"),
            "PEARL_LOG_LEVEL": "error",
            "PEARL_LEASE_TTL_SECONDS": "86400",
        }
    )
    runtime = Runtime.start(settings, configure_logs=False)
    cast = cast_for(settings.org_id)
    world = World(runtime, cast, Story(quiet=True), data / "workspace")
    world.semgrep = None
    await world.build()
    await world.ingest(
        (ROOT / "examples/vulnerable-app/scans/semgrep.sarif").read_bytes(), cast.operator
    )
    plan = await world.plan()
    packet = sorted(plan.packets, key=lambda p: p.allowed_paths[0])[0]
    await claim_task_packet(
        runtime.uow(cast.agent),
        packet.task_packet_id,
        clock=runtime.pearl.clock,
        lease_ttl=settings.work.lease_ttl,
    )
    (data / "packet").write_text(f"{packet.task_packet_id} {packet.allowed_paths[0]}")
    app = build_http_app(
        runtime, StaticTokens({TOKEN: cast.agent}), public_url=f"http://127.0.0.1:{port}"
    )
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", access_log=False)
    )
    await server.serve()


async def _serve_noop(port: int) -> None:
    import uvicorn
    from mcp.server.mcpserver import MCPServer

    server: MCPServer = MCPServer("noop", log_level="WARNING")

    @server.tool()
    async def noop(x: int = 0) -> int:
        return x

    app = server.streamable_http_app(json_response=True)
    await uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", access_log=False)
    ).serve()


async def _floor(url: str, calls: int, sessions: int, per: int) -> None:
    async with _client(url) as client:
        for i in range(100):
            await client.call_tool("noop", {"x": i})
        samples = []
        for i in range(calls):
            started = time.perf_counter()
            await client.call_tool("noop", {"x": i})
            samples.append(time.perf_counter() - started)
    samples.sort()
    print(
        f"floor       {calls} no-op tool calls: p50 {statistics.median(samples) * 1000:.2f} ms  "
        f"p99 {samples[int(len(samples) * 0.99) - 1] * 1000:.2f} ms"
    )

    async def session() -> None:
        async with _client(url) as client:
            for i in range(per):
                await client.call_tool("noop", {"x": i})

    started = time.perf_counter()
    async with anyio.create_task_group() as group:
        for _ in range(sessions):
            group.start_soon(session)
    elapsed = time.perf_counter() - started
    rate = sessions * per / elapsed
    print(f"floor       {sessions} sessions x {per} no-op calls: {rate:.0f} calls/s")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _client(url: str) -> Client:
    http = httpx2.AsyncClient(
        headers={"Authorization": f"Bearer {TOKEN}"}, timeout=httpx2.Timeout(30, read=300)
    )
    return Client(streamable_http_client(url, http_client=http))


async def _check(client: Client, packet: str, path: str) -> bool:
    result = await client.call_tool(
        "pearl_check_action",
        {"task_packet_id": packet, "action": {"type": "file_write", "path": path}},
    )
    return not result.is_error and (result.structured_content or {}).get("decision") == "allow"


async def _bench(url: str, packet: str, path: str, checks: int, sessions: int, per: int) -> None:
    async with _client(url) as client:
        for _ in range(50):
            await _check(client, packet, path)
        samples, errors = [], 0
        for _ in range(checks):
            started = time.perf_counter()
            errors += not await _check(client, packet, path)
            samples.append(time.perf_counter() - started)
    samples.sort()
    print(
        f"sequential  {checks} checks: p50 {statistics.median(samples) * 1000:.2f} ms  "
        f"p99 {samples[int(len(samples) * 0.99) - 1] * 1000:.2f} ms  errors {errors}"
    )
    failures = 0

    async def session() -> None:
        nonlocal failures
        async with _client(url) as client:
            for _ in range(per):
                failures += not await _check(client, packet, path)

    started = time.perf_counter()
    async with anyio.create_task_group() as group:
        for _ in range(sessions):
            group.start_soon(session)
    elapsed = time.perf_counter() - started
    print(
        f"concurrent  {sessions} sessions x {per}: {sessions * per / elapsed:.0f} checks/s  "
        f"errors {failures}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checks", type=int, default=500)
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--per-session", type=int, default=20)
    parser.add_argument("--serve", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--data", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--serve-noop", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        anyio.run(_serve, args.serve, Path(args.data))
        return
    if args.serve_noop is not None:
        anyio.run(_serve_noop, args.serve_noop)
        return
    noop_port = _free_port()
    noop = subprocess.Popen([sys.executable, __file__, "--serve-noop", str(noop_port)])
    try:
        time.sleep(3.0)
        asyncio.run(
            _floor(
                f"http://127.0.0.1:{noop_port}/mcp", args.checks, args.sessions, args.per_session
            )
        )
    finally:
        noop.terminate()
        noop.wait(timeout=30)
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        child = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(port), "--data", tmp],
            env={**os.environ, "PEARL_LOG_LEVEL": "error"},
        )
        try:
            marker = Path(tmp) / "packet"
            deadline = time.monotonic() + 120
            while not marker.exists() and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(1.0)
            packet, path = marker.read_text().split()
            asyncio.run(
                _bench(
                    f"http://127.0.0.1:{port}/mcp",
                    packet,
                    path,
                    args.checks,
                    args.sessions,
                    args.per_session,
                )
            )
        finally:
            child.terminate()
            child.wait(timeout=30)


if __name__ == "__main__":
    main()
