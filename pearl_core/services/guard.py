"""The guard-rail check: may this principal take this action under this packet, now?

:func:`check_action` reads the packet (settling a lapsed lease or lifetime
first), builds the ``pearl.guardrails`` input from the packet, the effective
environment profile of the compiled context package the packet was cut from,
and the normalised action, and asks the policy engine. It denies by default:
an unclaimed, expired or foreign packet is denied by the policy itself, an
unknown action type too. Every check is logged in the decision log in the
same transaction as what it changes.

Approvals bind to one exact action. The action's ``digest`` in the input is
``sha256`` over (packet id, PeaRL's digest of the normalised action, policy
bundle hash), so an approval granted for one action under one policy never
matches a changed parameter, another packet or a changed policy. When the
policy answers ``needs_approval``, the packet's approved, unconsumed,
unexpired approvals for that digest are offered to the policy; if it then
allows, the approval is consumed in the same transaction (compare-and-set, so
two concurrent checks cannot both use it): approved actions run once.

A denial of the lease holder's action is recorded on the packet (a
:class:`~pearl_core.domain.remediation.Violation`) and audited; at
``max_denied_attempts`` denials the lease is revoked and the packet returns
to ``available``. Denials of anyone else are audited only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pearl_core.authz import Permission, authorize
from pearl_core.canonical import canonical_json, sha256_hex
from pearl_core.clock import Clock, rfc3339
from pearl_core.domain.audit import AuditOutcome
from pearl_core.domain.decisions import InputMask
from pearl_core.domain.enums import ApprovalStatus, TaskPacketStatus
from pearl_core.domain.governance import ApprovalRequest
from pearl_core.domain.identity import Principal
from pearl_core.domain.remediation import TaskPacket, Violation
from pearl_core.errors import ValidationFailed
from pearl_core.guardrails import AgentAction, evaluate_guardrail, guardrail_input
from pearl_core.policy.ports import Decision, PolicyEngine
from pearl_core.ports import UnitOfWork
from pearl_core.services._packets import holder_refusal, move_packet, settle, write_packet
from pearl_core.services.decisions import decision_record
from pearl_core.services.guard_profile import profile_for
from pearl_core.validation import parse

if TYPE_CHECKING:
    from pearl_core.services.guard_fast import GuardFastPath

__all__ = ["GuardResult", "Judgement", "binding_digest", "check_action", "judge"]

MAX_VIOLATIONS_KEPT = 20


@dataclass(frozen=True, slots=True)
class GuardResult:
    """The answer an agent acts on."""

    decision_id: str
    decision: str
    """``allow``, ``deny`` or ``needs_approval``."""
    reasons: tuple[dict[str, Any], ...]
    approval_triggers: tuple[str, ...]
    action_digest: str
    """What an approval request for this action binds to."""
    task_packet_id: str
    denied_attempts: int
    lease_revoked: bool = False
    approval_request_id: str | None = None
    """The approval this ``allow`` used up, if any."""

    @classmethod
    def of(cls, decision: Decision, action: Mapping[str, Any], packet: TaskPacket) -> GuardResult:
        """The answer to ``decision`` on ``action`` (its input) under ``packet``."""
        return cls(
            decision_id=decision.decision_id,
            decision=decision.decision,
            reasons=tuple(reason.to_dict() for reason in decision.reasons),
            approval_triggers=tuple(decision.result.get("approval_triggers") or ()),
            action_digest=action["digest"],
            task_packet_id=packet.task_packet_id,
            denied_attempts=packet.denied_attempts,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision_id": self.decision_id,
            "decision": self.decision,
            "reasons": list(self.reasons),
            "approval_triggers": list(self.approval_triggers),
            "action_digest": self.action_digest,
            "task_packet_id": self.task_packet_id,
            "denied_attempts": self.denied_attempts,
            "lease_revoked": self.lease_revoked,
            "approval_request_id": self.approval_request_id,
        }


@dataclass(frozen=True, slots=True)
class Judgement:
    """One guard-rail evaluation and everything it was made from."""

    packet: TaskPacket
    input: dict[str, Any]
    decision: Decision
    approval: ApprovalRequest | None = None
    data_versions: dict[str, str] = field(default_factory=dict)

    @property
    def action(self) -> dict[str, Any]:
        action: dict[str, Any] = self.input["action"]
        return action


def binding_digest(task_packet_id: str, action_digest: str, bundle_hash: str) -> str:
    """``sha256:`` over (packet, normalised action digest, bundle hash)."""
    body = canonical_json([task_packet_id, action_digest, bundle_hash])
    return "sha256:" + sha256_hex(body)


def parse_action(action: AgentAction | Mapping[str, Any]) -> AgentAction:
    return action if isinstance(action, AgentAction) else parse(AgentAction, dict(action))


def check_environment(packet: TaskPacket, action: AgentAction) -> None:
    """``validation_failed`` when the action names another environment than the packet's."""
    if action.environment is not None and action.environment != packet.environment.value:
        raise ValidationFailed(
            f"the action names environment {action.environment!r}, but the task packet "
            f"is for {packet.environment.value!r}",
            field="environment",
        )


def guard_request(
    engine: PolicyEngine,
    packet: TaskPacket,
    action: AgentAction,
    profile: dict[str, Any],
    principal: Principal,
    now: datetime,
    workspace_root: Path | None,
) -> dict[str, Any]:
    """The ``pearl.guardrails`` input, its action digest bound to packet and bundle."""
    request = guardrail_input(
        action, _packet_view(packet), profile, principal, now, workspace_root=workspace_root
    )
    request["environment"] = packet.environment.value
    request["action"]["digest"] = binding_digest(
        packet.task_packet_id, request["action"]["digest"], engine.bundle_hash
    )
    return request


async def judge(
    uow: UnitOfWork,
    engine: PolicyEngine,
    packet: TaskPacket,
    action: AgentAction,
    now: datetime,
    *,
    workspace_root: Path | None = None,
    use_approvals: bool = True,
) -> Judgement:
    """Evaluate ``action`` under the (settled) ``packet``; see the module docstring."""
    check_environment(packet, action)
    package_id, profile = await profile_for(uow, packet)
    request = guard_request(engine, packet, action, profile, uow.principal, now, workspace_root)
    versions = {"compiled_package": package_id} if package_id else {}
    decision = evaluate_guardrail(engine, request)
    if decision.decision != "needs_approval" or not use_approvals:
        return Judgement(packet, request, decision, data_versions=versions)
    approval = await _usable_approval(uow, packet, request["action"]["digest"], now)
    if approval is None:
        return Judgement(packet, request, decision, data_versions=versions)
    request["approvals"] = [_approval_view(approval)]
    decision = evaluate_guardrail(engine, request)
    used = approval if decision.decision == "allow" else None
    return Judgement(packet, request, decision, used, versions)


async def check_action(
    uow: UnitOfWork,
    engine: PolicyEngine,
    task_packet_id: str,
    action: AgentAction | Mapping[str, Any],
    *,
    clock: Clock,
    mask: InputMask,
    max_denied_attempts: int,
    workspace_root: Path | None = None,
    fast: GuardFastPath | None = None,
) -> GuardResult:
    """Judge one action of the acting principal under the packet, and log it.

    With ``fast`` (a running server's), an allowed action under a packet the
    caller holds is judged from the packet cache and its record buffered
    (:mod:`pearl_core.services.guard_fast`); anything else takes this path.
    """
    authorize(uow.principal, Permission.PACKETS_WORK)
    agent_action = parse_action(action)
    now = clock.now()
    org_id = uow.principal.org_id
    if fast is not None:
        quick = fast.try_allow(
            engine, task_packet_id, agent_action, uow.principal, now, mask, workspace_root
        )
        if quick is not None:
            return quick
        token = fast.packets.token(org_id, task_packet_id)
    async with uow:
        packet = await settle(uow, await uow.task_packets.get(task_packet_id), now)
        judgement = await judge(
            uow, engine, packet, agent_action, now, workspace_root=workspace_root
        )
        record = decision_record(
            judgement.decision,
            judgement.input,
            principal=uow.principal,
            decided_at=now,
            mask=mask,
            data_versions=judgement.data_versions,
        )
        await uow.decisions.add(record)
        result = await _apply(uow, judgement, now, max_denied_attempts)
        await uow.commit()
    if fast is not None and result.decision == "allow" and judgement.approval is None:
        fast.packets.put(org_id, judgement.packet, token)
    return result


async def _apply(
    uow: UnitOfWork, judgement: Judgement, now: datetime, max_denied: int
) -> GuardResult:
    decision, packet = judgement.decision, judgement.packet
    result = GuardResult.of(decision, judgement.action, packet)
    if judgement.approval is not None:
        await _consume(uow, judgement.approval, now)
        return replace(result, approval_request_id=judgement.approval.approval_request_id)
    if decision.decision != "deny":
        return result
    rule_ids = sorted({reason.rule_id for reason in decision.reasons})
    details = {
        "decision_id": decision.decision_id,
        "action_type": judgement.action.get("type"),
        "rule_ids": rule_ids,
    }
    if holder_refusal(packet, uow.principal, now) is not None:
        await uow.audit.record(
            "guardrail.denied",
            resource_type="task_packet",
            resource_id=packet.task_packet_id,
            details=details,
            outcome=AuditOutcome.DENIED,
        )
        return result
    violation = Violation(
        decision_id=decision.decision_id,
        at=now,
        principal_id=uow.principal.subject_id,
        action_type=str(judgement.action.get("type")),
        rule_ids=rule_ids,
    )
    attempts = packet.denied_attempts + 1
    packet = await write_packet(
        uow,
        packet,
        {
            "denied_attempts": attempts,
            "violations": [*packet.violations, violation][-MAX_VIOLATIONS_KEPT:],
        },
        action="guardrail.denied",
        outcome=AuditOutcome.DENIED,
        **details,
    )
    if attempts < max_denied:
        return replace(result, denied_attempts=attempts)
    await move_packet(
        uow,
        packet,
        TaskPacketStatus.AVAILABLE,
        Principal.system(uow.principal.org_id),
        action="task_packet.lease_revoked",
        reason=f"{attempts} guard-rail denials (limit {max_denied})",
        changes={"lease": None},
    )
    return replace(result, denied_attempts=attempts, lease_revoked=True)


async def _usable_approval(
    uow: UnitOfWork, packet: TaskPacket, digest: str, now: datetime
) -> ApprovalRequest | None:
    for request in await uow.approvals.list(statuses=[ApprovalStatus.APPROVED]):
        if (
            request.task_packet_id == packet.task_packet_id
            and request.action_digest == digest
            and request.consumed_at is None
            and (request.expires_at is None or now < request.expires_at)
        ):
            return request
    return None


async def _consume(uow: UnitOfWork, approval: ApprovalRequest, now: datetime) -> None:
    used = approval.model_copy(update={"consumed_at": now})
    await uow.approvals.update(used, expected=approval)
    await uow.audit.record(
        "approval.consumed",
        resource_type="approval_request",
        resource_id=approval.approval_request_id,
        details={"task_packet_id": approval.task_packet_id},
    )


def _approval_view(approval: ApprovalRequest) -> dict[str, Any]:
    return {
        "approval_request_id": approval.approval_request_id,
        "status": approval.status.value,
        "action_digest": approval.action_digest,
        "consumed_at": None,
        "expires_at": None if approval.expires_at is None else rfc3339(approval.expires_at),
    }


def _packet_view(packet: TaskPacket) -> dict[str, Any]:
    """The ``packet`` part of the ``pearl.guardrails`` input."""
    lease = packet.lease
    return {
        "task_packet_id": packet.task_packet_id,
        "status": packet.status.value,
        "lease": None
        if lease is None
        else {"holder_id": lease.holder_id, "expires_at": rfc3339(lease.expires_at)},
        "expires_at": None if packet.expires_at is None else rfc3339(packet.expires_at),
        "denied_attempts": packet.denied_attempts,
        "allowed_actions": list(packet.allowed_actions),
        "blocked_actions": list(packet.blocked_actions),
        "allowed_paths": list(packet.allowed_paths),
        "allowed_commands": list(packet.allowed_commands),
        "allowed_packages": list(packet.allowed_packages),
        "approval_triggers": list(packet.approval_triggers),
    }
