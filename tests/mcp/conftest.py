"""Fixtures for the MCP tests: a seeded PeaRL on SQLite, its MCP server, and a real
in-memory client in both protocol eras (``auto``: 2026-07-28 without a handshake;
``legacy``: the 2025 ``initialize`` handshake over the JSON-RPC stream loop).

Seeding the example project takes a while, so it runs once per session into a
SQLite file that every test copies; the full loop also runs on PostgreSQL
(``tests/mcp/test_mcp_loop.py``), seeded in the test.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from mcp import Client
from mcp_world import Caller, Seeded, World, runtime_for, seed_world, settings_for

from pearl_core import RegorusEngine, default_rego_dir, load_bundle
from pearl_core.settings import default_policies_dir
from pearl_core.testing import FakeClock
from pearl_mcp.mcp import build_mcp_server

MODES = ["auto", "legacy"]


@dataclass(frozen=True)
class Template:
    database: Path
    key_file: Path
    seeded: Seeded


@pytest.fixture(scope="session")
def policy_engine() -> Iterator[RegorusEngine]:
    engine = RegorusEngine(load_bundle(default_rego_dir(), default_policies_dir()))
    yield engine
    del engine


@pytest.fixture(scope="session")
def seeded_template(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory, policy_engine: RegorusEngine
) -> Template:
    """The example project seeded once, into a SQLite file tests copy."""
    folder = tmp_path_factory.mktemp("mcp-world")
    database = folder / "pearl.db"
    shutil.copyfile(sqlite_template, database)
    key_file = folder / "keys" / "signing-key.pem"
    settings = settings_for(f"sqlite+aiosqlite:///{database}", key_file)

    async def seed() -> Seeded:
        runtime = runtime_for(settings, policy_engine, FakeClock())
        try:
            return await seed_world(runtime)
        finally:
            await runtime.aclose()

    with ThreadPoolExecutor(max_workers=1) as pool:
        seeded = pool.submit(asyncio.run, seed()).result()
    return Template(database, key_file, seeded)


@pytest.fixture
async def world(
    seeded_template: Template, tmp_path: Path, policy_engine: RegorusEngine
) -> AsyncIterator[World]:
    database = tmp_path / "pearl.db"
    shutil.copyfile(seeded_template.database, database)
    url = f"sqlite+aiosqlite:///{database}"
    clock = FakeClock()
    runtime = runtime_for(settings_for(url, seeded_template.key_file), policy_engine, clock)
    try:
        yield World(runtime, clock, seeded_template.seeded, url, seeded_template.key_file)
    finally:
        await runtime.aclose()


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def caller(world: World, mode: str) -> AsyncIterator[Caller]:
    async with Client(build_mcp_server(world.runtime), mode=mode) as client:
        yield Caller(client)
