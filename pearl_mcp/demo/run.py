"""``pearl demo``: the whole loop on a fresh embedded database, told as it runs.

Scan the example app with the real Semgrep (or its committed report), ingest,
compile the context, plan specs and signed packets, then let a scripted agent
work every packet through an MCP client connected to PeaRL's MCP server, and
verify the fixes with a rescan. Ends with the findings by status.
"""

from __future__ import annotations

import importlib.util
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcp import Client

from pearl_core import ConfigurationError, Settings, list_findings
from pearl_mcp.demo.agent import DemoAgent
from pearl_mcp.demo.cast import cast_for
from pearl_mcp.demo.story import Story
from pearl_mcp.demo.world import PROJECT, World
from pearl_mcp.identity import acting_as
from pearl_mcp.mcp import build_mcp_server
from pearl_mcp.runtime import Runtime

__all__ = ["DemoResult", "run_demo"]


@dataclass(frozen=True, slots=True)
class DemoResult:
    findings: dict[str, str]
    """rule id → status after the rescan."""
    packets: dict[str, str]
    """packet id → status after the rescan."""
    decisions: dict[str, int]
    seconds: float
    lines: list[str]

    @property
    def ok(self) -> bool:
        return all(status == "fixed_verified" for status in self.findings.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "findings": self.findings,
            "packets": self.packets,
            "guard_rail_decisions": self.decisions,
            "seconds": round(self.seconds, 1),
        }


async def run_demo(settings: Settings, *, workspace: Path, quiet: bool = False) -> DemoResult:
    if importlib.util.find_spec("pytest") is None:
        raise ConfigurationError(
            "the demo's agent runs the example app's tests with pytest: "
            "install it with pip install 'pearl-governance[demo]' (./scripts/demo does)"
        )
    started = time.perf_counter()
    story = Story(quiet=quiet)
    runtime = Runtime.start(settings, configure_logs=False)
    try:
        cast = cast_for(settings.org_id)
        world = World(runtime, cast, story, workspace)
        await world.build()

        story.step("Scan examples/vulnerable-app and ingest the report")
        summary = await world.ingest(await world.scan(committed="semgrep.sarif"), cast.operator)
        story.detail(
            f"{summary.created} findings created from {', '.join(summary.tool_names)}, "
            f"{summary.quarantined} quarantined"
        )

        story.step("Plan the work: remediation specs (eligibility in Rego) and signed packets")
        plan = await world.plan()
        for spec in plan.specs:
            story.detail(
                f"{spec.remediation_spec_id}  {spec.eligibility.value:<26} "
                f"{spec.risk_summary.risk_level.value:<8} {spec.required_outcome[:70]}"
            )

        story.step("An AI agent connects over MCP and works the packets")
        server = build_mcp_server(runtime)
        async with runtime.running(), Client(server) as client:
            agent = DemoAgent(client, world)
            with acting_as(cast.agent):
                tools = await client.list_tools()
            story.detail(f"{len(tools.tools)} PeaRL tools; the agent is {cast.agent.subject_id}")
            packets = sorted(plan.packets, key=lambda p: p.allowed_paths[0])
            for index, packet in enumerate(packets):
                if index == 1:
                    story.step("The agent works the other packets the same way")
                status = await agent.work(packet.model_dump(mode="json"), narrate=index == 0)
                if index:
                    story.detail(f"{packet.task_packet_id} {packet.allowed_paths[0]:<20} {status}")

            story.step("Re-scan the fixed code; only the scan can close a finding")
            rescan = await world.scan(committed="semgrep-fixed.sarif")
            with acting_as(cast.operator):
                result = await client.call_tool(
                    "pearl_ingest_findings",
                    {
                        "project_id": PROJECT,
                        "environment": "dev",
                        "report": rescan.decode("utf-8"),
                    },
                )
            if result.is_error:
                raise RuntimeError(" ".join(getattr(c, "text", "") for c in result.content))
            story.detail("ingested the rescan through MCP as the operator")

        found = await list_findings(runtime.uow(cast.operator), project_id=PROJECT, limit=1000)
        async with runtime.uow(cast.operator) as uow:
            stored = await uow.task_packets.list(project_id=PROJECT)
        story.step("Findings by status")
        story.table((f.rule_id or f.title, f.severity.value, f.status.value) for f in found)
        verified = sum(1 for p in stored if p.status.value == "verified")
        story.detail(f"task packets verified by the rescan: {verified} of {len(stored)}")
        elapsed = time.perf_counter() - started
        story.detail(f"done in {elapsed:.1f} s; audit chain and decision log hold every step")
        return DemoResult(
            findings={f.rule_id or f.title: f.status.value for f in found},
            packets={p.task_packet_id: p.status.value for p in stored},
            decisions=dict(agent.decisions),
            seconds=elapsed,
            lines=story.lines,
        )
    finally:
        await runtime.aclose()
