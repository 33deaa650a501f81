"""Task packets cut for a described task: everything they permit comes from the compiled
context, they grant no paths or commands, they are signed, stored and audited.

Every test runs on the in-memory fake, SQLite and PostgreSQL (``any_store``).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from pearl_core import (
    Ed25519Signer,
    PearlError,
    TaskPacket,
    TaskRequest,
    generate_task_packet,
    get_task_packet,
)
from pearl_core.domain.compiled import (
    ApprovalCheckpoint,
    AutonomyPolicy,
    RaiTransparency,
    RequiredTests,
    ResponsibleAiRequirements,
)
from pearl_core.domain.enums import AutonomyMode, Environment, Role
from pearl_core.domain.identity import Principal
from pearl_core.ports import UnitOfWorkFactory
from pearl_core.remediation import verify_packet
from pearl_core.testing import (
    FakeClock,
    make_agent,
    make_compiled_package,
    make_org,
    make_principal,
    make_project,
)

pytestmark = pytest.mark.anyio

ORG = "org_tasks"
PROJECT = "proj_payments"
OPERATOR = make_principal(org_id=ORG, roles={Role.OPERATOR})
AGENT = make_agent(org_id=ORG)
SIGNER = Ed25519Signer.generate()
TTL = timedelta(hours=8)
CONTEXT = make_compiled_package(
    project_id=PROJECT,
    environment=Environment.PREPROD,
    autonomy_policy=AutonomyPolicy(
        mode=AutonomyMode.SUPERVISED_AUTONOMOUS,
        allowed_actions=["code_read", "code_edit", "command_run"],
        blocked_actions=["prod_deploy", "command_run"],
        approval_required_for=["auth_flow_changes", "git_commit"],
    ),
    approval_checkpoints=[
        ApprovalCheckpoint(
            checkpoint_id="cp_net", trigger="network_policy_change", environment=Environment.PREPROD
        ),
        ApprovalCheckpoint(
            checkpoint_id="cp_prod", trigger="schema_change", environment=Environment.PROD
        ),
    ],
    required_tests=RequiredTests(security=["authz_negative_tests"], functional=["smoke"]),
    responsible_ai_requirements=ResponsibleAiRequirements(
        transparency=RaiTransparency(ai_disclosure_required=True)
    ),
    evidence_requirements=["test_results"],
)


@pytest.fixture
async def store(any_store: UnitOfWorkFactory) -> UnitOfWorkFactory:
    async with any_store.unit_of_work(OPERATOR) as uow:
        await uow.orgs.add(make_org(org_id=ORG))
        await uow.projects.add(make_project(project_id=PROJECT))
        await uow.compiled_packages.add(CONTEXT)
        await uow.audit.record("test.seeded", resource_type="org", resource_id=ORG)
        await uow.commit()
    return any_store


def task(**fields: Any) -> TaskRequest:
    values = {
        "task_type": "refactor",
        "task_summary": "Refactor the auth middleware",
        "environment": "preprod",
        "affected_components": ["api-service"],
        "change_hints": ["auth_flow_change", "network_policy_change", "schema_change"],
    } | fields
    return TaskRequest.model_validate_json(json.dumps(values))


async def generate(
    store: UnitOfWorkFactory, clock: FakeClock, who: Principal = OPERATOR, **options: Any
) -> TaskPacket:
    request = options.pop("request", task())
    return await generate_task_packet(
        store.unit_of_work(who),
        PROJECT,
        request,
        clock=clock,
        signer=SIGNER,
        packet_ttl=TTL,
        **options,
    )


async def test_a_packet_permits_only_what_the_context_grants_and_gates(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    packet = await generate(store, clock)

    assert packet.allowed_actions == ["file_read", "file_write", "git_commit"]
    assert packet.blocked_actions == [
        "command_run",
        "deploy",
        "git_push",
        "network_egress",
        "prod_deploy",
    ]
    assert packet.approval_triggers == ["auth_flow_change", "git_commit", "network_policy_change"]
    assert (packet.allowed_paths, packet.allowed_commands, packet.allowed_packages) == ([], [], [])


async def test_a_packet_carries_the_contexts_requirements(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    packet = await generate(store, clock)

    assert packet.relevant_controls == ["authz_checks"]
    assert packet.relevant_rai_requirements == ["transparency.ai_disclosure_required"]
    assert packet.required_tests == ["authz_negative_tests", "smoke"]
    assert packet.evidence_required == ["test_results"]
    assert packet.compiled_package_id == CONTEXT.package_id
    assert [ref.ref_id for ref in packet.references] == [CONTEXT.package_id]
    assert packet.expires_at == clock.now() + TTL


async def test_a_packet_is_signed_stored_and_audited(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    packet = await generate(store, clock)

    verify_packet(packet, SIGNER.public_key())
    assert await get_task_packet(store.unit_of_work(AGENT), packet.task_packet_id) == packet
    async with store.unit_of_work(OPERATOR) as uow:
        actions = [
            e.action async for e in uow.audit.events() if e.resource_id == packet.task_packet_id
        ]
    assert actions == ["task_packet.created"]


async def test_a_packet_needs_a_compiled_context_for_its_environment(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    with pytest.raises(PearlError) as missing:
        await generate(store, clock, request=task(environment="dev"))

    assert missing.value.code == "not_found"


async def test_an_agent_cannot_cut_a_packet(store: UnitOfWorkFactory, clock: FakeClock) -> None:
    with pytest.raises(PearlError) as refused:
        await generate(store, clock, AGENT)

    assert refused.value.code == "forbidden"


async def test_a_retry_under_its_key_returns_the_stored_packet(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    first = await generate(store, clock, idempotency_key="task-1")
    again = await generate(store, clock, idempotency_key="task-1")

    with pytest.raises(PearlError) as other:
        await generate(
            store, clock, request=task(task_summary="something else"), idempotency_key="task-1"
        )
    assert again == first
    assert other.value.code == "conflict"
