"""A packet's grants mean what they say to the real guard rails: its own work is
allowed, anything beyond it is not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from remediation_inputs import (
    GENERATED_AT,
    PACKAGE_ID,
    PROJECT_ID,
    TRACE_ID,
    sast,
    sca,
    seed_context,
)

from pearl_core import Finding, RegorusEngine
from pearl_core.domain.enums import TaskPacketStatus
from pearl_core.domain.remediation import Lease, TaskPacket
from pearl_core.guardrails import AgentAction, evaluate_guardrail, guardrail_input
from pearl_core.remediation import (
    build_packet,
    build_spec,
    eligibility_input,
    evaluate_eligibility,
    group_findings,
)

DEV = seed_context()
NOW = GENERATED_AT + timedelta(minutes=5)


@dataclass(frozen=True)
class Agent:
    subject_id: str = "sa_fixer"
    kind: str = "service_account"


def _claimed_packet(policy: RegorusEngine, finding: Finding) -> dict[str, Any]:
    [unit] = group_findings([finding])
    decision = evaluate_eligibility(policy, eligibility_input(unit, DEV.environment, DEV))
    spec = build_spec(
        unit,
        decision,
        context=DEV,
        project_id=PROJECT_ID,
        environment=DEV.environment,
        generated_at=GENERATED_AT,
        trace_id=TRACE_ID,
    )
    packet: TaskPacket = build_packet(
        spec,
        unit,
        DEV,
        generated_at=GENERATED_AT,
        ttl=timedelta(hours=4),
        trace_id=TRACE_ID,
        signer=None,
        compiled_package_id=PACKAGE_ID,
    )
    lease = Lease(holder_id=Agent.subject_id, claimed_at=NOW, expires_at=NOW + timedelta(hours=1))
    claimed = packet.model_copy(update={"status": TaskPacketStatus.CLAIMED, "lease": lease})
    return claimed.model_dump(mode="json")


def _judge(policy: RegorusEngine, packet: dict[str, Any], action: dict[str, Any]) -> str:
    autonomy = DEV.autonomy_policy
    profile = {
        "environment": DEV.environment.value,
        "allowed_capabilities": autonomy.allowed_actions,
        "blocked_capabilities": autonomy.blocked_actions,
        "approval_required_for": autonomy.approval_required_for,
        "outbound_allowlist": [],
    }
    request = guardrail_input(AgentAction.model_validate(action), packet, profile, Agent(), NOW)
    return evaluate_guardrail(policy, request).decision


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ({"type": "file_read", "path": "app/models.py"}, "allow"),
        ({"type": "file_write", "path": "app/db.py"}, "allow"),
        ({"type": "file_write", "path": "tests/test_db.py"}, "allow"),
        ({"type": "command_run", "command": "pytest -q tests"}, "allow"),
        ({"type": "command_run", "command": "git add -- app/db.py"}, "allow"),
        ({"type": "git_commit", "command": ["git", "commit", "-m", "fix sqli"]}, "allow"),
        ({"type": "file_write", "path": "app/orders.py"}, "deny"),
        ({"type": "file_write", "path": "../outside.py"}, "deny"),
        ({"type": "command_run", "command": "curl https://example.com"}, "deny"),
        ({"type": "dependency_change", "command": "pip install requests"}, "deny"),
        ({"type": "git_push", "command": "git push origin main"}, "deny"),
    ],
)
def test_a_code_packet_allows_its_own_work_and_nothing_else(
    policy: RegorusEngine, action: dict[str, Any], expected: str
) -> None:
    packet = _claimed_packet(policy, sast("app/db.py"))

    assert _judge(policy, packet, action) == expected


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ({"type": "dependency_change", "command": "pip install requests==2.32.0"}, "allow"),
        ({"type": "file_write", "path": "requirements.txt"}, "allow"),
        ({"type": "dependency_change", "command": "pip install flask"}, "deny"),
        ({"type": "file_write", "path": "setup.py"}, "deny"),
    ],
)
def test_an_sca_packet_allows_upgrading_only_its_package(
    policy: RegorusEngine, action: dict[str, Any], expected: str
) -> None:
    packet = _claimed_packet(policy, sca("requests", "2.32.0"))

    assert _judge(policy, packet, action) == expected
