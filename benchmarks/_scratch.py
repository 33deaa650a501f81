"""A scratch PostgreSQL database for a benchmark run, created and dropped around it."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

__all__ = ["scratch_postgres"]


@asynccontextmanager
async def scratch_postgres(server_url: str) -> AsyncIterator[str]:
    """The URL of a fresh, empty database on the server at ``server_url``; dropped after."""
    name = f"pearl_bench_{secrets.token_hex(4)}"
    conn = await asyncpg.connect(server_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
        yield f"{server_url.rsplit('/', 1)[0]}/{name}"
    finally:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()
