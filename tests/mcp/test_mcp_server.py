"""The server as a client meets it, in both protocol eras: its name, version and
instructions, and how failures read (``[code] message``, internals withheld)."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp import Client
from mcp_world import AGENT, Caller, error_code, runtime_for, settings_for

from pearl_core import RegorusEngine, __version__
from pearl_core.testing import FakeClock
from pearl_mcp.identity import acting_as
from pearl_mcp.mcp import build_mcp_server

pytestmark = pytest.mark.anyio


async def test_the_server_names_itself_and_tells_agents_the_loop(caller: Caller) -> None:
    client = caller.client
    info = client.server_info
    instructions = client.instructions or ""

    assert info is not None
    assert (info.name, info.version) == ("pearl", __version__)
    for step in (
        "pearl_next_task_packet",
        "pearl_check_action",
        "On deny",
        "On needs_approval",
        "pearl_request_approval",
        "pearl_get_approval",
        "pearl_report_outcome",
        "evidence",
    ):
        assert step in instructions


async def test_an_unknown_tool_is_forbidden_like_a_hidden_one(caller: Caller) -> None:
    assert await caller.refused(AGENT, "pearl_decide_approval", approval_request_id="x") == (
        "forbidden"
    )


async def test_an_unmigrated_database_says_to_upgrade_and_reveals_nothing(
    tmp_path: Path, mode: str, policy_engine: RegorusEngine
) -> None:
    """A database without PeaRL's schema: the caller is told what to do, not how it broke."""
    unmigrated = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    runtime = runtime_for(
        settings_for(unmigrated, tmp_path / "key.pem"), policy_engine, FakeClock()
    )
    try:
        async with Client(build_mcp_server(runtime), mode=mode) as client:
            with acting_as(AGENT):
                result = await client.call_tool("pearl_list_task_packets", {})
    finally:
        await runtime.aclose()

    text = getattr(result.content[0], "text", "")
    assert error_code(result) == "store_unavailable"
    assert "pearl db upgrade" in text
    assert "sqlite" not in text.lower()
    assert "table" not in text.lower()
    assert "Traceback" not in text
