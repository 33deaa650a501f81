"""A project with real findings, a compiled context package and one task packet,
and the agents, reviewers and operators who work it (for the loop service tests)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from ingest_helpers import DEV, PROJECT, findings, ingest, seed
from reports import HITS, ORG, semgrep

from pearl_core import RegorusEngine, default_rego_dir, load_bundle
from pearl_core.domain.compiled import AutonomyPolicy
from pearl_core.domain.decisions import InputMask
from pearl_core.domain.enums import AutonomyMode, Role
from pearl_core.domain.identity import Principal
from pearl_core.domain.remediation import TaskPacket
from pearl_core.ports import UnitOfWorkFactory
from pearl_core.services.guard import GuardResult, check_action
from pearl_core.settings import default_policies_dir
from pearl_core.testing import (
    FakeClock,
    make_agent,
    make_compiled_package,
    make_human_reviewer,
    make_principal,
    make_task_packet,
)

__all__ = ["AGENT", "LEASE", "MASK", "OPERATOR", "REVIEWER", "Loop", "guard_engine", "make_loop"]

AGENT = make_agent(org_id=ORG, subject_id="sa_fixer")
OTHER_AGENT = make_agent(org_id=ORG, subject_id="sa_other")
REVIEWER = make_human_reviewer(org_id=ORG, subject_id="usr_reviewer")
SECOND_REVIEWER = make_human_reviewer(org_id=ORG, subject_id="usr_reviewer2")
OWNER = make_human_reviewer(org_id=ORG, subject_id=str(AGENT.owner_user_id))
OPERATOR = make_principal(org_id=ORG, roles={Role.OPERATOR})
LEASE = timedelta(minutes=15)
APPROVAL_TTL = timedelta(hours=1)
MASK = InputMask(("token", "secret"))
MAX_DENIED = 3

#: The first hit of ``reports.HITS``: ``subprocess(..., shell=True)`` in app/run.py.
SHELL_HIT = HITS[0]


@pytest.fixture(scope="module")
def guard_engine() -> Iterator[RegorusEngine]:
    engine = RegorusEngine(load_bundle(default_rego_dir(), default_policies_dir()))
    yield engine
    del engine


@dataclass
class Loop:
    store: UnitOfWorkFactory
    clock: FakeClock
    engine: RegorusEngine
    packet_id: str
    finding_id: str

    async def check(
        self, action: dict[str, Any], who: Principal = AGENT, **kwargs: Any
    ) -> GuardResult:
        return await check_action(
            self.store.unit_of_work(who),
            self.engine,
            self.packet_id,
            action,
            clock=self.clock,
            mask=MASK,
            max_denied_attempts=kwargs.pop("max_denied_attempts", MAX_DENIED),
            **kwargs,
        )

    async def packet(self) -> TaskPacket:
        async with self.store.unit_of_work(OPERATOR) as uow:
            return await uow.task_packets.get(self.packet_id)


async def make_loop(
    store: UnitOfWorkFactory, clock: FakeClock, engine: RegorusEngine, **packet: Any
) -> Loop:
    """Seed the org and project, ingest ``HITS`` with Semgrep, store a compiled
    package and a packet for the shell=True finding (``packet`` overrides)."""
    await seed(store)
    await ingest(store, semgrep(*HITS), clock=clock, scope="full")
    shell = next(
        f for f in await findings(store, project_id=PROJECT) if f.rule_id == SHELL_HIT.rule
    )
    package = make_compiled_package(
        project_id=PROJECT,
        environment=DEV,
        autonomy_policy=AutonomyPolicy(
            mode=AutonomyMode.SUPERVISED_AUTONOMOUS,
            allowed_actions=["code_read", "code_edit", "command_run", "test_run", "git_push"],
            blocked_actions=["prod_deploy", "secret_access"],
        ),
    )
    fields: dict[str, Any] = {
        "project_id": PROJECT,
        "environment": DEV,
        "compiled_package_id": package.package_id,
        "finding_refs": [shell.finding_id],
        "verification_tools": ["semgrep"],
        "allowed_actions": ["file_read", "file_write", "command_run", "git_commit", "git_push"],
        "blocked_actions": ["deploy"],
        "allowed_paths": ["app/run.py", "tests/**"],
        "allowed_commands": ["pytest", "git status", "git push"],
        "required_tests": ["tests/test_run.py", "rescan:semgrep"],
        "evidence_required": ["changed_files", "test_results"],
        "generated_at": clock.now(),
        "expires_at": clock.now() + timedelta(days=1),
    } | packet
    created = make_task_packet(**fields)
    async with store.unit_of_work(OPERATOR) as uow:
        await uow.compiled_packages.add(package)
        await uow.task_packets.add(created)
        await uow.audit.record("test.packet", resource_type="task_packet", resource_id="x")
        await uow.commit()
    return Loop(store, clock, engine, created.task_packet_id, shell.finding_id)
