"""A minimal agent loop against PeaRL over streamable HTTP with the official MCP client.

    PEARL_API_KEY=pearl_… python examples/agents/streamable_http_client.py [URL]

Claims the next task packet, checks one edit inside it and one outside it,
and prints PeaRL's answers. A real agent checks every action this way and
acts only on ``allow``.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client


async def main(url: str) -> None:
    headers = {"Authorization": f"Bearer {os.environ['PEARL_API_KEY']}"}
    http = httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=300))
    async with Client(streamable_http_client(url, http_client=http)) as client:
        claimed = await client.call_tool("pearl_next_task_packet", {})
        packet = claimed.structured_content or {}
        print(json.dumps(packet, indent=2)[:2000])
        packet_id = (packet.get("task_packet") or {}).get("task_packet_id")
        if not packet_id:
            print("no work available")
            return
        for path in ("app/db.py", ".github/workflows/ci.yml"):
            verdict = await client.call_tool(
                "pearl_check_action",
                {"task_packet_id": packet_id, "action": {"type": "file_write", "path": path}},
            )
            print(path, "->", (verdict.structured_content or {}).get("decision"))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080/mcp"))
