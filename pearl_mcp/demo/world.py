"""The demo's world: a fresh org with the default policies, the example app
registered as a project, a working copy of the app, and its Semgrep scans."""

from __future__ import annotations

import io
import shutil
from dataclasses import dataclass
from pathlib import Path

import anyio

from pearl_core import (
    ApplicationSpec,
    Environment,
    Generated,
    IngestRequest,
    IngestSummary,
    NewProject,
    Principal,
    ScannerUnavailable,
    compile_project_context,
    create_project,
    find_semgrep,
    generate_remediation_specs,
    ingest_report,
    put_app_spec,
    read_default_policies,
    run_semgrep,
    seed_defaults,
)
from pearl_mcp.demo.cast import Cast, register
from pearl_mcp.demo.story import Story
from pearl_mcp.runtime import Runtime

__all__ = ["EXAMPLES", "PROJECT", "World"]

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
APP = EXAMPLES / "vulnerable-app"
RULES = Path(__file__).resolve().parents[2] / "policies" / "semgrep" / "pearl-python.yml"
PROJECT = "proj_orders_demo"
DEV = Environment.DEV


@dataclass
class World:
    runtime: Runtime
    cast: Cast
    story: Story
    workspace: Path
    semgrep: Path | None = None

    async def build(self) -> None:
        pearl = self.runtime.pearl
        self.story.step("Set up: a fresh database, the default policies, the demo's people")
        await pearl.upgrade_database()
        seeded = await seed_defaults(
            pearl.unit_of_work(pearl.system_principal()),
            read_default_policies(pearl.settings.policies_dir),
            org_name="PeaRL demo org",
            clock=pearl.clock,
        )
        await register(self.runtime.uow(self.cast.admin), self.cast, clock=pearl.clock)
        self.story.detail(f"org {pearl.settings.org_id}: {len(seeded.created)} policies loaded")
        for who in (self.cast.admin, self.cast.reviewer, self.cast.operator, self.cast.agent):
            self.story.detail(f"{who.subject_id:<18} {who.display_name}")
        await create_project(
            self.runtime.uow(self.cast.operator),
            NewProject(name="Orders service (examples/vulnerable-app)", project_id=PROJECT),
            clock=pearl.clock,
        )
        spec = ApplicationSpec.model_validate_json((APP / "pearl-app-spec.json").read_bytes())
        await put_app_spec(
            self.runtime.uow(self.cast.admin), PROJECT, spec, "the example app's spec"
        )
        package = await compile_project_context(
            self.runtime.uow(self.cast.operator),
            PROJECT,
            DEV,
            clock=pearl.clock,
            signer=pearl.signer,
            bundle_hash=self.runtime.engine.bundle_hash,
        )
        self.story.detail(
            f"project {PROJECT}; context {package.package_id} compiled and signed "
            f"(commits need approval: approval_required_for=git_commit)"
        )
        if self.workspace.exists():
            shutil.rmtree(self.workspace)
        shutil.copytree(APP, self.workspace, ignore=shutil.ignore_patterns("__pycache__", "scans"))
        try:
            self.semgrep = find_semgrep()
        except ScannerUnavailable:
            self.semgrep = None

    async def scan(self, *, committed: str) -> bytes:
        """Semgrep over the working copy; without Semgrep, the committed report."""
        if self.semgrep is None:
            self.story.detail(
                f"Semgrep is not installed: using the committed report scans/{committed} "
                "of the same scan (install it with ./scripts/demo or scripts/setup)"
            )
            return (APP / "scans" / committed).read_bytes()
        semgrep = self.semgrep
        run = await anyio.to_thread.run_sync(
            lambda: run_semgrep(self.workspace, RULES, executable=semgrep)
        )
        self.story.detail(f"Semgrep {run.version} with policies/semgrep/pearl-python.yml, offline")
        return run.sarif

    async def ingest(self, report: bytes, who: Principal) -> IngestSummary:
        return await ingest_report(
            self.runtime.uow(who),
            IngestRequest(project_id=PROJECT, environment=DEV, source_name="semgrep.sarif"),
            io.BytesIO(report),
            clock=self.runtime.pearl.clock,
            limits=self.runtime.pearl.ingest_limits,
        )

    async def plan(self) -> Generated:
        pearl = self.runtime.pearl
        return await generate_remediation_specs(
            self.runtime.uow(self.cast.operator),
            self.runtime.engine,
            PROJECT,
            DEV,
            clock=pearl.clock,
            mask=pearl.decision_mask,
            signer=pearl.signer,
            packet_ttl=pearl.settings.work.packet_ttl,
        )
