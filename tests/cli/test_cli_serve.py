"""``pearl mcp`` (stdio, authenticated by PEARL_API_KEY) with the official MCP
client in both eras, and the refusals of ``pearl mcp`` and ``pearl serve``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters
from test_cli_agents import env, initialised, pearl

__all__ = ["env", "initialised"]
PEARL = str(Path(sys.executable).parent / "pearl")


def test_serve_refuses_to_bind_beyond_loopback_without_the_flag(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = pearl(capsys, "serve", "--host", "0.0.0.0")  # noqa: S104 - the refusal is the test

    assert code == 1
    assert "[configuration_error]" in err
    assert "--allow-remote" in err


@pytest.mark.parametrize("key", ["", "pearl_aaaaaaaaaaaa_bbbb"])
def test_stdio_mcp_refuses_a_missing_or_unknown_key(
    initialised: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    key: str,
) -> None:
    monkeypatch.setenv("PEARL_API_KEY", key)

    code, _, err = pearl(capsys, "mcp")

    assert code == 1
    assert "[unauthenticated]" in err


async def _use_stdio(environ: dict[str, str], mode: str) -> tuple[int, bool, str]:
    server = StdioServerParameters(command=PEARL, args=["mcp"], env=environ)
    async with Client(server, mode=mode) as client:
        tools = await client.list_tools()
        listed = await client.call_tool("pearl_list_task_packets", {})
        ingest = await client.call_tool(
            "pearl_ingest_findings", {"project_id": "proj_x", "environment": "dev", "report": "{}"}
        )
    return len(tools.tools), listed.is_error, getattr(ingest.content[0], "text", "")


@pytest.mark.parametrize("mode", ["auto", "legacy"])
def test_stdio_mcp_serves_the_agent_of_the_key(
    initialised: dict[str, str], capsys: pytest.CaptureFixture[str], mode: str
) -> None:
    code, key, _ = pearl(capsys, "agents", "create", "stdio-bot")
    assert code == 0
    environ = {**os.environ, **initialised, "PEARL_API_KEY": key.strip().splitlines()[-1]}

    tools, listed_failed, ingest_text = anyio.run(_use_stdio, environ, mode)

    assert (tools, listed_failed) == (14, False)  # every tool but pearl_ingest_findings
    assert ingest_text.startswith("[forbidden]")  # an agent never ingests
