"""The whole loop on real files, through the service layer, on SQLite and PostgreSQL.

A copy of ``examples/vulnerable-app`` is scanned with the real Semgrep and the
rule pack in ``policies/semgrep``; the report is ingested; specs and signed
packets are generated under the compiled context; an agent claims the packet
for the ``shell=True`` finding, is allowed its edit and denied one outside the
packet, must ask for approval to commit (the example's app spec makes commits
approval-gated), gets it from a human reviewer once, applies the real fix,
reports with evidence, and a real rescan verifies the fix. The negative twin
"fixes" nothing, and the rescan reopens the finding and rejects the packet.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import pytest

from pearl_core import (
    ApplicationSpec,
    Environment,
    FindingStatus,
    RegorusEngine,
    compile_project_context,
    default_rego_dir,
    ingest_report,
    load_bundle,
    put_app_spec,
    read_default_policies,
    seed_defaults,
)
from pearl_core.context import Ed25519Signer
from pearl_core.domain.decisions import InputMask
from pearl_core.domain.enums import Role, TaskPacketStatus
from pearl_core.domain.identity import Principal
from pearl_core.domain.remediation import TaskPacket
from pearl_core.errors import ScannerUnavailable
from pearl_core.ingest.pipeline import IngestLimits
from pearl_core.remediation import verify_packet
from pearl_core.scanners import find_semgrep, run_semgrep
from pearl_core.services.approvals import decide_approval, request_approval
from pearl_core.services.guard import check_action
from pearl_core.services.ingest import IngestRequest
from pearl_core.services.outcomes import report_outcome
from pearl_core.services.packets import claim_task_packet
from pearl_core.services.projects import NewProject, create_project
from pearl_core.services.remediation import generate_remediation_specs
from pearl_core.settings import default_policies_dir
from pearl_core.store import SqlStore
from pearl_core.testing import FakeClock, make_agent, make_human_reviewer, make_principal

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "examples" / "vulnerable-app"
FIXES = ROOT / "examples" / "fixes" / "vulnerable-app"
RULES = ROOT / "policies" / "semgrep" / "pearl-python.yml"
ORG = "org_default"
PROJECT = "proj_orders"
DEV = Environment.DEV
SHELL_RULE = "pearl.python.subprocess-shell-true"

OPERATOR = make_principal(org_id=ORG, roles={Role.OPERATOR})
ADMIN = make_principal(org_id=ORG, roles={Role.ADMIN})
AGENT = make_agent(org_id=ORG, subject_id="sa_fixer")
REVIEWER = make_human_reviewer(org_id=ORG, subject_id="usr_reviewer")
MASK = InputMask(("token",))
SIGNER = Ed25519Signer.generate()
NO_SHELL_COMMIT = {
    "type": "git_commit",
    "command": "git commit -m 'Run the report without a shell'",
}


@pytest.fixture(scope="module")
def policy() -> Iterator[RegorusEngine]:
    policy = RegorusEngine(load_bundle(default_rego_dir(), default_policies_dir()))
    yield policy
    del policy


@pytest.fixture
def semgrep() -> Path:
    try:
        return find_semgrep()
    except ScannerUnavailable as exc:  # CI installs Semgrep: missing there is a failure
        if os.environ.get("CI"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))


@dataclass
class World:
    store: SqlStore
    clock: FakeClock
    engine: RegorusEngine
    app: Path
    semgrep: Path

    async def ingest_scan(self) -> None:
        scan = await anyio.to_thread.run_sync(
            partial(run_semgrep, self.app, RULES, executable=self.semgrep)
        )
        self.clock.advance(60)
        await ingest_report(
            self.store.unit_of_work(OPERATOR),
            IngestRequest(project_id=PROJECT, environment=DEV, source_name="semgrep.sarif"),
            io.BytesIO(scan.sarif),
            clock=self.clock,
            limits=IngestLimits(),
        )

    async def check(self, action: dict[str, Any], packet: TaskPacket) -> str:
        result = await check_action(
            self.store.unit_of_work(AGENT),
            self.engine,
            packet.task_packet_id,
            action,
            clock=self.clock,
            mask=MASK,
            max_denied_attempts=5,
        )
        return result.decision

    async def statuses(self) -> dict[str, str]:
        async with self.store.unit_of_work(OPERATOR) as uow:
            found = await uow.findings.list(project_id=PROJECT, limit=1000)
        return {f.rule_id or f.title: f.status.value for f in found}

    async def packet(self, packet_id: str) -> TaskPacket:
        async with self.store.unit_of_work(OPERATOR) as uow:
            return await uow.task_packets.get(packet_id)


@pytest.fixture
async def world(
    store: SqlStore, clock: FakeClock, policy: RegorusEngine, semgrep: Path, tmp_path: Path
) -> World:
    engine = policy
    app = tmp_path / "vulnerable-app"
    shutil.copytree(APP, app, ignore=shutil.ignore_patterns("__pycache__", ".*cache", "scans"))
    system = Principal.system(ORG)
    await seed_defaults(
        store.unit_of_work(system),
        read_default_policies(default_policies_dir()),
        org_name="Orders",
        clock=clock,
    )
    await create_project(
        store.unit_of_work(OPERATOR), NewProject(name="Orders", project_id=PROJECT), clock=clock
    )
    spec = ApplicationSpec.model_validate_json((APP / "pearl-app-spec.json").read_bytes())
    await put_app_spec(store.unit_of_work(ADMIN), PROJECT, spec, "the example's app spec")
    await compile_project_context(
        store.unit_of_work(OPERATOR),
        PROJECT,
        DEV,
        clock=clock,
        signer=SIGNER,
        bundle_hash=engine.bundle_hash,
    )
    made = World(store, clock, engine, app, semgrep)
    await made.ingest_scan()
    return made


def run_app_tests(app: Path) -> subprocess.CompletedProcess[bytes]:
    """The app's own tests, the packet's required ``pytest tests``."""
    # A fixed argument list, no shell; the folder is the test's own copy of the app.
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=app,
        capture_output=True,
        check=False,
        timeout=300,
    )


async def work_the_shell_packet(world: World, *, fix: bool) -> TaskPacket:
    """Generate, claim and work the shell=True packet up to the outcome report."""
    generated = await generate_remediation_specs(
        world.store.unit_of_work(OPERATOR),
        world.engine,
        PROJECT,
        DEV,
        clock=world.clock,
        mask=MASK,
        signer=SIGNER,
        packet_ttl=timedelta(days=1),
    )
    assert len(generated.specs) == 6
    packet = next(p for p in generated.packets if p.allowed_paths[0] == "app/shell.py")
    verify_packet(packet, SIGNER.public_key())
    await claim_task_packet(
        world.store.unit_of_work(AGENT),
        packet.task_packet_id,
        clock=world.clock,
        lease_ttl=timedelta(minutes=30),
    )

    assert await world.check({"type": "file_read", "path": "app/service.py"}, packet) == "allow"
    assert await world.check({"type": "file_write", "path": "app/shell.py"}, packet) == "allow"
    assert await world.check({"type": "file_write", "path": "app/db.py"}, packet) == "deny"
    assert await world.check(NO_SHELL_COMMIT, packet) == "needs_approval"

    request = await request_approval(
        world.store.unit_of_work(AGENT),
        world.engine,
        packet.task_packet_id,
        NO_SHELL_COMMIT,
        clock=world.clock,
        mask=MASK,
        ttl=timedelta(hours=1),
    )
    await decide_approval(
        world.store.unit_of_work(REVIEWER),
        request.approval_request_id,
        "approve",
        reason="the change only drops shell=True",
        clock=world.clock,
    )
    assert await world.check(NO_SHELL_COMMIT, packet) == "allow"
    assert await world.check(NO_SHELL_COMMIT, packet) == "needs_approval"  # used once

    if fix:
        shutil.copyfile(FIXES / "app" / "shell.py", world.app / "app" / "shell.py")
    tests = await anyio.to_thread.run_sync(run_app_tests, world.app)
    assert tests.returncode == 0, tests.stdout.decode()
    changed = (world.app / "app" / "shell.py").read_bytes()
    evidence = {
        "status": "fixed",
        "changed_files": [{"path": "app/shell.py", "sha256": hashlib.sha256(changed).hexdigest()}],
        "commit_sha": "4f2b9c1d0e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c",
        "test_results": [
            {
                "name": name,
                "status": "passed",
                "output_digest": hashlib.sha256(tests.stdout).hexdigest(),
            }
            for name in packet.required_tests
            if not name.startswith("rescan:")
        ],
        "tool_output_digests": {"pytest": hashlib.sha256(tests.stdout).hexdigest()},
    }
    submitted = await report_outcome(
        world.store.unit_of_work(AGENT), packet.task_packet_id, evidence, clock=world.clock
    )
    assert submitted.status is TaskPacketStatus.SUBMITTED
    assert (await world.statuses())[SHELL_RULE] == FindingStatus.FIX_SUBMITTED.value
    return packet


async def test_a_real_fix_is_verified_by_a_real_rescan(world: World) -> None:
    packet = await work_the_shell_packet(world, fix=True)

    await world.ingest_scan()

    statuses = await world.statuses()
    assert statuses.pop(SHELL_RULE) == "fixed_verified"
    assert set(statuses.values()) == {"open"}
    assert (await world.packet(packet.task_packet_id)).status is TaskPacketStatus.VERIFIED


async def test_a_rescan_that_still_finds_the_problem_reopens_it(world: World) -> None:
    packet = await work_the_shell_packet(world, fix=False)

    await world.ingest_scan()

    assert (await world.statuses())[SHELL_RULE] == "reopened"
    assert (await world.packet(packet.task_packet_id)).status is TaskPacketStatus.REJECTED
