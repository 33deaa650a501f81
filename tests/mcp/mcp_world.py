"""A PeaRL world for the MCP tests: the example app's project, its committed Semgrep
scan ingested, six signed task packets generated, and the people and agents who
work them; plus a client wrapper that calls tools as a given principal.

Seeding goes through the services like ``tests/e2e``; the MCP server under test
is built over a real :class:`~pearl_mcp.runtime.Runtime` on a real database.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from mcp import Client
from mcp.types import CallToolResult

from pearl_core import (
    ApplicationSpec,
    Environment,
    IngestRequest,
    NewProject,
    Principal,
    RegorusEngine,
    Role,
    Settings,
    bootstrap,
    compile_project_context,
    create_project,
    generate_remediation_specs,
    ingest_report,
    put_app_spec,
    read_default_policies,
    seed_defaults,
)
from pearl_core.settings import default_policies_dir
from pearl_core.testing import FakeClock, make_agent, make_human_reviewer, make_principal
from pearl_mcp.identity import acting_as
from pearl_mcp.runtime import Runtime

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "examples" / "vulnerable-app"
SARIF = APP / "scans" / "semgrep.sarif"
ORG = "org_mcptest"
PROJECT = "proj_orders"
DEV = Environment.DEV
SHELL_RULE = "pearl.python.subprocess-shell-true"

AGENT = make_agent(org_id=ORG, subject_id="sa_fixer")
OTHER_AGENT = make_agent(org_id=ORG, subject_id="sa_other")
OPERATOR = make_principal(org_id=ORG, roles={Role.OPERATOR}, subject_id="usr_operator")
ADMIN = make_principal(org_id=ORG, roles={Role.ADMIN}, subject_id="usr_admin")
VIEWER = make_principal(org_id=ORG, roles={Role.VIEWER}, subject_id="usr_viewer")
REVIEWER = make_human_reviewer(org_id=ORG, subject_id="usr_reviewer")
STRANGER = make_principal(org_id="org_elsewhere", roles={Role.OPERATOR}, subject_id="usr_x")

EDIT = {"type": "file_write", "path": "app/shell.py"}
OUTSIDE = {"type": "file_write", "path": "app/db.py"}
COMMIT = {"type": "git_commit", "command": "git commit -m 'Run the report without a shell'"}

_CODE = re.compile(r"^\[([a-z_]+)\] ")


def settings_for(database_url: str, key_file: Path, **extra: str) -> Settings:
    return Settings.from_env(
        {
            "PEARL_DATABASE_URL": database_url,
            "PEARL_SIGNING_KEY_FILE": str(key_file),
            "PEARL_ORG_ID": ORG,
            "PEARL_LOG_LEVEL": "error",
            "PEARL_MAX_DENIED_ATTEMPTS": "10",
            **extra,
        }
    )


def runtime_for(settings: Settings, engine: RegorusEngine, clock: FakeClock) -> Runtime:
    return Runtime(bootstrap(settings, clock=clock, configure_logs=False), engine)


@dataclass(frozen=True)
class Seeded:
    """What seeding made: the packet for the shell=True finding, and all packets."""

    shell_packet_id: str
    shell_finding_id: str
    packet_ids: tuple[str, ...]
    finding_ids: tuple[str, ...]


async def seed_world(runtime: Runtime) -> Seeded:
    """The example project in dev: context compiled, the committed scan ingested,
    specs and signed packets generated."""
    pearl, engine = runtime.pearl, runtime.engine
    await seed_defaults(
        runtime.uow(Principal.system(ORG)),
        read_default_policies(default_policies_dir()),
        org_name="Orders",
        clock=pearl.clock,
    )
    await create_project(
        runtime.uow(OPERATOR), NewProject(name="Orders", project_id=PROJECT), clock=pearl.clock
    )
    spec = ApplicationSpec.model_validate_json((APP / "pearl-app-spec.json").read_bytes())
    await put_app_spec(runtime.uow(ADMIN), PROJECT, spec, "the example's app spec")
    await compile_project_context(
        runtime.uow(OPERATOR),
        PROJECT,
        DEV,
        clock=pearl.clock,
        signer=pearl.signer,
        bundle_hash=engine.bundle_hash,
    )
    await ingest_report(
        runtime.uow(OPERATOR),
        IngestRequest(project_id=PROJECT, environment=DEV, source_name="semgrep.sarif"),
        io.BytesIO(SARIF.read_bytes()),
        clock=pearl.clock,
        limits=pearl.ingest_limits,
    )
    generated = await generate_remediation_specs(
        runtime.uow(OPERATOR),
        engine,
        PROJECT,
        DEV,
        clock=pearl.clock,
        mask=pearl.decision_mask,
        signer=pearl.signer,
        packet_ttl=timedelta(days=1),
    )
    shell = next(p for p in generated.packets if "app/shell.py" in p.allowed_paths)
    findings = tuple(ref for p in generated.packets for ref in p.finding_refs)
    return Seeded(
        shell_packet_id=shell.task_packet_id,
        shell_finding_id=shell.finding_refs[0],
        packet_ids=tuple(p.task_packet_id for p in generated.packets),
        finding_ids=findings,
    )


@dataclass
class World:
    """A seeded PeaRL for one test: its runtime, clock and what seeding made."""

    runtime: Runtime
    clock: FakeClock
    seeded: Seeded
    database_url: str
    key_file: Path


def sarif_without(rule_id: str) -> str:
    """The committed scan with every result of ``rule_id`` removed (a rescan after a fix)."""
    report = json.loads(SARIF.read_text())
    for run in report["runs"]:
        run["results"] = [r for r in run["results"] if r.get("ruleId") != rule_id]
    return json.dumps(report)


def error_code(result: CallToolResult) -> str:
    """The ``[code]`` a refused tool call starts with."""
    assert result.is_error, result.structured_content
    assert len(result.content) == 1
    text = getattr(result.content[0], "text", "")
    match = _CODE.match(text)
    assert match, text
    return match.group(1)


@dataclass
class Caller:
    """A connected client that calls tools as whichever principal a test names."""

    client: Client

    async def call(
        self, who: Principal | None, tool: str, arguments: dict[str, Any]
    ) -> CallToolResult:
        if who is None:
            return await self.client.call_tool(tool, arguments)
        with acting_as(who):
            return await self.client.call_tool(tool, arguments)

    async def ok(self, who: Principal | None, tool: str, **arguments: Any) -> dict[str, Any]:
        result = await self.call(who, tool, arguments)
        assert not result.is_error, result.content
        assert result.structured_content is not None
        return result.structured_content

    async def refused(self, who: Principal | None, tool: str, **arguments: Any) -> str:
        return error_code(await self.call(who, tool, arguments))
