#!/usr/bin/env python3
"""A pre-tool hook: ask PeaRL before the agent edits, runs or fetches anything.

Reads the agent host's hook JSON on stdin (Claude Code's shape:
``{"tool_name": "Edit", "tool_input": {"file_path": ...}}``), turns it into a
PeaRL action, and runs ``pearl check-action --packet $PEARL_TASK_PACKET``.
Exit 0 lets the tool run; exit 2 blocks it and tells the agent why on stderr
(deny: do not do it; needs approval: ask with pearl_request_approval first).
Tools the hook does not know are blocked: deny by default.

Environment: ``PEARL_TASK_PACKET`` (the claimed packet), ``PEARL_BIN``
(default ``pearl``), ``PEARL_REPO_ROOT`` (default: the current directory).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

BLOCK = 2
_EDITS = {"Edit", "MultiEdit", "Write", "NotebookEdit"}
#: Commands that are actions of their own type (judged, and approval-gated, as such).
_GIT_TYPES = {"commit": "git_commit", "push": "git_push"}


def _command_type(command: str) -> str:
    words = command.split()
    if len(words) > 1 and words[0] == "git":
        return _GIT_TYPES.get(words[1], "command_run")
    return "command_run"


def action_for(tool: str, tool_input: dict[str, Any], root: Path) -> dict[str, Any] | None:
    """The PeaRL action a tool call is, or None when the hook cannot tell."""
    path = tool_input.get("file_path") or tool_input.get("notebook_path")
    if path is not None:
        candidate = Path(str(path))
        if candidate.is_absolute():
            try:
                path = candidate.resolve().relative_to(root.resolve()).as_posix()
            except ValueError:
                path = str(candidate)  # outside the repository: PeaRL will deny it
    if tool in _EDITS and path:
        return {"type": "file_write", "path": path}
    if tool == "Read" and path:
        return {"type": "file_read", "path": path}
    if tool == "Bash" and tool_input.get("command"):
        command = str(tool_input["command"])
        return {"type": _command_type(command), "command": command}
    if tool == "WebFetch" and tool_input.get("url"):
        return {"type": "network_egress", "host": str(tool_input["url"])}
    return None


def main() -> int:
    event = json.load(sys.stdin)
    packet = os.environ.get("PEARL_TASK_PACKET", "")
    if not packet:
        print(
            "PeaRL: no task packet claimed (set PEARL_TASK_PACKET); nothing is allowed",
            file=sys.stderr,
        )
        return BLOCK
    root = Path(os.environ.get("PEARL_REPO_ROOT", os.getcwd()))
    action = action_for(str(event.get("tool_name", "")), dict(event.get("tool_input") or {}), root)
    if action is None:
        print(
            f"PeaRL: {event.get('tool_name')} is not an action PeaRL can judge; blocked",
            file=sys.stderr,
        )
        return BLOCK
    done = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [
            os.environ.get("PEARL_BIN", "pearl"),
            "check-action",
            "--packet",
            packet,
            "--action",
            json.dumps(action),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if done.returncode == 0:
        return 0
    verdict = done.stdout.strip() or done.stderr.strip()
    if done.returncode == 4:
        print(
            f"PeaRL: this needs a human's approval; call pearl_request_approval with this "
            f"action, wait for the decision, then retry.\n{verdict}",
            file=sys.stderr,
        )
    else:
        print(f"PeaRL denied this action; do not retry it as is.\n{verdict}", file=sys.stderr)
    return BLOCK


if __name__ == "__main__":
    sys.exit(main())
