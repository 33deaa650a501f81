"""Approvals: an agent asks, a human reviewer decides, the guard rail honours it once.

* :func:`request_approval`: the lease holder asks for one action the guard
  rails answered ``needs_approval`` for. PeaRL re-judges the action (and logs
  that decision), so a request exists only for an action that needs one, and
  binds it to the action's digest (packet, normalised action, bundle hash).
  Asking again for the same action while a request is pending returns it.
* :func:`decide_approval`: a human with the reviewer role who is neither the
  requester nor the owner of the requesting service account approves or
  rejects a *pending*, unexpired request, once. The decision's time is the
  server clock. Of two concurrent decisions exactly one wins (the decision
  row's primary key and a compare-and-set on the request); the other is an
  ``invalid_transition``, like deciding anything not pending.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final, Literal

from pearl_core.authz import Permission, authorize
from pearl_core.clock import Clock
from pearl_core.domain.decisions import InputMask
from pearl_core.domain.enums import ApprovalDecisionValue, ApprovalRequestType, ApprovalStatus
from pearl_core.domain.governance import ApprovalDecision, ApprovalRequest
from pearl_core.domain.identity import Principal
from pearl_core.domain.lifecycle import APPROVAL_LIFECYCLE
from pearl_core.errors import Conflict, Forbidden, InvalidTransition, RequesterCannotDecide
from pearl_core.guardrails import AgentAction
from pearl_core.ids import new_id
from pearl_core.policy.ports import PolicyEngine
from pearl_core.ports import UnitOfWork
from pearl_core.services._packets import require_holder, settle
from pearl_core.services.decisions import decision_record
from pearl_core.services.guard import judge, parse_action
from pearl_core.trace import current_trace_id

__all__ = [
    "ApprovalView",
    "decide_approval",
    "get_approval",
    "list_approvals",
    "request_approval",
]

_AP = ApprovalStatus

#: Which contract request type a guard-rail trigger files under.
_REQUEST_TYPES: Mapping[str, ApprovalRequestType] = {
    "git_push": ApprovalRequestType.DEPLOYMENT_GATE,
    "deployment": ApprovalRequestType.DEPLOYMENT_GATE,
    "network_egress": ApprovalRequestType.NETWORK_POLICY_CHANGE,
    "sensitive_path_change": ApprovalRequestType.AUTH_FLOW_CHANGE,
}


@dataclass(frozen=True, slots=True)
class ApprovalView:
    """A request and, once decided, its decision."""

    request: ApprovalRequest
    decision: ApprovalDecision | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "request": self.request.model_dump(mode="json", exclude_none=True),
            "decision": None
            if self.decision is None
            else self.decision.model_dump(mode="json", exclude_none=True),
        }


async def request_approval(
    uow: UnitOfWork,
    engine: PolicyEngine,
    task_packet_id: str,
    action: AgentAction | Mapping[str, Any],
    *,
    clock: Clock,
    mask: InputMask,
    ttl: timedelta,
    workspace_root: Path | None = None,
) -> ApprovalRequest:
    """Ask a human to allow ``action`` under the packet (see the module docstring)."""
    authorize(uow.principal, Permission.APPROVALS_REQUEST)
    agent_action = parse_action(action)
    now = clock.now()
    async with uow:
        packet = await settle(uow, await uow.task_packets.get(task_packet_id), now)
        await require_holder(uow, packet, now)
        judgement = await judge(
            uow,
            engine,
            packet,
            agent_action,
            now,
            workspace_root=workspace_root,
            use_approvals=False,
        )
        decision = judgement.decision
        await uow.decisions.add(
            decision_record(
                decision,
                judgement.input,
                principal=uow.principal,
                decided_at=now,
                mask=mask,
                data_versions=judgement.data_versions,
            )
        )
        if decision.decision != "needs_approval":
            await uow.commit()  # keep the decision record
            raise InvalidTransition(
                f"the guard rails answer {decision.decision} for this action, not "
                "needs_approval: only gated actions can be submitted for approval",
                decision=decision.decision,
                decision_id=decision.decision_id,
            )
        digest = judgement.action["digest"]
        pending = await _pending_for(uow, task_packet_id, digest, now)
        if pending is not None:
            await uow.commit()
            return pending
        triggers = list(decision.result.get("approval_triggers") or ["guardrail"])
        request = ApprovalRequest(
            approval_request_id=new_id("appr"),
            project_id=packet.project_id,
            environment=packet.environment,
            request_type=_REQUEST_TYPES.get(triggers[0], ApprovalRequestType.REMEDIATION_EXECUTION),
            trigger=",".join(triggers)[:200],
            requested_by=uow.principal.subject_id,
            required_roles=["reviewer"],
            artifact_refs=[task_packet_id, decision.decision_id],
            created_at=now,
            expires_at=now + ttl,
            trace_id=current_trace_id(),
            task_packet_id=task_packet_id,
            action_digest=digest,
            action=judgement.action,
            bundle_hash=decision.bundle_hash,
            requester_owner_id=uow.principal.owner_user_id,
        )
        await uow.approvals.add(request)
        await uow.audit.record(
            "approval.requested",
            resource_type="approval_request",
            resource_id=request.approval_request_id,
            details={
                "task_packet_id": task_packet_id,
                "trigger": request.trigger,
                "decision_id": decision.decision_id,
            },
        )
        await uow.commit()
    return request


async def _pending_for(
    uow: UnitOfWork, task_packet_id: str, digest: str, now: datetime
) -> ApprovalRequest | None:
    for request in await uow.approvals.list(statuses=[_AP.PENDING]):
        if (
            request.task_packet_id == task_packet_id
            and request.action_digest == digest
            and (request.expires_at is None or now < request.expires_at)
        ):
            return request
    return None


FRESH_SIGN_IN: Final = timedelta(minutes=10)
"""How recent a token's sign-in must be to decide an approval."""


def require_fresh_sign_in(principal: Principal, now: datetime) -> None:
    """``forbidden`` (``reason="fresh_sign_in_required"``) for a principal authenticated
    by a token whose human did not sign in within :data:`FRESH_SIGN_IN`.

    A decision is the one act an agent must never perform, and a token can be
    copied: a session a reviewer left on a shared machine, or its refresh token,
    must not be enough. Refreshed tokens never carry a sign-in time; a password
    checked in this process (``pearl approvals decide --user``) needs none.
    """
    if not principal.from_token:
        return
    signed_in = principal.signed_in_at
    if signed_in is None or not timedelta(0) <= now - signed_in <= FRESH_SIGN_IN:
        raise Forbidden(
            "deciding needs a fresh sign-in: sign in again with your password",
            reason="fresh_sign_in_required",
        )


async def decide_approval(
    uow: UnitOfWork,
    approval_request_id: str,
    decision: Literal["approve", "reject"] | ApprovalDecisionValue,
    *,
    reason: str | None,
    clock: Clock,
) -> ApprovalView:
    """Approve or reject a pending request as the acting human reviewer."""
    authorize(uow.principal, Permission.APPROVALS_DECIDE)
    value = ApprovalDecisionValue(decision)
    target = _AP.APPROVED if value is ApprovalDecisionValue.APPROVE else _AP.REJECTED
    now = clock.now()
    principal = uow.principal
    require_fresh_sign_in(principal, now)
    async with uow:
        request = await uow.approvals.get(approval_request_id)
        if request.status is _AP.PENDING and _lapsed(request, now):
            await _expire(uow, request)
            await uow.commit()
            raise _not_pending(request, _AP.EXPIRED)
        if request.status is not _AP.PENDING:
            raise _not_pending(request, request.status)
        if principal.subject_id in (request.requested_by, request.requester_owner_id):
            raise RequesterCannotDecide(
                "the requester (or the owner of the requesting service account) "
                "cannot decide its own request",
                approval_request_id=approval_request_id,
            )
        APPROVAL_LIFECYCLE.check(request.status, target, principal, reason=reason)
        record = ApprovalDecision(
            approval_request_id=approval_request_id,
            decision=value,
            decided_by=principal.subject_id,
            decider_role=_role(principal),
            reason=reason,
            decided_at=now,
            trace_id=current_trace_id(),
        )
        decided = request.model_copy(update={"status": target, "decided_at": now})
        try:
            await uow.approvals.record_decision(record)
            await uow.approvals.update(decided, expected=request)
        except Conflict:
            raise _not_pending(request, "decided") from None
        await uow.audit.record(
            "approval.decided",
            resource_type="approval_request",
            resource_id=approval_request_id,
            details={"decision": value.value, "reason": reason, "role": record.decider_role},
        )
        await uow.commit()
    return ApprovalView(decided, record)


def _lapsed(request: ApprovalRequest, now: datetime) -> bool:
    return request.expires_at is not None and now >= request.expires_at


def _role(principal: Principal) -> str:
    roles = sorted(str(role) for role in principal.roles)
    return "reviewer" if "reviewer" in roles else roles[0]


def _not_pending(request: ApprovalRequest, status: object) -> InvalidTransition:
    return InvalidTransition(
        f"approval request {request.approval_request_id} is {status}, not pending",
        approval_request_id=request.approval_request_id,
        status=str(status),
    )


async def _expire(uow: UnitOfWork, request: ApprovalRequest) -> None:
    system = Principal.system(uow.principal.org_id)
    APPROVAL_LIFECYCLE.check(request.status, _AP.EXPIRED, system)
    await uow.approvals.update(request.model_copy(update={"status": _AP.EXPIRED}), expected=request)
    await uow.audit.record(
        "approval.expired",
        resource_type="approval_request",
        resource_id=request.approval_request_id,
        details={"expires_at": str(request.expires_at)},
    )


async def list_approvals(
    uow: UnitOfWork, *, statuses: Sequence[ApprovalStatus] | None = None
) -> list[ApprovalRequest]:
    """Requests with the given statuses (``None``: all), oldest first."""
    authorize(uow.principal, Permission.APPROVALS_READ)
    async with uow.reading():
        return await uow.approvals.list(statuses=statuses)


async def get_approval(uow: UnitOfWork, approval_request_id: str) -> ApprovalView:
    """The request and its decision, if decided."""
    authorize(uow.principal, Permission.APPROVALS_READ)
    async with uow.reading():
        request = await uow.approvals.get(approval_request_id)
        return ApprovalView(request, await uow.approvals.decision_for(approval_request_id))
